"""Carts through the API: the contract's rows (docs/API.md "Carts and checkout"), who may use
a cart (its owner; a guest cart anyone holding its id; another user's is 404) and the claim."""

import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.throttling import SimpleRateThrottle

from checkout import selectors, services
from checkout.exceptions import CartNotFound, InvalidValue
from kernel.api.serializers import UNKNOWN_FIELD
from tests.checkout.carts import CARTS, add_line, new_cart

pytestmark = pytest.mark.django_db

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "1 Main St",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "de",
}
CART_KEYS = {
    "id",
    "email",
    "lines",
    "shipping_address",
    "shipping_method",
    "voucher_code",
    "subtotal",
    "discount_total",
    "shipping_total",
    "tax_total",
    "total",
    "currency",
    "created_at",
    "updated_at",
}
LINE_KEYS = {
    "id",
    "product_id",
    "variant_id",
    "sku",
    "name",
    "variant_name",
    "unit_price",
    "quantity",
    "line_total",
    "available",
}


def test_a_guest_creates_an_empty_cart_with_a_random_id(anon_client):
    response = anon_client.post(CARTS, {"email": "guest@example.com"}, format="json")

    assert response.status_code == 201
    cart = response.json()
    assert set(cart) == CART_KEYS
    assert uuid.UUID(cart["id"]).version == 4
    assert cart["email"] == "guest@example.com"
    assert cart["lines"] == []
    assert (cart["shipping_address"], cart["shipping_method"], cart["voucher_code"]) == (
        None,
        None,
        None,
    )
    assert [cart[key] for key in ("subtotal", "discount_total", "shipping_total")] == ["0.00"] * 3
    assert (cart["tax_total"], cart["total"], cart["currency"]) == ("0.00", "0.00", "USD")


def test_a_cart_without_an_email_has_none(anon_client):
    assert new_cart(anon_client)["email"] is None


def test_the_full_cart_shape_and_money_strings(anon_client, product):
    cart = new_cart(anon_client)

    response = add_line(anon_client, cart["id"], product_id=product.id, quantity=3)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == CART_KEYS
    [line] = body["lines"]
    assert set(line) == LINE_KEYS
    assert line["product_id"] == product.id
    assert (line["sku"], line["name"], line["variant_name"]) == (product.sku, "Blue mug", "")
    assert (line["unit_price"], line["quantity"], line["line_total"]) == ("12.50", 3, "37.50")
    assert line["available"] is True
    assert (body["subtotal"], body["total"]) == ("37.50", "37.50")


@pytest.mark.parametrize(
    "body",
    [{"emali": "a@example.com"}, {"email": 5}, {"email": "not-an-email"}, {"customer": 1}],
)
def test_creating_a_cart_refuses_bad_bodies(anon_client, body):
    response = anon_client.post(CARTS, body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == set(body)


def test_an_unknown_key_is_named(anon_client):
    response = anon_client.post(CARTS, {"emali": "a@example.com"}, format="json")

    assert response.json() == {"emali": [UNKNOWN_FIELD]}


def test_a_signed_in_callers_cart_is_theirs(customer_client, anon_client, other_client):
    cart = new_cart(customer_client)

    assert customer_client.get(f"{CARTS}{cart['id']}/").status_code == 200
    assert anon_client.get(f"{CARTS}{cart['id']}/").status_code == 404
    assert other_client.get(f"{CARTS}{cart['id']}/").status_code == 404


def test_a_guest_cart_is_anyones_who_holds_its_id(anon_client, customer_client, product):
    cart = new_cart(anon_client)
    add_line(anon_client, cart["id"], product_id=product.id, quantity=1)

    for client in (anon_client, customer_client):
        response = client.get(f"{CARTS}{cart['id']}/")
        assert response.status_code == 200
        assert len(response.json()["lines"]) == 1
    # A signed-in user may use a guest cart without claiming it; it stays a guest cart.
    assert (
        add_line(customer_client, cart["id"], product_id=product.id, quantity=1).status_code == 201
    )
    assert anon_client.get(f"{CARTS}{cart['id']}/").json()["lines"][0]["quantity"] == 2


def test_an_unknown_cart_is_404(anon_client):
    response = anon_client.get(f"{CARTS}{uuid.uuid4()}/")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_a_cart_id_that_is_not_a_uuid_matches_no_route(anon_client):
    assert anon_client.get(f"{CARTS}123/").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "", None),
        ("patch", "", {"email": "x@example.com"}),
        ("post", "lines/", {"variant_id": 1, "quantity": 1}),
        ("get", "shipping-methods/", None),
        ("post", "voucher/", {"code": "X"}),
        ("delete", "voucher/", None),
        ("post", "claim/", None),
    ],
)
def test_another_users_cart_is_404_on_every_route(
    customer_client, other_client, method, path, body
):
    cart = new_cart(customer_client)

    response = getattr(other_client, method)(f"{CARTS}{cart['id']}/{path}", body, format="json")

    assert response.status_code == 404


@pytest.mark.parametrize(("method", "body"), [("patch", {"quantity": 2}), ("delete", None)])
def test_another_users_cart_line_is_404(customer_client, other_client, product, method, body):
    cart = new_cart(customer_client)
    line_id = add_line(customer_client, cart["id"], product_id=product.id, quantity=1).json()[
        "lines"
    ][0]["id"]

    response = getattr(other_client, method)(
        f"{CARTS}{cart['id']}/lines/{line_id}/", body, format="json"
    )

    assert response.status_code == 404
    assert customer_client.get(f"{CARTS}{cart['id']}/").json()["lines"][0]["quantity"] == 1


# PATCH carts/{id}/.


def test_patching_a_cart_sets_its_email_and_address(anon_client):
    cart = new_cart(anon_client)

    response = anon_client.patch(
        f"{CARTS}{cart['id']}/",
        {"email": "ada@example.com", "shipping_address": ADDRESS},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "ada@example.com"
    assert body["shipping_address"] == {
        **ADDRESS,
        "country": "DE",
        "line2": "",
        "region": "",
        "phone": "",
    }
    assert body["updated_at"] > cart["updated_at"]


def test_patching_with_null_clears_the_email_and_the_address(anon_client):
    cart = new_cart(anon_client, email="ada@example.com")
    anon_client.patch(f"{CARTS}{cart['id']}/", {"shipping_address": ADDRESS}, format="json")

    response = anon_client.patch(
        f"{CARTS}{cart['id']}/", {"email": None, "shipping_address": None}, format="json"
    )

    assert (response.json()["email"], response.json()["shipping_address"]) == (None, None)


@pytest.mark.parametrize(
    "body",
    [
        {"id": str(uuid.uuid4())},
        {"lines": []},
        {"voucher_code": "X"},
        {"email": ["a@example.com"]},
        {"shipping_address": {**ADDRESS, "country": "XX"}},
        {"shipping_address": {**ADDRESS, "planet": "Earth"}},
        {"shipping_address": {"name": "Ada"}},
        {"shipping_address": "1 Main St"},
        {"shipping_method": 5},
    ],
)
def test_patching_a_cart_refuses_bad_bodies(anon_client, body):
    cart = new_cart(anon_client)

    response = anon_client.patch(f"{CARTS}{cart['id']}/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == set(body)


def test_creating_carts_is_throttled_per_client(anon_client, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"cart_creation": "2/min"})

    statuses = [anon_client.post(CARTS, {}, format="json").status_code for _ in range(3)]

    assert statuses == [201, 201, 429]


def test_a_carts_other_writes_are_not_throttled_with_its_creation(
    anon_client, product, monkeypatch
):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"cart_creation": "1/min"})
    cart = new_cart(anon_client)

    statuses = {
        add_line(anon_client, cart["id"], product_id=product.id, quantity=1).status_code
        for _ in range(3)
    }

    assert statuses == {201}


# Claim.


def test_claiming_a_guest_cart_makes_it_the_callers(anon_client, customer_client, product):
    cart = new_cart(anon_client)
    add_line(anon_client, cart["id"], product_id=product.id, quantity=2)

    response = customer_client.post(f"{CARTS}{cart['id']}/claim/")

    assert response.status_code == 200
    assert response.json()["lines"][0]["quantity"] == 2
    # Now theirs: the id alone no longer opens it.
    assert anon_client.get(f"{CARTS}{cart['id']}/").status_code == 404
    assert customer_client.get(f"{CARTS}{cart['id']}/").status_code == 200


def test_claiming_ones_own_cart_changes_nothing(customer_client):
    cart = new_cart(customer_client)

    response = customer_client.post(f"{CARTS}{cart['id']}/claim/")

    assert response.status_code == 200
    assert response.json()["id"] == cart["id"]


def test_a_claimed_cart_is_404_to_another_claimer(anon_client, customer_client, other_client):
    cart = new_cart(anon_client)
    customer_client.post(f"{CARTS}{cart['id']}/claim/")

    response = other_client.post(f"{CARTS}{cart['id']}/claim/")

    assert response.status_code == 404
    assert customer_client.get(f"{CARTS}{cart['id']}/").status_code == 200


def test_claiming_needs_a_signed_in_user(anon_client):
    cart = new_cart(anon_client)

    assert anon_client.post(f"{CARTS}{cart['id']}/claim/").status_code == 401


def test_claiming_takes_no_body(anon_client, customer_client):
    cart = new_cart(anon_client)

    response = customer_client.post(f"{CARTS}{cart['id']}/claim/", {"user": 1}, format="json")

    assert response.status_code == 400
    assert anon_client.get(f"{CARTS}{cart['id']}/").status_code == 200


def test_claiming_an_unknown_cart_is_404(customer_client):
    assert customer_client.post(f"{CARTS}{uuid.uuid4()}/claim/").status_code == 404


def test_the_claim_service_refuses_another_users_cart(customer, other_customer):
    cart = services.create_cart(customer_id=customer.pk)

    with pytest.raises(CartNotFound):
        services.claim_cart(cart_id=cart.pk, customer_id=other_customer.pk)


def test_a_change_made_since_the_cart_was_read_is_not_written_back():
    cart = services.create_cart(customer_id=None)
    stale = selectors.cart_for(cart_id=cart.pk, user=AnonymousUser())
    services.update_cart(cart=cart, data={"email": "ada@example.com"})

    services.update_cart(cart=stale, data={"shipping_address": ADDRESS})

    fresh = selectors.cart_for(cart_id=cart.pk, user=AnonymousUser())
    assert (fresh.email, fresh.shipping_address["country"]) == ("ada@example.com", "DE")


def test_the_services_refuse_what_the_api_would():
    cart = services.create_cart(customer_id=None)

    with pytest.raises(InvalidValue):
        services.update_cart(cart=cart, data={"email": "nope"})
    with pytest.raises(InvalidValue):
        services.update_cart(cart=cart, data={"shipping_address": {**ADDRESS, "country": "ZZ"}})
    with pytest.raises(TypeError):
        services.update_cart(cart=cart, data={"voucher": "X"})
    with pytest.raises(InvalidValue):
        services.add_line(cart=cart, variant_id=1, quantity=Decimal(1))
