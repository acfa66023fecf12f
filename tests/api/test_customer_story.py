"""End-to-end stories, through HTTP and JWTs only: what a storefront developer would do."""

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
from django.conf import settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def sign_up_and_log_in(email: str) -> APIClient:
    anonymous = APIClient()
    registered = anonymous.post(
        "/api/v1/auth/register/",
        {"email": email, "password": PASSWORD, "first_name": "Ada", "last_name": "Lovelace"},
    )
    assert registered.status_code == 201, registered.content
    tokens = anonymous.post("/api/v1/auth/token/", {"email": email, "password": PASSWORD})
    assert tokens.status_code == 200, tokens.content
    return bearer(tokens.json()["access"])


@pytest.fixture
def shop_staff(staff_client):
    """Staff who stock the shop through the API and run it."""
    return staff_client


@pytest.fixture
def products(shop_staff):
    category = shop_staff.post("/api/v1/categories/", {"name": "Tea", "slug": "tea"})
    assert category.status_code == 201, category.content
    created = []
    for sku, name, price, stock in [
        ("TEA-001", "Sencha", "12.50", 10),
        ("TEA-002", "Assam", "8.99", 5),
        ("TEA-003", "Rooibos", "6.00", 3),
    ]:
        response = shop_staff.post(
            "/api/v1/products/",
            {
                "sku": sku,
                "name": name,
                "price": price,
                "stock": stock,
                "category": category.json()["id"],
            },
        )
        assert response.status_code == 201, response.content
        created.append(response.json())
    return created


def stock_of(client: APIClient, product_id: int) -> int:
    return client.get(f"/api/v1/products/{product_id}/").json()["stock"]


def place(client: APIClient, *lines: tuple[int, int]) -> dict:
    response = client.post(
        "/api/v1/orders/",
        {
            "items": [{"product_id": pid, "quantity": qty} for pid, qty in lines],
            "shipping_address": {
                "name": "Ada Lovelace",
                "line1": "1 Analytical St",
                "city": "London",
                "postal_code": "N1 1AA",
                "country": "GB",
            },
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def signed_webhook(client: APIClient, payload: dict) -> int:
    body = json.dumps(payload).encode()
    timestamp = int(time.time())
    signature = hmac.new(
        settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET.encode(),
        f"{timestamp}.".encode() + body,
        hashlib.sha256,
    ).hexdigest()
    response = client.post(
        "/api/v1/payments/webhooks/sandbox/",
        body,
        content_type="application/json",
        HTTP_SHOP_SIGNATURE=f"t={timestamp},v1={signature}",
    )
    return response.status_code


def test_a_customer_goes_from_sign_up_to_a_delivered_order(shop_staff, products):
    customer = sign_up_and_log_in("ada@example.com")
    sencha, assam, _ = products

    listing = customer.get("/api/v1/products/?category=tea&ordering=price")
    assert listing.status_code == 200
    assert [p["sku"] for p in listing.json()["results"]] == ["TEA-003", "TEA-002", "TEA-001"]

    order = place(customer, (sencha["id"], 2), (assam["id"], 1))
    assert order["status"] == "pending"
    assert order["total"] == "33.99"
    assert order["currency"] == settings.SHOP_CURRENCY
    assert stock_of(customer, sencha["id"]) == 8

    payment = customer.post("/api/v1/payments/", {"order_id": order["id"], "token": "tok_visa"})
    assert payment.status_code == 201, payment.content
    assert payment.json()["status"] == "succeeded"
    assert Decimal(payment.json()["amount"]) == Decimal("33.99")

    shipped = shop_staff.post(
        f"/api/v1/orders/{order['id']}/ship/", {"carrier": "Royal Mail", "tracking_number": "RM1"}
    )
    assert shipped.status_code == 200, shipped.content
    delivered = shop_staff.post(f"/api/v1/orders/{order['id']}/deliver/")
    assert delivered.status_code == 200, delivered.content

    tracking = customer.get(f"/api/v1/orders/{order['id']}/").json()
    assert tracking["status"] == "delivered"
    assert [event["status"] for event in tracking["events"]] == [
        "pending",
        "paid",
        "shipped",
        "delivered",
    ]
    assert tracking["items"][0]["name"] in {"Sencha", "Assam"}


def test_a_declined_card_can_be_retried_with_another_card(products):
    customer = sign_up_and_log_in("bob@example.com")
    order = place(customer, (products[0]["id"], 1))

    declined = customer.post(
        "/api/v1/payments/", {"order_id": order["id"], "token": "tok_chargeDeclined"}
    )
    assert declined.status_code == 402
    assert declined.json()["code"] == "card_declined"
    assert declined.json()["payment"]["status"] == "failed"
    assert customer.get(f"/api/v1/orders/{order['id']}/").json()["status"] == "pending"

    retried = customer.post("/api/v1/payments/", {"order_id": order["id"], "token": "tok_visa"})
    assert retried.status_code == 201
    assert customer.get(f"/api/v1/orders/{order['id']}/").json()["status"] == "paid"
    payments = customer.get(f"/api/v1/payments/?order={order['id']}").json()["results"]
    assert sorted(p["status"] for p in payments) == ["failed", "succeeded"]


def test_an_asynchronous_payment_is_settled_by_the_signed_webhook(products):
    customer = sign_up_and_log_in("cy@example.com")
    order = place(customer, (products[1]["id"], 2))

    pending = customer.post("/api/v1/payments/", {"order_id": order["id"], "token": "tok_async"})
    assert pending.status_code == 202
    assert pending.json()["status"] == "processing"

    event = {
        "id": "evt_story_1",
        "type": "payment.succeeded",
        "data": {"payment_id": pending.json()["id"]},
    }
    assert signed_webhook(APIClient(), event) == 200

    assert customer.get(f"/api/v1/payments/{pending.json()['id']}/").json()["status"] == (
        "succeeded"
    )
    assert customer.get(f"/api/v1/orders/{order['id']}/").json()["status"] == "paid"


def test_cancelling_a_pending_order_gives_the_stock_back(products):
    customer = sign_up_and_log_in("dee@example.com")
    rooibos = products[2]
    order = place(customer, (rooibos["id"], 3))
    assert stock_of(customer, rooibos["id"]) == 0

    cancelled = customer.post(f"/api/v1/orders/{order['id']}/cancel/")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert stock_of(customer, rooibos["id"]) == 3


def test_cancelling_a_paid_order_gives_the_stock_back_and_refunds_in_full(products):
    customer = sign_up_and_log_in("eve@example.com")
    sencha = products[0]
    order = place(customer, (sencha["id"], 4))
    payment = customer.post("/api/v1/payments/", {"order_id": order["id"], "token": "tok_visa"})
    assert payment.status_code == 201

    cancelled = customer.post(f"/api/v1/orders/{order['id']}/cancel/")

    assert cancelled.status_code == 200
    assert stock_of(customer, sencha["id"]) == 10
    refunded = customer.get(f"/api/v1/payments/{payment.json()['id']}/").json()
    assert refunded["status"] == "refunded"
    assert refunded["refunded_amount"] == refunded["amount"] == "50.00"


def test_a_shipped_order_can_no_longer_be_cancelled(shop_staff, products):
    customer = sign_up_and_log_in("fay@example.com")
    order = place(customer, (products[0]["id"], 1))
    customer.post("/api/v1/payments/", {"order_id": order["id"], "token": "tok_visa"})
    shop_staff.post(f"/api/v1/orders/{order['id']}/ship/", {})

    response = customer.post(f"/api/v1/orders/{order['id']}/cancel/")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert customer.get(f"/api/v1/orders/{order['id']}/").json()["status"] == "shipped"
