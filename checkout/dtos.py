"""What the checkout hands out and what its pricing takes: frozen values, never model
instances."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

# A voucher's kinds (`checkout.models.VoucherKind` offers them as choices).
PERCENTAGE = "percentage"
FIXED = "fixed"


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A line to price: a unit price (two places) times a quantity (at least 1)."""

    unit_price: Decimal
    quantity: int


@dataclass(frozen=True, slots=True)
class ShippingPrice:
    """What a shipping method costs: `price`, or nothing once the subtotal reaches
    `free_over` (never free when it is None)."""

    price: Decimal
    free_over: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Discount:
    """A voucher's terms for pricing: `kind` "percentage" (`value` in 0 … 100] percent of the
    subtotal) or "fixed" (`value`, an amount)."""

    kind: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Totals:
    """A priced cart or order; `total = subtotal − discount_total + shipping_total +
    tax_total`, every amount in whole cents."""

    subtotal: Decimal
    discount_total: Decimal
    shipping_total: Decimal
    tax_total: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class VoucherSnapshot:
    """A voucher as it was when read: its terms and whether it may be used
    (`checkout.pricing.voucher_problem`)."""

    code: str
    kind: str
    value: Decimal
    min_subtotal: Decimal
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    max_uses: int | None
    max_uses_per_email: int | None
    used_count: int
    is_active: bool


@dataclass(frozen=True, slots=True)
class CheckedOut:
    """A cart checked out: its order's id and, for a guest order only, `order_key`, the secret
    that lets its holder read, cancel and pay the order (returned once, never stored plain)."""

    order_id: int
    order_key: str | None = None
