"""API1:2023 Broken Object Level Authorization.

Another customer's object is 404 for every action on it, whatever its status (never a 409
that would tell it exists, nor a 403), exactly the 404 of an object that does not exist, and
the attempt changes nothing.
"""

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from orders.models import Order
from tests.security.conftest import ORDER_STATUSES

pytestmark = pytest.mark.django_db


def _missing_order_id() -> int:
    return Order.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000


def _order_actions(order_id: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", f"/api/v1/orders/{order_id}/", None),
        ("post", f"/api/v1/orders/{order_id}/cancel/", None),
        ("post", "/api/v1/payments/", {"order_id": order_id, "token": "tok_visa"}),
    ]


def _call(client, method: str, url: str, body: dict | None):
    return getattr(client, method)(url, body, format="json")


@pytest.mark.parametrize("status", ORDER_STATUSES)
def test_every_action_on_another_customers_order_is_404_and_changes_nothing(
    other_client, shop, unchanged, status
):
    for method, url, body in _order_actions(shop.orders[status]):
        response = _call(other_client, method, url, body)

        assert (url, response.status_code) == (url, 404)
        assert response.json()["code"] == "not_found"


def test_another_customers_order_is_the_same_404_as_an_order_that_does_not_exist(
    other_client, shop, unchanged
):
    for (method, url, body), (_, missing_url, missing_body) in zip(
        _order_actions(shop.orders["paid"]), _order_actions(_missing_order_id()), strict=True
    ):
        theirs = _call(other_client, method, url, body)
        missing = _call(other_client, method, missing_url, missing_body)

        assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize("payment", ["succeeded", "processing"])
def test_another_customers_payment_is_the_404_of_a_payment_that_does_not_exist(
    other_client, shop, unchanged, payment
):
    response = other_client.get(f"/api/v1/payments/{shop.payments[payment]}/")
    missing = other_client.get(f"/api/v1/payments/{max(shop.payments.values()) + 1000}/")

    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()


def test_lists_never_show_another_customers_orders_or_payments(other_client, shop, unchanged):
    orders = other_client.get("/api/v1/orders/", {"page_size": 100})
    payments = other_client.get("/api/v1/payments/", {"page_size": 100})
    filtered = other_client.get("/api/v1/payments/", {"order": shop.orders["paid"]})
    by_status = other_client.get("/api/v1/orders/", {"status": "paid"})

    for response in (orders, payments, filtered, by_status):
        assert response.status_code == 200
        assert response.json()["count"] == 0


def test_logging_out_another_customers_refresh_token_is_401_and_spares_it(
    other_client, anon_client, shop
):
    refresh = str(RefreshToken.for_user(shop.owner))

    response = other_client.post("/api/v1/auth/logout/", {"refresh": refresh})

    assert response.status_code == 401
    assert anon_client.post("/api/v1/auth/token/refresh/", {"refresh": refresh}).status_code == 200


def test_an_idempotency_key_never_replays_another_customers_order(
    customer_client, other_client, shop
):
    body = {"items": [{"product_id": shop.products[0], "quantity": 1}]}
    headers = {"Idempotency-Key": "shared-key"}
    mine = customer_client.post("/api/v1/orders/", body, format="json", headers=headers)

    theirs = other_client.post("/api/v1/orders/", body, format="json", headers=headers)

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()["id"] != mine.json()["id"]
    assert theirs.json()["customer_id"] == shop.intruder.pk
    assert "Idempotent-Replayed" not in theirs.headers


def _address_actions(address_id: int) -> list[tuple[str, str, dict | None]]:
    url = f"/api/v1/auth/addresses/{address_id}/"
    return [
        ("get", url, None),
        ("patch", url, {"city": "Elsewhere"}),
        ("patch", url, {"is_default_shipping": True}),
        ("delete", url, None),
    ]


def test_another_customers_address_is_the_404_of_one_that_does_not_exist(
    other_client, shop, unchanged
):
    for (method, url, body), (_, missing_url, missing_body) in zip(
        _address_actions(shop.address), _address_actions(shop.address + 1000), strict=True
    ):
        theirs = _call(other_client, method, url, body)
        missing = _call(other_client, method, missing_url, missing_body)

        assert (url, theirs.status_code) == (url, 404)
        assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())

    listed = other_client.get("/api/v1/auth/addresses/", {"page_size": 100})
    assert listed.status_code == 200
    assert listed.json()["count"] == 0
