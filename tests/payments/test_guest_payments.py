"""Paying a guest order with its `Order-Key`, and listing its payments with it.

`POST payments/` with the order's key (and no sign-in) charges the order's amount as for a
customer; `GET payments/?order=<id>` with the key lists that order's payments. A wrong key,
another order's key or no key is 404 and charges nothing; the key opens nothing else of
payments. Responses are `Cache-Control: no-store`.
"""

from decimal import Decimal

import pytest
from django.core import mail

from kernel import consumers
from orders import services as order_services
from orders.dtos import OrderItem
from orders.exceptions import OrderNotFound
from payments import services
from payments.models import Payment
from tests.emails import recorded_events
from tests.factories import order_status
from tests.payments.support import PAYMENTS_URL, pay, sandbox_charge_count

pytestmark = pytest.mark.django_db

GUEST_EMAIL = "robin@example.com"


@pytest.fixture
def place_guest(teapot):
    """Place a guest order of two teapots (25.00); its `OrderSummary` (with the key)."""

    def place():
        return order_services.place_order(
            customer_id=None,
            email=GUEST_EMAIL,
            items=[OrderItem(product_id=teapot.pk, quantity=2)],
        )

    return place


@pytest.fixture
def guest(place_guest):
    return place_guest()


def key_header(key: str) -> dict:
    return {"Order-Key": key}


def test_the_key_pays_the_order(anon_client, guest):
    response = pay(anon_client, guest.id, **key_header(guest.order_key))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["amount"] == "25.00"
    assert "no-store" in response["Cache-Control"]
    assert guest.order_key not in response.content.decode()
    assert order_status(guest.id) == "paid"
    payment = Payment.objects.get(order_id=guest.id)
    assert payment.customer_id is None
    assert payment.amount == Decimal("25.00")


def test_a_wrong_key_pays_nothing(anon_client, guest):
    response = pay(anon_client, guest.id, **key_header("wrong"))
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
    assert sandbox_charge_count() == 0
    assert order_status(guest.id) == "pending"


def test_another_orders_key_pays_nothing(anon_client, place_guest):
    first, second = place_guest(), place_guest()
    assert pay(anon_client, second.id, **key_header(first.order_key)).status_code == 404
    assert sandbox_charge_count() == 0
    assert order_status(second.id) == "pending"


def test_without_a_key_a_guest_order_is_not_paid(anon_client, customer_client, guest):
    assert pay(anon_client, guest.id).status_code == 401
    assert pay(customer_client, guest.id).status_code == 404
    assert sandbox_charge_count() == 0


def test_the_key_in_the_body_or_query_string_is_not_read(anon_client, customer_client, guest):
    in_body = customer_client.post(
        PAYMENTS_URL,
        {"order_id": guest.id, "token": "tok_visa", "order_key": guest.order_key},
        format="json",
    )
    assert in_body.status_code == 400
    in_query = customer_client.post(
        f"{PAYMENTS_URL}?order_key={guest.order_key}",
        {"order_id": guest.id, "token": "tok_visa"},
        format="json",
    )
    assert in_query.status_code == 404
    assert sandbox_charge_count() == 0


def test_a_guest_key_does_not_pay_a_customers_order(anon_client, customer, place_order, guest):
    theirs = place_order(customer)
    assert pay(anon_client, theirs, **key_header(guest.order_key)).status_code == 404
    assert order_status(theirs) == "pending"


def test_a_customer_still_pays_their_own_order_while_sending_a_key(
    customer_client, order_id, guest
):
    response = pay(customer_client, order_id, **key_header(guest.order_key))
    assert response.status_code == 201
    assert order_status(order_id) == "paid"
    assert order_status(guest.id) == "pending"


def test_a_declined_guest_payment_can_be_retried(anon_client, guest):
    declined = pay(anon_client, guest.id, "tok_chargeDeclined", **key_header(guest.order_key))
    assert declined.status_code == 402
    retried = pay(anon_client, guest.id, **key_header(guest.order_key))
    assert retried.status_code == 201
    assert order_status(guest.id) == "paid"


def test_a_paid_guest_order_is_not_paid_twice(anon_client, guest):
    assert pay(anon_client, guest.id, **key_header(guest.order_key)).status_code == 201
    again = pay(anon_client, guest.id, **key_header(guest.order_key))
    assert again.status_code == 409
    assert again.json()["code"] == "order_not_payable"
    assert sandbox_charge_count() == 1


def test_the_key_lists_the_orders_payments(anon_client, guest, place_guest):
    other = place_guest()
    pay(anon_client, guest.id, **key_header(guest.order_key))
    pay(anon_client, other.id, **key_header(other.order_key))
    response = anon_client.get(
        PAYMENTS_URL, {"order": guest.id}, headers=key_header(guest.order_key)
    )
    assert response.status_code == 200
    assert [payment["order_id"] for payment in response.json()["results"]] == [guest.id]
    assert "no-store" in response["Cache-Control"]
    assert guest.order_key not in response.content.decode()


@pytest.mark.parametrize("key", ["wrong", "other"])
def test_a_wrong_key_lists_nothing(anon_client, guest, place_guest, key):
    other = place_guest()
    pay(anon_client, guest.id, **key_header(guest.order_key))
    presented = other.order_key if key == "other" else key
    response = anon_client.get(PAYMENTS_URL, {"order": guest.id}, headers=key_header(presented))
    assert response.status_code == 404


def test_the_key_without_an_order_lists_nothing(anon_client, guest):
    pay(anon_client, guest.id, **key_header(guest.order_key))
    response = anon_client.get(PAYMENTS_URL, headers=key_header(guest.order_key))
    assert response.status_code == 404


def test_a_customer_does_not_list_a_guest_orders_payments(anon_client, customer_client, guest):
    pay(anon_client, guest.id, **key_header(guest.order_key))
    response = customer_client.get(PAYMENTS_URL, {"order": guest.id})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_key_opens_no_payment_by_id(anon_client, guest):
    paid = pay(anon_client, guest.id, **key_header(guest.order_key)).json()
    response = anon_client.get(f"{PAYMENTS_URL}{paid['id']}/", headers=key_header(guest.order_key))
    assert response.status_code == 401


def test_staff_see_a_guest_orders_payments(staff_client, anon_client, guest):
    pay(anon_client, guest.id, **key_header(guest.order_key))
    response = staff_client.get(PAYMENTS_URL, {"order": guest.id})
    assert [payment["order_id"] for payment in response.json()["results"]] == [guest.id]


def test_pay_order_with_a_wrong_key_is_not_found(guest, place_guest):
    other = place_guest()
    with pytest.raises(OrderNotFound):
        services.pay_order(order_id=guest.id, order_key=other.order_key, token="tok_visa")
    assert sandbox_charge_count() == 0


def test_a_guest_refund_is_emailed_to_the_orders_email(staff_client, anon_client, guest):
    paid = pay(anon_client, guest.id, **key_header(guest.order_key)).json()
    refunded = staff_client.post(f"{PAYMENTS_URL}{paid['id']}/refund/", {}, format="json")
    assert refunded.status_code == 201
    (event,) = recorded_events("payment.refunded", paid["id"])
    mail.outbox.clear()
    assert consumers.consume(consumer="payments.emails", event=event)
    (email,) = mail.outbox
    assert email.to == [GUEST_EMAIL]
