"""A small shop to attack: an owner with orders in every status and their payments, another
customer, staff; and `unchanged`, which asserts that the attack changed nothing."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db.models import Model
from django.urls import URLResolver, get_resolver
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User
from catalog import services as catalog_services
from catalog.models import Category, Product
from kernel.models import IdempotencyKey
from orders import services as order_services
from orders.models import Order, OrderEvent, OrderLine
from payments import services as payment_services
from payments.models import (
    Payment,
    ProcessedWebhookEvent,
    Refund,
    SandboxCharge,
    SandboxRefund,
)
from tests.addresses import ADDRESS

ORDER_STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled")
_WATCHED: tuple[type[Model], ...] = (
    Category,
    Product,
    Order,
    OrderLine,
    OrderEvent,
    Payment,
    Refund,
    ProcessedWebhookEvent,
    SandboxCharge,
    SandboxRefund,
    IdempotencyKey,
    OutstandingToken,
    BlacklistedToken,
)


_GROUP = re.compile(r"\(\?P<\w+>[^)]*\)|<[^>]+>")


def routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, object]]:
    """(path, view callback) of every URL pattern, each parameter written `{}`."""
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from routes(entry, pattern)
        else:
            yield "/" + _GROUP.sub("{}", pattern), entry.callback


def database_state() -> dict[str, list[dict]]:
    """Every row the API can write, so that a test can assert that nothing changed."""
    state = {model.__name__: list(model.objects.order_by("pk").values()) for model in _WATCHED}
    state["User"] = list(User.objects.order_by("pk").values())
    return state


@dataclass(frozen=True)
class Shop:
    owner: User
    intruder: User
    staff: User
    category: Category
    products: tuple[int, ...]
    orders: dict[str, int]
    """The owner's order in each status (`paid` and later were paid with `tok_visa`)."""
    payments: dict[str, int]
    """The owner's payments: `succeeded` (of the paid order) and `processing` (`tok_async`)."""
    processing_order: int


def _order_in(status: str, *, customer: User, products: tuple[int, ...]) -> int:
    order_id = order_services.place_order(
        customer_id=customer.pk,
        items=[(products[0], 1), (products[1], 2)],
        shipping_address=ADDRESS,
    ).id
    if status != "pending" and status != "cancelled":
        payment_services.pay_order(order_id=order_id, customer_id=customer.pk, token="tok_visa")
    if status in {"shipped", "delivered"}:
        order_services.ship_order(order_id=order_id, carrier="DHL", tracking_number="JD1")
    if status == "delivered":
        order_services.deliver_order(order_id=order_id)
    if status == "cancelled":
        order_services.cancel_order(order_id=order_id, actor_id=customer.pk)
    return order_id


@pytest.fixture
def shop(customer, other_customer, staff) -> Shop:
    category = catalog_services.create_category(name="Kettles")
    products = tuple(
        catalog_services.create_product(
            sku=f"SEC-{n}", name=f"Kettle {n}", price=Decimal(price), stock=100, category=category
        ).id
        for n, price in enumerate(["12.50", "7.25"])
    )
    orders = {
        status: _order_in(status, customer=customer, products=products) for status in ORDER_STATUSES
    }
    processing_order = _order_in("pending", customer=customer, products=products)
    processing = payment_services.pay_order(
        order_id=processing_order, customer_id=customer.pk, token="tok_async"
    )
    succeeded = Payment.objects.get(order_id=orders["paid"])
    return Shop(
        owner=customer,
        intruder=other_customer,
        staff=staff,
        category=category,
        products=products,
        orders=orders,
        payments={"succeeded": succeeded.pk, "processing": processing.id},
        processing_order=processing_order,
    )


@pytest.fixture
def unchanged(shop):
    """Asserts, after the test, that no row the API can write was created, changed or deleted."""
    before = database_state()
    yield
    assert database_state() == before
