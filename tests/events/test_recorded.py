"""Every change records exactly its event, in its own transaction, with the contract's data.

Given a change made through the public API (or a service), when it commits, then the outbox
holds one new row of its type whose data is what the API shows staff at that moment; when the
change fails or is rolled back, the outbox holds nothing new.
"""

import pytest

from catalog import services as catalog_services
from catalog.selectors import products_to_change
from kernel.models import OutboxEvent
from orders import services as order_services
from orders.dtos import OrderItem
from payments import services as payment_services
from tests.factories import ADDRESS
from tests.payments.support import PAYMENTS_URL, fail_refund, pay

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
PRODUCTS = "/api/v1/products/"


def recorded(after: int = 0) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(pk__gt=after).order_by("id"))


def last_id() -> int:
    return OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def placed(customer, customer_client, product):
    """An order the customer placed through the API (with an address), its id."""
    response = customer_client.post(
        ORDERS, {"items": [{"product_id": product.pk, "quantity": 2}], "shipping_address": ADDRESS}
    )
    assert response.status_code == 201
    return response.json()["id"]


def test_placing_an_order_records_order_placed_with_the_order_staff_read(
    customer_client, staff_client, product
):
    before = last_id()

    response = customer_client.post(ORDERS, {"items": [{"product_id": product.pk, "quantity": 2}]})

    (event,) = recorded(before)
    assert event.type == "order.placed"
    assert event.event_id.startswith("evt_")
    assert event.sent_at is None
    assert event.data == staff_client.get(f"{ORDERS}{response.json()['id']}/").json()


def test_paying_records_payment_succeeded_then_order_paid(customer_client, staff_client, placed):
    before = last_id()

    payment = pay(customer_client, placed).json()

    succeeded, paid = recorded(before)
    assert (succeeded.type, paid.type) == ("payment.succeeded", "order.paid")
    assert succeeded.data == staff_client.get(f"{PAYMENTS_URL}{payment['id']}/").json()
    assert paid.data == staff_client.get(f"{ORDERS}{placed}/").json()
    assert paid.data["status"] == "paid"


def test_a_declined_payment_records_payment_failed_only(customer_client, staff_client, placed):
    before = last_id()

    payment = pay(customer_client, placed, "tok_chargeDeclined").json()["payment"]

    (failed,) = recorded(before)
    assert failed.type == "payment.failed"
    assert failed.data == staff_client.get(f"{PAYMENTS_URL}{payment['id']}/").json()
    assert failed.data["status"] == "failed"


def test_shipping_records_order_shipped(customer_client, staff_client, placed):
    pay(customer_client, placed)
    before = last_id()

    staff_client.post(f"{ORDERS}{placed}/ship/", {"carrier": "UPS", "tracking_number": "1Z"})

    (event,) = recorded(before)
    assert event.type == "order.shipped"
    assert event.data == staff_client.get(f"{ORDERS}{placed}/").json()
    assert (event.data["carrier"], event.data["tracking_number"]) == ("UPS", "1Z")


def test_delivering_records_order_delivered(customer_client, staff_client, placed):
    pay(customer_client, placed)
    staff_client.post(f"{ORDERS}{placed}/ship/")
    before = last_id()

    staff_client.post(f"{ORDERS}{placed}/deliver/")

    (event,) = recorded(before)
    assert event.type == "order.delivered"
    assert event.data == staff_client.get(f"{ORDERS}{placed}/").json()
    assert [entry["status"] for entry in event.data["events"]] == [
        "pending",
        "paid",
        "shipped",
        "delivered",
    ]


def test_cancelling_a_paid_order_records_order_cancelled_then_payment_refunded(
    customer_client, staff_client, placed
):
    payment = pay(customer_client, placed).json()
    before = last_id()

    customer_client.post(f"{ORDERS}{placed}/cancel/")

    cancelled, refunded = recorded(before)
    assert (cancelled.type, refunded.type) == ("order.cancelled", "payment.refunded")
    assert cancelled.data == staff_client.get(f"{ORDERS}{placed}/").json()
    assert refunded.data == staff_client.get(f"{PAYMENTS_URL}{payment['id']}/").json()
    assert refunded.data["status"] == "refunded"


def test_a_full_refund_records_payment_refunded_and_no_order_event(
    customer_client, staff_client, placed
):
    """The order becomes `refunded`, which the contract gives no event of its own."""
    payment = pay(customer_client, placed).json()
    before = last_id()

    staff_client.post(f"{PAYMENTS_URL}{payment['id']}/refund/", {"amount": "5.00"})
    staff_client.post(f"{PAYMENTS_URL}{payment['id']}/refund/", {})

    partial, full = recorded(before)
    assert (partial.type, full.type) == ("payment.refunded", "payment.refunded")
    assert (partial.data["status"], partial.data["refunded_amount"]) == (
        "partially_refunded",
        "5.00",
    )
    assert full.data == staff_client.get(f"{PAYMENTS_URL}{payment['id']}/").json()


def test_a_change_that_fails_records_nothing(customer_client, staff_client, placed, product):
    before = last_id()

    short = customer_client.post(ORDERS, {"items": [{"product_id": product.pk, "quantity": 99}]})
    not_shippable = staff_client.post(f"{ORDERS}{placed}/ship/")

    assert (short.status_code, not_shippable.status_code) == (409, 409)
    assert recorded(before) == []


def test_a_cancellation_rolled_back_by_its_failed_refund_leaves_no_event(
    monkeypatch, customer, customer_client, placed
):
    pay(customer_client, placed)
    fail_refund(monkeypatch, TimeoutError("The provider did not answer."))
    before = last_id()

    with pytest.raises(Exception, match="provider"):
        order_services.cancel_order(order_id=placed, actor_id=customer.pk)

    assert recorded(before) == []


def test_a_refund_rolled_back_leaves_no_event(monkeypatch, customer_client, placed):
    payment = pay(customer_client, placed).json()
    fail_refund(monkeypatch, TimeoutError("The provider did not answer."))
    before = last_id()

    with pytest.raises(Exception, match="provider"):
        payment_services.refund_payment(payment_id=payment["id"])

    assert recorded(before) == []


def test_product_writes_record_created_updated_and_deleted(staff_client, make_category):
    category = make_category()
    before = last_id()

    created = staff_client.post(
        PRODUCTS,
        {"sku": "EVT-1", "name": "Event mug", "price": "9.50", "stock": 3, "category": category.pk},
    ).json()
    updated = staff_client.patch(f"{PRODUCTS}{created['id']}/", {"price": "11.00"}).json()
    staff_client.delete(f"{PRODUCTS}{created['id']}/")

    events = recorded(before)
    assert [event.type for event in events] == [
        "product.created",
        "product.updated",
        "product.deleted",
    ]
    assert events[0].data == created
    assert events[1].data == updated
    assert events[2].data == {"id": created["id"]}


def test_a_product_update_reports_the_stock_of_the_row_not_of_a_stale_instance(
    customer, make_product
):
    """An order reserved stock after the staff's copy was loaded; the event shows the row."""
    product = make_product(stock=10)
    stale = products_to_change().get(pk=product.pk)
    order_services.place_order(
        customer_id=customer.pk, items=[OrderItem(product_id=product.pk, quantity=4)]
    )
    before = last_id()

    catalog_services.update_product(product=stale, data={"name": "Renamed"})

    (event,) = recorded(before)
    assert (event.data["name"], event.data["stock"]) == ("Renamed", 6)


def test_deactivating_products_records_an_update_for_each_that_changed(make_product):
    active, already_inactive = make_product(), make_product(is_active=False)
    before = last_id()

    changed = catalog_services.set_products_active(
        product_ids=[active.pk, already_inactive.pk], is_active=False
    )

    (event,) = recorded(before)
    assert changed == 1
    assert (event.type, event.data["id"], event.data["is_active"]) == (
        "product.updated",
        active.pk,
        False,
    )


def test_deleting_a_category_records_an_update_for_each_of_its_products(
    make_category, make_product
):
    category = make_category()
    first, second = make_product(category=category), make_product(category=category)
    make_product()
    before = last_id()

    catalog_services.delete_category(category=category)

    events = recorded(before)
    assert [(event.type, event.data["id"]) for event in events] == [
        ("product.updated", first.pk),
        ("product.updated", second.pk),
    ]
    assert {event.data["category"] for event in events} == {None}
