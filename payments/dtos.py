"""What the payments app hands out: frozen values, never model instances."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class PaymentSummary:
    id: int
    order_id: int
    customer_id: int | None
    amount: Decimal
    currency: str
    status: str
    provider: str
    failure_code: str
    refunded_amount: Decimal
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RefundSummary:
    id: int
    payment_id: int
    amount: Decimal
    currency: str
    created_at: datetime
