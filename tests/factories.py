"""Test data made the way the shop makes it: through each app's public services.

Nothing here writes a table directly, so setting up a test keeps the same boundary the code
keeps, and a rule a service enforces (a valid price, a free SKU, the stock reserved by an
order) holds for test data too. Plain functions, usable from a fixture, a thread or a
Hypothesis example alike; tests/conftest.py exposes them as fixtures of the same names.

Products and categories are what `catalog.services` returns: the catalog's tests hand them back
to its services; every other test reads only their `id`, SKU, name and price, and a product's
stock through `stock_of`, the catalog's public read.
"""

import itertools
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from accounts import services as account_services
from accounts.models import User
from catalog import services as catalog_services
from orders import services as order_services
from orders.dtos import OrderItem
from orders.models import Order
from payments import services as payment_services

PASSWORD = "correct-horse-battery-staple"

ORDER_STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled")
"""The statuses of the contract, which the shops of the security tests hold an order in; an
order is also `refunded` after a refund in full (`make_order` makes those too)."""
_MADE_STATUSES = (*ORDER_STATUSES, "refunded")

ADDRESS = {
    "name": "Casey Customer",
    "line1": "1 Main Street",
    "line2": "Flat 2",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "country": "US",
    "phone": "+1 555 0100",
}
"""A complete, valid shipping address: every order `make_order` places is shippable."""

CARRIER, TRACKING_NUMBER = "DHL", "JD0001"

_numbers = itertools.count(1)


def make_user(*, email: str | None = None, is_staff: bool = False, **fields: Any) -> User:
    """A user signed up through `accounts.services.create_user`; the password is `PASSWORD`."""
    summary = account_services.create_user(
        email=email or f"user{next(_numbers)}@example.com",
        password=PASSWORD,
        is_staff=is_staff,
        **fields,
    )
    return User.objects.get(pk=summary.id)


def make_category(*, name: str | None = None, **fields: Any):
    """A category from `catalog.services.create_category`; every argument optional."""
    return catalog_services.create_category(name=name or f"Category {next(_numbers)}", **fields)


def make_product(
    *,
    sku: str | None = None,
    name: str | None = None,
    price: Decimal | str = Decimal("10.00"),
    stock: int = 10,
    **fields: Any,
):
    """A product from `catalog.services.create_product`: active, 10.00, 10 in stock, no category.

    Any of `create_product`'s arguments may be given (`is_active=False`, `category=...`).
    """
    number = next(_numbers)
    return catalog_services.create_product(
        sku=sku or f"SKU-{number:05d}",
        name=name or f"Product {number}",
        price=Decimal(price),
        stock=stock,
        **fields,
    )


def stock_of(product) -> int:
    """The product's stock now, as the catalog's public read reports it."""
    return catalog_services.get_products(ids=[product.id])[product.id].stock


def variant_id_of(product) -> int:
    """The id of the product's first variant (its only one, for a product `make_product`
    made), as the catalog's public read reports it."""
    return catalog_services.get_products(ids=[product.id])[product.id].variant_ids[0]


def make_order(
    customer: User,
    *,
    items: Sequence[tuple[Any, int]],
    status: str = "pending",
    shipping_address: dict | None = ADDRESS,
) -> int:
    """Place an order of `(product, quantity)` items for `customer` and bring it to `status`.

    Every step is the public service a real order goes through: `place_order`; `paid` is paid
    by `payments.services.pay_order` with `tok_visa` (so it has a succeeded payment); `shipped`
    goes with `CARRIER` and `TRACKING_NUMBER`; `cancelled` is cancelled by the customer while
    still pending; `refunded` is paid, then refunded in full by
    `payments.services.refund_payment`. Returns the order's id.
    """
    if status not in _MADE_STATUSES:
        raise ValueError(f"Unknown order status {status!r}; one of {_MADE_STATUSES}.")
    order_id = order_services.place_order(
        customer_id=customer.pk,
        items=[OrderItem(product_id=product.id, quantity=quantity) for product, quantity in items],
        shipping_address=shipping_address,
    ).id
    if status == "cancelled":
        order_services.cancel_order(order_id=order_id, actor_id=customer.pk)
    if status in {"paid", "shipped", "delivered", "refunded"}:
        payment = payment_services.pay_order(
            order_id=order_id, customer_id=customer.pk, token="tok_visa"
        )
        if status == "refunded":
            payment_services.refund_payment(payment_id=payment.id)
    if status in {"shipped", "delivered"}:
        order_services.ship_order(
            order_id=order_id, carrier=CARRIER, tracking_number=TRACKING_NUMBER
        )
    if status == "delivered":
        order_services.deliver_order(order_id=order_id)
    return order_id


def order_status(order_id: int) -> str:
    """The order's status, as an observer reads it (no service reads an order for tests)."""
    return Order.objects.values_list("status", flat=True).get(pk=order_id)


def order_total(order_id: int) -> Decimal:
    """What the order costs, as an observer reads it."""
    return Order.objects.values_list("total", flat=True).get(pk=order_id)


def make_overdue(order_id: int) -> None:
    """Time passes: the order was placed its payment window and a second ago, so it is past its
    `expires_at` (the one write a test makes to an order's row: no service moves the clock)."""
    order = Order.objects.get(pk=order_id)
    shift = order.expires_at - order.created_at + timedelta(seconds=1)
    Order.objects.filter(pk=order_id).update(
        created_at=order.created_at - shift, expires_at=order.expires_at - shift
    )
