"""What the orders app hands to the apps above it: frozen values, never model instances."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class OrderItem:
    """What a customer orders: units of a variant (`variant_id`), or of a product that has
    exactly one variant (`product_id`); one of the two, never both."""

    quantity: int
    variant_id: int | None = None
    product_id: int | None = None


@dataclass(frozen=True, slots=True)
class PaymentDue:
    """What a customer owes on an order: the only source of a payment's amount."""

    order_id: int
    order_number: str
    customer_id: int
    amount: Decimal
    currency: str
    status: str


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """A placed order, as `place_order` reports it."""

    id: int
    number: str
    status: str
    total: Decimal
    currency: str
