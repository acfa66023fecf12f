"""Guest orders: placed without a customer (`place_order(customer_id=None, email=...)`), opened
by their key in the `Order-Key` header and by nothing else.

The key is answered once, by `place_order`; the database keeps only its SHA-256. With it anyone
may read the order and cancel it while pending; without it, with a wrong one or with another
order's, the order is 404, as any order not one's own. A response to a request carrying the key
is `Cache-Control: no-store`.
"""

import hashlib
import json

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from kernel import consumers
from kernel.api.throttling import ScopedRateThrottle
from orders import services
from orders.dtos import OrderItem
from orders.exceptions import InvalidOrder, OrderNotFound
from orders.models import Order
from tests.emails import recorded_events

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
GUEST_EMAIL = "robin@example.com"


def detail(order_id: int) -> str:
    return f"{ORDERS}{order_id}/"


def cancel(order_id: int) -> str:
    return f"{ORDERS}{order_id}/cancel/"


@pytest.fixture
def place_guest(product):
    """Place a guest order of one `product`; its `OrderSummary` (with the key)."""

    def place(email: str = GUEST_EMAIL):
        return services.place_order(
            customer_id=None, email=email, items=[OrderItem(product_id=product.pk, quantity=1)]
        )

    return place


@pytest.fixture
def guest(place_guest):
    return place_guest()


def key_header(key: str) -> dict:
    return {"Order-Key": key}


# Placing.


def test_a_guest_order_has_no_customer_and_answers_its_key_once(guest):
    assert isinstance(guest.order_key, str)
    assert len(guest.order_key) >= 43  # 32 random bytes, URL-safe base64
    order = Order.objects.get(pk=guest.id)
    assert order.customer_id is None
    assert order.email == GUEST_EMAIL
    assert order.key_hash == hashlib.sha256(guest.order_key.encode()).hexdigest()
    assert services.get_order_summary(order_id=guest.id).order_key is None


def test_the_key_is_stored_only_hashed(guest):
    row = Order.objects.filter(pk=guest.id).values().get()
    assert guest.order_key not in json.dumps(row, default=str)


def test_each_guest_order_gets_its_own_key(place_guest):
    first, second = place_guest(), place_guest()
    assert first.order_key != second.order_key


def test_a_customer_order_has_no_key(customer, product):
    placed = services.place_order(
        customer_id=customer.pk, items=[OrderItem(product_id=product.pk, quantity=1)]
    )
    assert placed.order_key is None
    assert Order.objects.get(pk=placed.id).key_hash is None


def test_a_guest_order_needs_an_email(product):
    with pytest.raises(InvalidOrder) as error:
        services.place_order(customer_id=None, items=[OrderItem(product_id=product.pk, quantity=1)])
    assert "email" in str(error.value.detail)
    assert not Order.objects.exists()


def test_the_database_refuses_an_order_with_neither_customer_nor_key(guest):
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=guest.id).update(key_hash=None)


def test_the_database_refuses_an_order_with_both_customer_and_key(guest, customer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=guest.id).update(customer=customer)


# Reading.


def test_the_key_reads_the_order(anon_client, guest):
    response = anon_client.get(detail(guest.id), headers=key_header(guest.order_key))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == guest.id
    assert body["customer_id"] is None
    assert body["email"] == GUEST_EMAIL
    assert "no-store" in response["Cache-Control"]
    assert guest.order_key not in response.content.decode()


@pytest.mark.parametrize("key", ["wrong", "x" * 43])
def test_a_wrong_key_is_404(anon_client, guest, key):
    assert anon_client.get(detail(guest.id), headers=key_header(key)).status_code == 404


def test_an_empty_key_is_no_key(anon_client, guest):
    assert anon_client.get(detail(guest.id), headers=key_header("")).status_code == 401


def test_a_wrong_key_is_404_and_no_store(anon_client, guest):
    response = anon_client.get(detail(guest.id), headers=key_header("wrong"))
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]


def test_without_a_key_a_guest_order_needs_a_sign_in(anon_client, guest):
    assert anon_client.get(detail(guest.id)).status_code == 401


def test_another_orders_key_is_404(anon_client, place_guest):
    first, second = place_guest(), place_guest()
    response = anon_client.get(detail(second.id), headers=key_header(first.order_key))
    assert response.status_code == 404


def test_a_key_for_a_missing_order_is_404(anon_client, guest):
    response = anon_client.get(detail(guest.id + 1000), headers=key_header(guest.order_key))
    assert response.status_code == 404


def test_the_key_in_the_query_string_is_refused(anon_client, guest):
    response = anon_client.get(detail(guest.id), {"order_key": guest.order_key})
    assert response.status_code == 401
    with_a_header = anon_client.get(
        detail(guest.id), {"order_key": guest.order_key}, headers=key_header("wrong")
    )
    assert with_a_header.status_code == 400
    assert "order_key" in with_a_header.json()
    assert guest.order_key not in with_a_header.content.decode()


def test_a_customer_cannot_see_a_guest_order_without_its_key(customer_client, guest):
    assert customer_client.get(detail(guest.id)).status_code == 404


def test_a_customer_with_one_guest_key_cannot_see_another_guest_order(customer_client, place_guest):
    first, second = place_guest(), place_guest()
    response = customer_client.get(detail(second.id), headers=key_header(first.order_key))
    assert response.status_code == 404


def test_a_guest_key_does_not_open_another_customers_order(
    customer_client, other_customer, make_order, product, guest
):
    theirs = make_order(other_customer, items=[(product, 1)])
    response = customer_client.get(detail(theirs), headers=key_header(guest.order_key))
    assert response.status_code == 404


def test_a_customer_still_reads_their_own_order_while_sending_a_key(
    customer_client, customer, make_order, product, guest
):
    mine = make_order(customer, items=[(product, 1)])
    response = customer_client.get(detail(mine), headers=key_header(guest.order_key))
    assert response.status_code == 200
    assert response.json()["customer_id"] == customer.pk


def test_staff_see_a_guest_order(staff_client, guest):
    response = staff_client.get(detail(guest.id))
    assert response.status_code == 200
    assert response.json()["customer_id"] is None


def test_staff_list_guest_orders_and_customers_do_not_see_them(
    staff_client, customer_client, guest
):
    staff_ids = [order["id"] for order in staff_client.get(ORDERS).json()["results"]]
    assert guest.id in staff_ids
    customer_ids = [order["id"] for order in customer_client.get(ORDERS).json()["results"]]
    assert guest.id not in customer_ids


def test_the_key_does_not_list_orders(anon_client, guest):
    assert anon_client.get(ORDERS, headers=key_header(guest.order_key)).status_code == 401


def test_the_key_does_not_ship_an_order(anon_client, guest):
    response = anon_client.post(
        f"{detail(guest.id)}ship/",
        {"carrier": "DHL", "tracking_number": "1"},
        format="json",
        headers=key_header(guest.order_key),
    )
    assert response.status_code == 401


# Cancelling.


def test_the_key_cancels_a_pending_order(anon_client, guest):
    response = anon_client.post(cancel(guest.id), headers=key_header(guest.order_key))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["cancellation_reason"] == "customer"
    assert "no-store" in response["Cache-Control"]
    assert guest.order_key not in response.content.decode()


def test_a_wrong_key_cancels_nothing(anon_client, place_guest):
    first, second = place_guest(), place_guest()
    response = anon_client.post(cancel(second.id), headers=key_header(first.order_key))
    assert response.status_code == 404
    assert Order.objects.get(pk=second.id).status == "pending"


def test_without_a_key_nobody_but_staff_cancels_a_guest_order(anon_client, customer_client, guest):
    assert anon_client.post(cancel(guest.id)).status_code == 401
    assert customer_client.post(cancel(guest.id)).status_code == 404
    assert Order.objects.get(pk=guest.id).status == "pending"


def test_the_key_cancels_only_while_pending(anon_client, guest):
    services.mark_paid(order_id=guest.id)
    response = anon_client.post(cancel(guest.id), headers=key_header(guest.order_key))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert Order.objects.get(pk=guest.id).status == "paid"


def test_staff_cancel_a_guest_order_as_the_shop(staff_client, guest):
    response = staff_client.post(cancel(guest.id))
    assert response.status_code == 200
    assert response.json()["cancellation_reason"] == "staff"


def test_cancel_order_without_an_actor_refuses_a_customers_order(customer, product):
    placed = services.place_order(
        customer_id=customer.pk, items=[OrderItem(product_id=product.pk, quantity=1)]
    )
    with pytest.raises(OrderNotFound):
        services.cancel_order(order_id=placed.id, actor_id=None)
    assert Order.objects.get(pk=placed.id).status == "pending"


# The key as a service.


def test_order_key_matches_only_its_order(place_guest, customer, product):
    first, second = place_guest(), place_guest()
    mine = services.place_order(
        customer_id=customer.pk, items=[OrderItem(product_id=product.pk, quantity=1)]
    )
    assert services.order_key_matches(order_id=first.id, key=first.order_key)
    assert not services.order_key_matches(order_id=second.id, key=first.order_key)
    assert not services.order_key_matches(order_id=mine.id, key=first.order_key)
    assert not services.order_key_matches(order_id=first.id, key=None)
    assert not services.order_key_matches(order_id=first.id + 1000, key=first.order_key)


# Emails and the admin.


def test_a_guest_orders_email_goes_to_the_orders_email(guest):
    (event,) = recorded_events("order.placed", guest.id)
    assert consumers.consume(consumer="orders.emails", event=event)
    (email,) = mail.outbox
    assert email.to == [GUEST_EMAIL]
    assert guest.order_key not in email.body


def test_the_admin_shows_guest_for_a_guest_order(admin_client, guest):
    listing = admin_client.get("/admin/orders/order/").content.decode()
    assert ">guest<" in listing
    page = admin_client.get(f"/admin/orders/order/{guest.id}/change/").content.decode()
    assert '<div class="readonly">guest</div>' in page
    assert guest.order_key not in page


# Throttling.


def test_requests_with_a_key_are_throttled_per_client(anon_client, guest, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"order_key": "2/min"})
    for _ in range(2):
        assert anon_client.get(detail(guest.id), headers=key_header("wrong")).status_code == 404
    refused = anon_client.get(detail(guest.id), headers=key_header(guest.order_key))
    assert refused.status_code == 429
    # Without the header nothing is counted: the answer is the usual one.
    assert anon_client.get(detail(guest.id)).status_code == 401
