"""API3:2023 Broken Object Property Level Authorization.

No response ever carries a password, a password hash or another customer's data; a field a
client may not set (an order's status or total, a payment's amount, `is_staff`, ids and
timestamps) is refused with a 400 naming it, and never takes effect.
"""

from decimal import Decimal

import pytest

from accounts.models import User
from catalog import services as catalog_services
from orders import services as order_services
from orders.dtos import OrderItem
from payments.models import Payment, Refund
from tests.conftest import PASSWORD
from tests.factories import order_total

pytestmark = pytest.mark.django_db

HASH_PREFIXES = ("pbkdf2_", "md5$", "argon2", "bcrypt", "scrypt")
THEIR_ADDRESS = {"name": "Olive Other", "line1": "7 Intruder Lane", "city": "Elsewhere"}


@pytest.fixture
def theirs(shop) -> dict:
    """The other customer's order, with a shipping address only they know."""
    order = order_services.place_order(
        customer_id=shop.intruder.pk,
        items=[OrderItem(product_id=shop.products[0], quantity=1)],
        shipping_address={**THEIR_ADDRESS, "country": "US"},
    )
    return {"number": order.number, "id": order.id}


def _bodies_seen_by_the_owner(shop, client) -> list[str]:
    pending = shop.orders["pending"]
    responses = [
        client.get("/api/v1/auth/me/"),
        client.patch("/api/v1/auth/me/", {"first_name": "Casey"}),
        client.get("/api/v1/orders/", {"page_size": 100}),
        client.get(f"/api/v1/orders/{pending}/"),
        client.get("/api/v1/payments/", {"page_size": 100}),
        client.get(f"/api/v1/payments/{shop.payments['succeeded']}/"),
        client.get("/api/v1/products/"),
        client.get("/api/v1/categories/"),
        client.post(
            "/api/v1/orders/",
            {"items": [{"product_id": shop.products[0], "quantity": 1}]},
            format="json",
        ),
        client.post("/api/v1/payments/", {"order_id": pending, "token": "tok_visa"}),
        client.post("/api/v1/auth/password/", {"old_password": "wrong", "new_password": "x"}),
    ]
    assert all(response.status_code < 500 for response in responses)
    return [response.content.decode() for response in responses]


def test_no_response_to_a_customer_carries_a_hash_or_another_customers_data(
    shop, theirs, customer_client
):
    bodies = _bodies_seen_by_the_owner(shop, customer_client)

    secrets = [
        *User.objects.values_list("password", flat=True),
        shop.intruder.email,
        shop.staff.email,
        theirs["number"],
        THEIR_ADDRESS["line1"],
        PASSWORD,
        *HASH_PREFIXES,
    ]
    for body in bodies:
        assert not [secret for secret in secrets if secret in body], body


def test_no_response_to_staff_carries_a_password_or_its_hash(shop, theirs, staff_client):
    responses = [
        staff_client.get("/api/v1/orders/", {"page_size": 100}),
        staff_client.get(f"/api/v1/orders/{theirs['id']}/"),
        staff_client.get("/api/v1/payments/", {"page_size": 100}),
        staff_client.get("/api/v1/auth/me/"),
    ]

    secrets = [*User.objects.values_list("password", flat=True), PASSWORD, *HASH_PREFIXES]
    for response in responses:
        assert response.status_code == 200
        assert not [secret for secret in secrets if secret in response.content.decode()]


def test_the_sign_up_and_sign_in_responses_never_echo_the_password(anon_client):
    weak = anon_client.post("/api/v1/auth/register/", {"email": "a@b.com", "password": "abc"})
    created = anon_client.post(
        "/api/v1/auth/register/", {"email": "new@example.com", "password": PASSWORD}
    )
    signed_in = anon_client.post(
        "/api/v1/auth/token/", {"email": "new@example.com", "password": PASSWORD}
    )
    wrong = anon_client.post("/api/v1/auth/token/", {"email": "new@example.com", "password": "p"})

    assert [r.status_code for r in (weak, created, signed_in, wrong)] == [400, 201, 200, 401]
    hashed = User.objects.get(email="new@example.com").password
    for response in (weak, created, signed_in, wrong):
        text = response.content.decode()
        assert PASSWORD not in text
        assert hashed not in text
        assert '"abc"' not in text


@pytest.mark.parametrize(
    "extra",
    [
        {"status": "paid"},
        {"total": "0.01"},
        {"subtotal": "0.01"},
        {"currency": "EUR"},
        {"customer_id": 1},
        {"number": "ORD-0000000000"},
        {"events": [{"status": "delivered"}]},
    ],
    ids=lambda extra: next(iter(extra)),
)
def test_an_order_with_a_field_the_client_may_not_set_is_400_and_reserves_nothing(
    customer_client, shop, unchanged, extra
):
    body = {"items": [{"product_id": shop.products[0], "quantity": 1}], **extra}

    response = customer_client.post("/api/v1/orders/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == set(extra)


def test_an_order_line_cannot_bring_its_own_price(customer_client, shop, unchanged):
    item = {"product_id": shop.products[0], "quantity": 1, "unit_price": "0.01"}

    response = customer_client.post("/api/v1/orders/", {"items": [item]}, format="json")

    assert response.status_code == 400


@pytest.mark.parametrize(
    "field",
    [
        {"is_staff": True},
        {"is_superuser": True},
        {"is_active": False},
        {"email": "new@example.com"},
        {"password": "hijacked-passphrase-1"},
        {"id": 1},
    ],
    ids=lambda field: next(iter(field)),
)
def test_a_profile_change_of_a_field_only_the_shop_sets_is_400(
    customer_client, shop, unchanged, field
):
    response = customer_client.patch("/api/v1/auth/me/", field, format="json")

    assert response.status_code == 400
    assert set(response.json()) == set(field)


def test_signing_up_as_staff_is_400_and_creates_nobody(anon_client, db):
    response = anon_client.post(
        "/api/v1/auth/register/",
        {"email": "boss@example.com", "password": PASSWORD, "is_staff": True},
        format="json",
    )

    assert response.status_code == 400
    assert not User.objects.filter(email="boss@example.com").exists()


def test_the_amount_currency_and_status_a_payer_sends_are_refused(customer_client, shop):
    order_id = shop.orders["pending"]

    response = customer_client.post(
        "/api/v1/payments/",
        {
            "order_id": order_id,
            "token": "tok_visa",
            "amount": "0.01",
            "currency": "EUR",
            "status": "refunded",
        },
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"amount", "currency", "status"}
    assert not Payment.objects.filter(order_id=order_id).exists()
    assert order_total(order_id) == Decimal("27.00")


def test_the_payment_and_currency_a_refund_names_in_its_body_are_refused(staff_client, shop):
    payment_id = shop.payments["succeeded"]

    response = staff_client.post(
        f"/api/v1/payments/{payment_id}/refund/",
        {"amount": "1.00", "payment_id": shop.payments["processing"], "currency": "EUR"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"payment_id", "currency"}
    assert not Refund.objects.exists()


def test_a_products_id_timestamps_and_derived_fields_are_refused_on_write(staff_client, shop):
    product_id = shop.products[0]
    url = f"/api/v1/products/{product_id}/"
    product = staff_client.get(url).json()

    response = staff_client.patch(
        url,
        {
            "id": product_id + 100,
            "created_at": "2000-01-01T00:00:00Z",
            "in_stock": False,
            "currency": "EUR",
        },
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"id", "created_at", "in_stock", "currency"}
    after = staff_client.get(url).json()
    assert (after["created_at"], after["updated_at"], after["stock"], after["price"]) == (
        product["created_at"],
        product["updated_at"],
        product["stock"],
        product["price"],
    )
    assert catalog_services.get_products(ids=[product_id + 100]) == {}


def test_shipping_cannot_set_the_status(staff_client, shop, unchanged):
    response = staff_client.post(
        f"/api/v1/orders/{shop.orders['paid']}/ship/", {"status": "delivered"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"status"}
