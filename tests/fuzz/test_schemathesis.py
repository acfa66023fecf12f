"""Fuzzing the whole API from its own OpenAPI document (schemathesis over WSGI, in-process).

Every operation is called with generated requests, valid and invalid (schemathesis' positive and
negative modes), as an anonymous client, as a customer and as staff, and every response must
pass three checks: it is not a 5xx, its status is one the document lists for the operation, and
its body matches the documented schema for that status. Path parameters and bodies are
sometimes swapped for ids of seeded objects (products, a product's variants, orders in every
status, payments, live tokens), so the generated requests also reach the success paths and other
customers' objects instead of only 404s.

Bounded and reproducible: a fixed seed (`derandomize`), at most `MAX_EXAMPLES` examples per
operation and role, no example database.
"""

import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from accounts import services as accounts_services
from catalog import services as catalog_services
from checkout import services as checkout_services
from payments import services as payment_services
from payments.gateways.webhooks import SIGNATURE_HEADER, signature_header
from payments.models import Payment
from tests.conftest import PASSWORD
from tests.factories import ADDRESS, make_category, make_order, make_product

MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
WEBHOOK = "/api/v1/payments/webhooks/sandbox/"
SANDBOX_TOKENS = ["tok_visa", "tok_chargeDeclined", "tok_insufficientFunds", "tok_async"]

# schemathesis calls the app as http://localhost/.
with override_settings(ALLOWED_HOSTS=["localhost"]):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())

# Operations that never look at credentials: calling them as a customer or staff adds nothing.
PUBLIC = r"^/api/v1/(health/|auth/register/|auth/token/|auth/password/reset/|payments/webhooks/)"
authenticated_schema = schema.exclude(path_regex=PUBLIC)

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@dataclass
class Seeded:
    """Objects the generated requests may point at, by the path parameter or body they fill."""

    ids: dict[str, list]
    bodies: dict[str, st.SearchStrategy]
    webhook_events: st.SearchStrategy


@pytest.fixture(autouse=True)
def _fuzzable(settings, monkeypatch):
    settings.ALLOWED_HOSTS = ["localhost"]
    # As Django's test client does: the app is called in the test's own transaction, which
    # closing "old" connections at each request's start and end would break.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Throttles would turn most examples into 429s; they are tested on their own elsewhere.
    unthrottled = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES, "100000/min")
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", unthrottled)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db, customer, other_customer, staff) -> Seeded:
    category = make_category(name="Teapots")
    teapots = [
        make_product(
            sku=f"FUZZ-{n}",
            name=f"Fuzz teapot {n}",
            price=price,
            stock=100_000,
            category=category if n else None,
        )
        for n, price in enumerate(["12.50", "0.01", "999.99"])
    ]
    products = [teapot.id for teapot in teapots]
    inactive = make_product(sku="FUZZ-OFF", name="Retired teapot", price="5.00", is_active=False).id
    sized = make_product(sku="FUZZ-S", name="Sized teapot", price="20.00", stock=100_000)
    catalog_services.update_variant(variant=sized.variants.get(), data={"options": {"size": "S"}})
    for size in ("M", "L"):
        catalog_services.create_variant(
            product=sized,
            sku=f"FUZZ-S-{size}",
            price=Decimal("21.00"),
            options={"size": size},
            stock=100_000,
        )
    variants = list(sized.variants.values_list("product_id", "id"))
    items = [(teapots[0], 1), (teapots[1], 2)]
    statuses = ("pending", "pending", "pending", "paid", "shipped", "delivered", "cancelled")
    orders = [make_order(customer, items=items, status=status) for status in statuses]
    orders += [make_order(other_customer, items=items, status=s) for s in ("pending", "paid")]
    processing = make_order(customer, items=items)
    payment_services.pay_order(order_id=processing, customer_id=customer.pk, token="tok_async")
    payments = list(Payment.objects.values_list("id", flat=True))
    refresh = [str(RefreshToken.for_user(user)) for user in (customer, other_customer, staff)]
    reset_uids = [urlsafe_base64_encode(force_bytes(user.pk)) for user in (customer, staff)]
    reset_tokens = [default_token_generator.make_token(user) for user in (customer, staff)]

    order_ids = [*orders, processing]
    checkout_services.create_shipping_method(code="standard", name="Standard", price=Decimal(5))
    checkout_services.create_tax_rate(country="DE", rate=Decimal("0.19"))
    checkout_services.create_voucher(code="SUMMER10", kind="percentage", value=Decimal(10))
    addresses = [
        accounts_services.create_address(user_id=user.pk, address=ADDRESS).id
        for user in (customer, customer, other_customer)
    ]
    # A guest's cart (anyone's with its id), the customer's and another customer's.
    carts = [
        checkout_services.create_cart(customer_id=user_id)
        for user_id in (None, customer.pk, other_customer.pk)
    ]
    for cart in carts:
        checkout_services.add_line(cart=cart, product_id=products[0], quantity=1)
    return Seeded(
        ids={
            "products": [*products, sized.id, inactive],
            "variants": variants,
            "categories": [category.slug],
            "orders": order_ids,
            "payments": payments,
            "shipping-methods": ["standard"],
            "tax-rates": ["DE", "de"],
            "vouchers": ["SUMMER10", "summer10"],
            "auth/addresses": addresses,
            "carts": [str(cart.pk) for cart in carts],
        },
        webhook_events=st.fixed_dictionaries(
            {
                "id": st.sampled_from(["evt_1", "evt_2", "evt_3"]),
                "type": st.sampled_from(["payment.succeeded", "payment.failed", "charge.refunded"]),
                "data": st.fixed_dictionaries({"payment_id": st.sampled_from(payments)}),
            }
        ),
        bodies={
            "POST /api/v1/orders/": st.fixed_dictionaries(
                {
                    "items": st.lists(
                        st.fixed_dictionaries(
                            {
                                "product_id": st.sampled_from([*products, sized.id, inactive]),
                                "quantity": st.integers(1, 5),
                            }
                        )
                        | st.fixed_dictionaries(
                            {
                                "variant_id": st.sampled_from([vid for _, vid in variants]),
                                "quantity": st.integers(1, 5),
                            }
                        ),
                        min_size=1,
                        max_size=3,
                        unique_by=lambda item: (item.get("product_id"), item.get("variant_id")),
                    )
                }
            ),
            "POST /api/v1/products/{id}/variants/": st.fixed_dictionaries(
                {
                    "sku": st.sampled_from(["FUZZ-S-XL", "FUZZ-S-M", "FUZZ-0"]),
                    "options": st.sampled_from(
                        [{"size": "XL"}, {"size": "M"}, {}, {"colour": "red"}]
                    ),
                    "price": st.sampled_from(["0.01", "20.00"]),
                },
                optional={"stock": st.integers(0, 100), "name": st.sampled_from(["", "XL"])},
            ),
            "PATCH /api/v1/products/{id}/variants/{variant_id}/": st.fixed_dictionaries(
                {},
                optional={
                    "stock": st.integers(0, 100),
                    "price": st.sampled_from(["0.01", "25.00"]),
                    "options": st.sampled_from([{"size": "XS"}, {"size": "M"}]),
                    "position": st.integers(0, 5),
                },
            ),
            "POST /api/v1/auth/addresses/": st.fixed_dictionaries(
                {
                    **{name: st.just(value) for name, value in ADDRESS.items()},
                    "country": st.sampled_from(["GB", "de", "XX"]),
                    "is_default_shipping": st.booleans(),
                }
            ),
            "POST /api/v1/carts/{id}/lines/": st.fixed_dictionaries(
                {
                    "product_id": st.sampled_from([*products, inactive]),
                    "quantity": st.integers(1, 5),
                }
            ),
            "PATCH /api/v1/carts/{id}/": st.fixed_dictionaries(
                {"shipping_method": st.sampled_from(["standard", "none"])}
            ),
            "POST /api/v1/carts/{id}/voucher/": st.fixed_dictionaries(
                {"code": st.sampled_from(["SUMMER10", "summer10", "NOPE"])}
            ),
            "POST /api/v1/payments/": st.fixed_dictionaries(
                {"order_id": st.sampled_from(order_ids), "token": st.sampled_from(SANDBOX_TOKENS)}
            ),
            "POST /api/v1/payments/{id}/refund/": st.one_of(
                st.just({}),
                st.fixed_dictionaries(
                    {"amount": st.sampled_from(["0.01", "1.00", "12.50", "100.00"])}
                ),
            ),
            "POST /api/v1/auth/token/": st.fixed_dictionaries(
                {
                    "email": st.sampled_from([customer.email, staff.email]),
                    "password": st.sampled_from([PASSWORD, "wrong"]),
                }
            ),
            "POST /api/v1/auth/token/refresh/": st.fixed_dictionaries(
                {"refresh": st.sampled_from(refresh)}
            ),
            "POST /api/v1/auth/token/verify/": st.fixed_dictionaries(
                {"token": st.sampled_from(refresh)}
            ),
            "POST /api/v1/auth/logout/": st.fixed_dictionaries(
                {"refresh": st.sampled_from(refresh)}
            ),
            "POST /api/v1/auth/password/reset/": st.fixed_dictionaries(
                {"email": st.sampled_from([customer.email, staff.email, "nobody@example.com"])}
            ),
            "POST /api/v1/auth/password/reset/confirm/": st.fixed_dictionaries(
                {
                    "uid": st.sampled_from(reset_uids),
                    "token": st.sampled_from(reset_tokens),
                    "new_password": st.sampled_from(["12345678", "a-fuzzed-new-passphrase-1"]),
                }
            ),
        },
    )


def _bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


def _call(case, data, seeded: Seeded, headers: dict[str, str]) -> None:
    """Point the case at seeded objects half of the time, then call and check it."""
    resource = case.path.removeprefix("/api/v1/").split("/{")[0]
    if case.path_parameters and resource in seeded.ids and data.draw(st.booleans()):
        # The resource's own id; a nested one (a product's image) stays as drawn.
        name = "id" if "id" in case.path_parameters else next(iter(case.path_parameters))
        seeded_id = data.draw(st.sampled_from(seeded.ids[resource]))
        case.path_parameters = {**case.path_parameters, name: seeded_id}
    if "variant_id" in case.path_parameters and data.draw(st.booleans()):
        # A seeded variant under its own product's URL.
        product_id, variant_id = data.draw(st.sampled_from(seeded.ids["variants"]))
        case.path_parameters = {**case.path_parameters, "id": product_id, "variant_id": variant_id}
    body = seeded.bodies.get(f"{case.method.upper()} {case.path}")
    if body is not None and data.draw(st.booleans()):
        case.body = data.draw(body)
        case.media_type = "application/json"
    if case.path == WEBHOOK and data.draw(st.booleans()):
        raw = json.dumps(data.draw(seeded.webhook_events)).encode()
        case.body = raw
        case.media_type = "application/json"
        case.headers = {
            **(case.headers or {}),
            SIGNATURE_HEADER: signature_header(
                secret=django_settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET, body=raw
            ),
        }
    case.call_and_validate(headers=headers, checks=CHECKS)


@schema.parametrize()
@schema.given(data=st.data())
@FUZZ_SETTINGS
def test_every_operation_as_an_anonymous_client(case, data, seeded):
    _call(case, data, seeded, {})


@authenticated_schema.parametrize()
@schema.given(data=st.data())
@FUZZ_SETTINGS
def test_every_operation_as_a_customer(case, data, seeded, customer):
    _call(case, data, seeded, _bearer(customer))


@authenticated_schema.parametrize()
@schema.given(data=st.data())
@FUZZ_SETTINGS
def test_every_operation_as_staff(case, data, seeded, staff):
    _call(case, data, seeded, _bearer(staff))
