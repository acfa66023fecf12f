"""API5:2023 Broken Function Level Authorization.

Every staff action is 403 for a customer (even on the customer's own order or payment) and 401
for an anonymous caller, and neither changes anything. The list is checked against the API's
URL configuration, so a new staff operation cannot be left out.
"""

import re

import pytest
from drf_spectacular.generators import EndpointEnumerator

from catalog import services as catalog_services
from kernel.api.permissions import StaffPermission
from tests.security.conftest import Shop

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"\{[^}]+\}")

# (method, path template, body) of every operation only staff may call.
STAFF_ACTIONS = [
    ("post", "/api/v1/categories/", {"name": "Stolen", "slug": "stolen"}),
    ("patch", "/api/v1/categories/{slug}/", {"name": "Renamed"}),
    ("delete", "/api/v1/categories/{slug}/", None),
    ("post", "/api/v1/products/", {"sku": "X-1", "name": "Free", "price": "0.01", "stock": 5}),
    ("put", "/api/v1/products/{id}/", {"sku": "SEC-0", "name": "Cheap", "price": "0.01"}),
    ("patch", "/api/v1/products/{id}/", {"price": "0.01", "stock": 100000}),
    ("delete", "/api/v1/products/{id}/", None),
    ("post", "/api/v1/products/{id}/images/", None),
    ("patch", "/api/v1/products/{id}/images/{image}/", {"alt": "Stolen"}),
    ("delete", "/api/v1/products/{id}/images/{image}/", None),
    (
        "post",
        "/api/v1/products/{id}/variants/",
        {"sku": "X-2", "options": {"size": "M"}, "price": "0.01", "stock": 5},
    ),
    ("patch", "/api/v1/products/{id}/variants/{variant}/", {"price": "0.01", "stock": 100000}),
    ("delete", "/api/v1/products/{id}/variants/{variant}/", None),
    ("post", "/api/v1/orders/{paid}/ship/", {"carrier": "DHL", "tracking_number": "1"}),
    ("post", "/api/v1/orders/{shipped}/deliver/", None),
    ("post", "/api/v1/payments/{payment}/refund/", {"amount": "1.00"}),
    ("get", "/api/v1/webhooks/", None),
    ("post", "/api/v1/webhooks/", {"url": "https://93.184.216.34/x", "events": ["*"]}),
    ("get", "/api/v1/webhooks/{webhook}/", None),
    ("patch", "/api/v1/webhooks/{webhook}/", {"url": "https://93.184.216.34/x"}),
    ("delete", "/api/v1/webhooks/{webhook}/", None),
    ("get", "/api/v1/webhooks/{webhook}/deliveries/", None),
    ("get", "/api/v1/shipping-methods/", None),
    ("post", "/api/v1/shipping-methods/", {"code": "free", "name": "Free", "price": "0.00"}),
    ("get", "/api/v1/shipping-methods/{code}/", None),
    ("patch", "/api/v1/shipping-methods/{code}/", {"price": "0.00"}),
    ("delete", "/api/v1/shipping-methods/{code}/", None),
    ("get", "/api/v1/tax-rates/", None),
    ("post", "/api/v1/tax-rates/", {"country": "DE", "rate": "0"}),
    ("get", "/api/v1/tax-rates/{country}/", None),
    ("patch", "/api/v1/tax-rates/{country}/", {"rate": "0"}),
    ("delete", "/api/v1/tax-rates/{country}/", None),
    ("get", "/api/v1/vouchers/", None),
    ("post", "/api/v1/vouchers/", {"code": "FREE", "kind": "percentage", "value": "100.00"}),
    ("get", "/api/v1/vouchers/{code}/", None),
    ("patch", "/api/v1/vouchers/{code}/", {"value": "100.00"}),
    ("delete", "/api/v1/vouchers/{code}/", None),
]


def _url(template: str, shop: Shop) -> str:
    return template.format(
        slug=shop.category.slug,
        id=shop.products[0],
        paid=shop.orders["paid"],
        shipped=shop.orders["shipped"],
        payment=shop.payments["succeeded"],
        webhook=shop.webhook,
        # Any image id: the permission is checked before the image is looked up.
        image=1,
        # Likewise any code and country (the checkout's staff resources).
        code="standard",
        country="DE",
        variant=_first_variant(shop.products[0]),
    )


def _first_variant(product_id: int) -> int:
    return catalog_services.get_products(ids=[product_id])[product_id].variant_ids[0]


def _ids(action) -> str:
    method, template, _ = action
    return f"{method.upper()} {template}"


@pytest.fixture
def caller(request):
    """The client fixture named by the test's parameter, signed in (if at all) before
    `unchanged` takes its snapshot."""
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("action", STAFF_ACTIONS, ids=_ids)
@pytest.mark.parametrize(
    ("caller", "status", "code"),
    [("customer_client", 403, "permission_denied"), ("anon_client", 401, "not_authenticated")],
    ids=["customer", "anonymous"],
    indirect=["caller"],
)
def test_a_customer_gets_403_and_an_anonymous_caller_401_for_every_staff_action_and_nothing_changes(
    caller, shop, unchanged, action, status, code
):
    method, template, body = action

    response = getattr(caller, method)(_url(template, shop), body, format="json")

    assert response.status_code == status
    assert response.json()["code"] == code


def _requires_staff(method: str, callback) -> bool:
    permissions = callback.initkwargs.get("permission_classes", callback.cls.permission_classes)
    action = getattr(callback, "actions", {}).get(method.lower())
    required = getattr(callback.cls, "required_permissions", {})
    return StaffPermission in permissions and bool(required.get(action))


def test_the_list_holds_every_operation_whose_permissions_require_staff():
    routed = {
        (method.lower(), PARAMETER.sub("{}", path))
        for path, _, method, callback in EndpointEnumerator().get_api_endpoints()
        if _requires_staff(method, callback)
    }

    assert routed == {(method, PARAMETER.sub("{}", path)) for method, path, _ in STAFF_ACTIONS}


def test_the_admin_site_is_closed_to_customers(client, customer):
    client.force_login(customer)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
