"""A small shop to attack: an owner with orders in every status and their payments, another
customer, staff; and `unchanged`, which asserts that the attack changed nothing."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver

from accounts import services as accounts
from accounts.models import User
from checkout import services as checkout_services
from kernel.webhooks import services as webhooks
from payments import services as payment_services
from payments.models import Payment
from tests.factories import ADDRESS, ORDER_STATUSES, make_category, make_order, make_product

# Every table the API can write, named as the database sees them: an observer of the whole
# shop, not a writer of any app's rows.
_WATCHED = (
    "accounts.Address",
    "catalog.Category",
    "catalog.Product",
    "catalog.ProductVariant",
    "catalog.ProductImage",
    "orders.Order",
    "orders.OrderLine",
    "orders.OrderEvent",
    "payments.Payment",
    "payments.Refund",
    "payments.ProcessedWebhookEvent",
    "payments.SandboxCharge",
    "payments.SandboxRefund",
    "kernel.IdempotencyKey",
    "kernel.WebhookEndpoint",
    "kernel.WebhookDelivery",
    "checkout.ShippingMethod",
    "checkout.TaxRate",
    "checkout.Voucher",
    "checkout.Cart",
    "checkout.CartLine",
    "token_blacklist.OutstandingToken",
    "token_blacklist.BlacklistedToken",
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
    models = [apps.get_model(label) for label in _WATCHED]
    state = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    state["User"] = list(User.objects.order_by("pk").values())
    return state


@dataclass(frozen=True)
class CategoryRef:
    """The shop's category, as a client addresses it."""

    id: int
    slug: str


@dataclass(frozen=True)
class Shop:
    owner: User
    intruder: User
    staff: User
    category: CategoryRef
    products: tuple[int, ...]
    orders: dict[str, int]
    """The owner's order in each status (`paid` and later were paid with `tok_visa`)."""
    payments: dict[str, int]
    """The owner's payments: `succeeded` (of the paid order) and `processing` (`tok_async`)."""
    processing_order: int
    webhook: int
    """An integrator's webhook endpoint."""
    address: int
    """The owner's address (their default shipping address)."""


@pytest.fixture
def shop(customer, other_customer, staff) -> Shop:
    category = make_category(name="Kettles")
    kettles = [
        make_product(sku=f"SEC-{n}", name=f"Kettle {n}", price=price, stock=100, category=category)
        for n, price in enumerate(["12.50", "7.25"])
    ]
    items = [(kettles[0], 1), (kettles[1], 2)]
    orders = {status: make_order(customer, items=items, status=status) for status in ORDER_STATUSES}
    processing_order = make_order(customer, items=items)
    processing = payment_services.pay_order(
        order_id=processing_order, customer_id=customer.pk, token="tok_async"
    )
    succeeded = Payment.objects.get(order_id=orders["paid"])
    # The checkout's staff resources, each under the key the route tests use.
    checkout_services.create_shipping_method(code="standard", name="Standard", price=Decimal(5))
    checkout_services.create_tax_rate(country="DE", rate=Decimal("0.19"))
    checkout_services.create_voucher(code="STANDARD", kind="percentage", value=Decimal(10))
    return Shop(
        owner=customer,
        intruder=other_customer,
        staff=staff,
        category=CategoryRef(id=category.id, slug=category.slug),
        products=tuple(kettle.id for kettle in kettles),
        orders=orders,
        payments={"succeeded": succeeded.pk, "processing": processing.id},
        processing_order=processing_order,
        webhook=webhooks.create_endpoint(url="https://93.184.216.34/hooks", event_types=["*"]).pk,
        address=accounts.create_address(user_id=customer.pk, address=ADDRESS).id,
    )


@pytest.fixture
def unchanged(shop):
    """Asserts, after the test, that no row the API can write was created, changed or deleted."""
    before = database_state()
    yield
    assert database_state() == before
