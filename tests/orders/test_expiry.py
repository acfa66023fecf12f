"""Order expiry: a pending order shows when it expires, and once that has passed the shop
cancels it as `expired` (orders.services.expire_overdue_orders, run by the task
`orders.expire_orders`), returning its stock; orders in any other status are never touched.
How an order was cancelled is its `cancellation_reason`: `customer`, `staff` or `expired`.

The clock moves by the service's `now`, or, where the API must see an order as overdue, by
moving the order's times back (`tests.factories.make_overdue`).
"""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from orders.events import order_cancelled
from orders.models import Order
from orders.services import EXPIRED_NOTE, expire_overdue_orders
from orders.tasks import expire_orders
from tests.factories import make_overdue, order_status, stock_of

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
SECOND = timedelta(seconds=1)


def expires_at(order_id: int) -> datetime:
    return Order.objects.values_list("expires_at", flat=True).get(pk=order_id)


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_placed_order_is_due_within_the_payment_window(customer_client, product, settings):
    settings.ORDER_PAYMENT_WINDOW_SECONDS = 600

    order = customer_client.post(
        ORDERS, {"items": [{"product_id": product.id, "quantity": 1}]}
    ).json()

    assert order["status"] == "pending"
    assert parse(order["expires_at"]) - parse(order["created_at"]) == timedelta(seconds=600)
    assert order["cancellation_reason"] is None
    assert (
        customer_client.get(f"{ORDERS}{order['id']}/").json()["expires_at"] == (order["expires_at"])
    )


def test_the_default_payment_window_is_thirty_minutes(place, product):
    order = Order.objects.get(pk=place((product, 1)))

    assert order.expires_at - order.created_at == timedelta(minutes=30)


def test_an_overdue_order_is_cancelled_as_expired_and_its_stock_comes_back(
    customer_client, place, product
):
    order_id = place((product, 3))
    assert stock_of(product) == 7

    expired = expire_overdue_orders(now=expires_at(order_id) + SECOND)

    assert expired == 1
    order = customer_client.get(f"{ORDERS}{order_id}/").json()
    assert (order["status"], order["cancellation_reason"], order["expires_at"]) == (
        "cancelled",
        "expired",
        None,
    )
    assert [(event["status"], event["note"]) for event in order["events"]] == [
        ("pending", "Order placed."),
        ("cancelled", EXPIRED_NOTE),
    ]
    assert "expired" in EXPIRED_NOTE.lower()
    assert stock_of(product) == 10


def test_an_order_expires_at_the_very_moment_it_is_due(place, product):
    order_id = place((product, 1))

    assert expire_overdue_orders(now=expires_at(order_id)) == 1
    assert order_status(order_id) == "cancelled"


def test_an_order_not_yet_due_is_left_pending(place, product):
    order_id = place((product, 2))

    assert expire_overdue_orders(now=expires_at(order_id) - SECOND) == 0
    assert expire_overdue_orders() == 0

    assert order_status(order_id) == "pending"
    assert stock_of(product) == 8


def test_only_the_overdue_orders_expire(place, product):
    early, late = place((product, 1)), place((product, 1))
    make_overdue(early)

    assert expire_overdue_orders() == 1

    assert (order_status(early), order_status(late)) == ("cancelled", "pending")


@pytest.mark.parametrize("status", ["paid", "shipped", "delivered", "cancelled", "refunded"])
def test_an_order_no_longer_pending_never_expires(order_in, product, status):
    order_id = order_in(status)
    stock = stock_of(product)

    assert expire_overdue_orders(now=timezone.now() + timedelta(days=365)) == 0

    assert order_status(order_id) == status
    assert stock_of(product) == stock


def test_expiring_again_changes_nothing(place, product):
    order_id = place((product, 4))
    later = expires_at(order_id) + SECOND

    assert [expire_overdue_orders(now=later) for _ in range(3)] == [1, 0, 0]

    order = Order.objects.get(pk=order_id)
    assert order.events.filter(status="cancelled").count() == 1
    assert stock_of(product) == 10


def test_an_order_that_fails_to_expire_does_not_stop_the_others(place, product, caplog):
    first, failing, last = (place((product, 1)) for _ in range(3))

    def refuse(sender, *, order_id, **kwargs):
        if order_id == failing:
            raise RuntimeError("This receiver refuses.")

    order_cancelled.connect(refuse)
    try:
        expired = expire_overdue_orders(now=expires_at(last) + SECOND)
    finally:
        order_cancelled.disconnect(refuse)

    assert expired == 2
    assert [order_status(order_id) for order_id in (first, failing, last)] == [
        "cancelled",
        "pending",
        "cancelled",
    ]
    assert stock_of(product) == 9
    assert f"Expiring order {failing} failed" in caplog.text
    assert expire_overdue_orders(now=expires_at(failing) + SECOND) == 1


def test_the_task_expires_the_overdue_orders(place, product):
    order_id = place((product, 1))
    make_overdue(order_id)

    assert expire_orders.name == "orders.expire_orders"
    assert expire_orders.apply().get() == 1

    assert order_status(order_id) == "cancelled"


def test_the_owner_cancelling_is_a_customer_cancellation(customer_client, place, product):
    order_id = place((product, 1))

    order = customer_client.post(f"{ORDERS}{order_id}/cancel/").json()

    assert (order["status"], order["cancellation_reason"], order["expires_at"]) == (
        "cancelled",
        "customer",
        None,
    )


@pytest.mark.parametrize("status", ["pending", "paid"])
def test_staff_cancelling_is_a_staff_cancellation(staff_client, order_in, status):
    order_id = order_in(status)

    order = staff_client.post(f"{ORDERS}{order_id}/cancel/").json()

    assert (order["status"], order["cancellation_reason"]) == ("cancelled", "staff")
    assert order["events"][-1]["note"] == "Cancelled by the shop."


@pytest.mark.parametrize("status", ["paid", "shipped", "delivered", "refunded"])
def test_an_order_past_pending_shows_no_expiry_and_no_cancellation_reason(
    customer_client, order_in, status
):
    order = customer_client.get(f"{ORDERS}{order_in(status)}/").json()

    assert (order["status"], order["expires_at"], order["cancellation_reason"]) == (
        status,
        None,
        None,
    )


def test_the_list_filters_expired_orders_as_cancelled(customer_client, place, product):
    expired, pending = place((product, 1)), place((product, 1))
    make_overdue(expired)
    expire_overdue_orders()

    cancelled = customer_client.get(ORDERS, {"status": "cancelled"}).json()["results"]
    listed = {order["id"]: order for order in customer_client.get(ORDERS).json()["results"]}

    assert [(order["id"], order["cancellation_reason"]) for order in cancelled] == [
        (expired, "expired")
    ]
    assert listed[expired]["expires_at"] is None
    assert parse(listed[pending]["expires_at"]) == expires_at(pending)
