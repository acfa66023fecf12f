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
    customer_id: int | None
    amount: Decimal
    currency: str
    status: str


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """A placed order, as `place_order` reports it.

    `order_key` is a guest order's key, the secret that opens it (`Order-Key`): set only in
    `place_order`'s answer, which is the one time it exists in clear; None otherwise.
    """

    id: int
    number: str
    status: str
    total: Decimal
    currency: str
    order_key: str | None = None


@dataclass(frozen=True, slots=True)
class ShippingMethodSnapshot:
    """The shipping method an order ships by, as the customer chose it: `price` is what it
    cost this order (0.00 when it shipped free), which is the order's `shipping_total`."""

    code: str
    name: str
    price: Decimal


@dataclass(frozen=True, slots=True)
class OrderPricing:
    """An order's totals as its caller (the checkout) priced and showed them; `place_order`
    stores them after checking them against the subtotal of the prices it reserved at.

    `subtotal` and `total` are what the customer was shown: `place_order` refuses the pricing
    unless `subtotal` is its own and `total = subtotal − discount_total + shipping_total +
    tax_total`. A discount comes with its `voucher_code`; `shipping_total` is the
    `shipping_method`'s price, or 0.00 without one.
    """

    subtotal: Decimal
    discount_total: Decimal
    shipping_total: Decimal
    tax_total: Decimal
    total: Decimal
    shipping_method: ShippingMethodSnapshot | None = None
    voucher_code: str | None = None
