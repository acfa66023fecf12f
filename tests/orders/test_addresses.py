"""Shipping addresses: the contract's address (name, line1, city, postal code and an ISO 3166-1
country required), and no shipping without one."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from orders import services
from orders.exceptions import InvalidTransition, ShippingAddressMissing
from orders.models import Order, OrderEvent
from tests.conftest import client_for
from tests.factories import ADDRESS

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
REQUIRED = ["name", "line1", "city", "postal_code", "country"]


@pytest.fixture
def superuser(make_user):
    return make_user(is_staff=True, is_superuser=True)


def _place(client, product, address):
    return client.post(
        ORDERS,
        {"items": [{"product_id": product.pk, "quantity": 1}], "shipping_address": address},
        format="json",
    )


def _snapshot(order_id: int) -> tuple:
    order = Order.objects.get(pk=order_id)
    events = list(OrderEvent.objects.filter(order_id=order_id).values_list("status", flat=True))
    return order.status, order.carrier, order.tracking_number, order.updated_at, events


def test_an_empty_address_is_400_naming_every_required_field(customer_client, product):
    response = _place(customer_client, product, {})

    assert response.status_code == 400
    assert sorted(response.json()["shipping_address"]) == sorted(REQUIRED)
    assert not Order.objects.exists()


@pytest.mark.parametrize("field", REQUIRED)
@pytest.mark.parametrize("absent", ["missing", "blank", "spaces", "null"])
def test_each_required_field_must_be_given(customer_client, product, field, absent):
    address = {**ADDRESS, field: {"blank": "", "spaces": "   ", "null": None}.get(absent)}
    if absent == "missing":
        del address[field]

    response = _place(customer_client, product, address)

    assert response.status_code == 400
    assert list(response.json()["shipping_address"]) == [field]
    assert not Order.objects.exists()


def test_the_optional_fields_are_blank_when_absent(customer_client, product):
    address = {name: ADDRESS[name] for name in REQUIRED}

    response = _place(customer_client, product, address)

    assert response.status_code == 201
    assert response.json()["shipping_address"] == {
        **address,
        "line2": "",
        "region": "",
        "phone": "",
    }


@pytest.mark.parametrize(("given", "stored"), [("us", "US"), ("Gb", "GB"), ("SS", "SS")])
def test_a_country_code_is_stored_upper_case(customer_client, product, given, stored):
    response = _place(customer_client, product, {**ADDRESS, "country": given})

    assert response.status_code == 201
    assert response.json()["shipping_address"]["country"] == stored
    assert Order.objects.get().shipping_address["country"] == stored


@pytest.mark.parametrize("country", ["XX", "UK", "USA", "U", "", "1", "ÜS", 840])
def test_a_country_that_is_not_an_iso_3166_alpha_2_code_is_400(customer_client, product, country):
    response = _place(customer_client, product, {**ADDRESS, "country": country})

    assert response.status_code == 400
    assert list(response.json()["shipping_address"]) == ["country"]
    assert not Order.objects.exists()


def test_an_order_may_be_placed_without_an_address(customer_client, product):
    response = customer_client.post(
        ORDERS, {"items": [{"product_id": product.pk, "quantity": 1}]}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["shipping_address"] is None


def test_shipping_an_order_without_an_address_is_409_and_changes_nothing(place, product, superuser):
    order_id = place((product, 1), shipping_address=None)
    services.mark_paid(order_id=order_id)
    before = _snapshot(order_id)

    response = client_for(superuser).post(
        f"{ORDERS}{order_id}/ship/", {"carrier": "DHL"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "shipping_address_missing"
    assert response.json()["missing_fields"] == REQUIRED
    assert _snapshot(order_id) == before


def test_an_order_without_an_address_can_still_be_cancelled(place, product, customer_client):
    order_id = place((product, 1), shipping_address=None)
    services.mark_paid(order_id=order_id)

    response = customer_client.post(f"{ORDERS}{order_id}/cancel/", format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_a_pending_order_without_an_address_is_refused_for_its_status_first(place, product):
    order_id = place((product, 1), shipping_address=None)

    with pytest.raises(InvalidTransition):
        services.ship_order(order_id=order_id)


def test_an_incomplete_stored_address_cannot_be_shipped(place, product):
    order_id = place((product, 1), shipping_address={"name": "Casey", "country": "FR"})
    services.mark_paid(order_id=order_id)

    with pytest.raises(ShippingAddressMissing) as raised:
        services.ship_order(order_id=order_id, carrier="DHL")

    assert raised.value.extra == {"missing_fields": ["line1", "city", "postal_code"]}
    assert Order.objects.get(pk=order_id).status == "paid"


def test_an_order_with_an_address_ships(place, product, superuser):
    order_id = place((product, 1))
    services.mark_paid(order_id=order_id)

    response = client_for(superuser).post(f"{ORDERS}{order_id}/ship/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "shipped"


def test_the_admin_says_why_an_order_without_an_address_was_not_shipped(place, product, superuser):
    order_id = place((product, 1), shipping_address=None)
    services.mark_paid(order_id=order_id)
    client = Client()
    client.force_login(superuser)

    response = client.post(
        reverse("admin:orders_order_changelist"),
        {
            "action": "ship_orders",
            ACTION_CHECKBOX_NAME: [order_id],
            "apply": "yes",
            "ship-TOTAL_FORMS": "1",
            "ship-INITIAL_FORMS": "1",
            "ship-0-order_id": str(order_id),
            "ship-0-carrier": "DHL",
            "ship-0-tracking_number": "",
        },
    )

    assert response.status_code == 302
    number = Order.objects.get(pk=order_id).number
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        f"{number}: The order has no complete shipping address "
        "(missing: name, line1, city, postal_code, country)."
    ]
    assert Order.objects.get(pk=order_id).status == "paid"


def test_the_schema_documents_the_409_of_shipping_without_an_address(anon_client):
    schema = anon_client.get("/api/v1/schema/?format=json").json()

    ship = schema["paths"]["/api/v1/orders/{id}/ship/"]["post"]
    assert "shipping_address_missing" in ship["responses"]["409"]["description"]
