"""The customer's emails about an order, sent by the worker as the consumer `orders.emails` of
the order's events: the confirmation on `order.placed` (lines, totals, address), the shipping
notice on `order.shipped` (carrier, tracking number), and on `order.cancelled` the cancellation
or, for an order the shop cancelled because it was not paid in time, the expiry. Each is plain
text with an HTML alternative; consuming an event twice sends one email; a mail server that
refuses leaves the event unconsumed, so the task's retry sends it.

Each test drives a real flow (the API or the services), then hands the event the outbox holds
to the consumer, as the worker does.
"""

import smtplib
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from kernel import consumers
from kernel.consumers import Event
from orders import services as order_services
from tests.emails import assert_a_refusal_is_retried, only_email, recorded_events
from tests.factories import ADDRESS, CARRIER, TRACKING_NUMBER

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
CONSUMER = "orders.emails"


def event_of(order_id: int, event_type: str) -> Event:
    """The order's one event of this type, as the worker receives it."""
    (event,) = recorded_events(event_type, order_id)
    return event


def consume(event: Event) -> bool:
    return consumers.consume(consumer=CONSUMER, event=event)


@pytest.fixture
def placed(customer_client, make_product) -> dict:
    """An order of two mugs and three packs of tea, placed through the API; the response."""
    mug = make_product(sku="MUG-1", name="Blue mug", price="12.50", stock=10)
    tea = make_product(sku="TEA-1", name="Green tea", price="3.99", stock=10)
    response = customer_client.post(
        ORDERS,
        {
            "items": [{"product_id": mug.id, "quantity": 2}, {"product_id": tea.id, "quantity": 3}],
            "shipping_address": ADDRESS,
        },
        format="json",
    )
    assert response.status_code == 201
    return response.json()


def test_placing_an_order_sends_no_email_in_the_request_and_the_worker_confirms_it(
    placed, customer
):
    assert mail.outbox == []

    assert consume(event_of(placed["id"], "order.placed")) is True

    message, html = only_email()
    number, currency = placed["number"], placed["currency"]
    assert message.to == [customer.email]
    assert message.subject == f"Your shop order {number}"
    for body in (message.body, html):
        assert f"Hello {customer.first_name}," in body
        assert number in body
        assert "Subtotal" in body
        assert f"36.97 {currency}" in body
        assert "Casey Customer" in body
        assert "Springfield IL 62701" in body
    assert f"- Blue mug (SKU MUG-1): 2 × 12.50 {currency} = 25.00 {currency}" in message.body
    assert f"- Green tea (SKU TEA-1): 3 × 3.99 {currency} = 11.97 {currency}" in message.body
    assert f"Total: 36.97 {currency}" in message.body
    assert (
        f"<tr><td>Blue mug</td><td>MUG-1</td><td>2</td><td>12.50 {currency}</td>"
        f"<td>25.00 {currency}</td></tr>"
    ) in html
    assert (
        f"<tr><td>Green tea</td><td>TEA-1</td><td>3</td><td>3.99 {currency}</td>"
        f"<td>11.97 {currency}</td></tr>"
    ) in html
    assert f'<tr><th colspan="4">Total</th><td>36.97 {currency}</td></tr>' in html


def test_the_html_is_escaped_and_the_plain_text_is_not(customer, make_order, make_product):
    jar = make_product(name='Jam & "Jelly" <jar>', stock=1)
    order_id = make_order(customer, items=[(jar, 1)])

    consume(event_of(order_id, "order.placed"))

    message, html = only_email()
    assert '- Jam & "Jelly" <jar> (SKU' in message.body
    assert "<td>Jam &amp; &quot;Jelly&quot; &lt;jar&gt;</td>" in html
    assert "<jar>" not in html


def test_the_same_event_consumed_twice_sends_one_email(placed):
    event = event_of(placed["id"], "order.placed")

    assert consume(event) is True
    assert consume(event) is False

    assert len(mail.outbox) == 1


def test_times_are_shown_in_the_shops_time_zone(placed, settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    zone = ZoneInfo("Asia/Kolkata")
    placed_at = timezone.datetime.fromisoformat(placed["created_at"]).astimezone(zone)
    expires_at = timezone.datetime.fromisoformat(placed["expires_at"]).astimezone(zone)

    consume(event_of(placed["id"], "order.placed"))

    message, html = only_email()
    for body in (message.body, html):
        assert f"placed on {placed_at:%-d %B %Y, %H:%M} IST" in " ".join(body.split())
        assert f"Please pay by {expires_at:%-d %B %Y, %H:%M} IST" in body


def test_an_order_placed_without_an_address_is_confirmed_without_one(customer, make_order, product):
    order_id = make_order(customer, items=[(product, 1)], shipping_address=None)

    consume(event_of(order_id, "order.placed"))

    message, html = only_email()
    for body in (message.body, html):
        assert "You have not given a shipping address yet" in body


def test_the_shipping_email_names_the_carrier_and_the_tracking_number(
    customer, make_order, product
):
    order_id = make_order(customer, items=[(product, 1)], status="shipped")

    consume(event_of(order_id, "order.shipped"))

    message, html = only_email()
    assert message.to == [customer.email]
    assert message.subject.endswith(" has shipped")
    assert f" with {CARRIER}." in message.body
    assert f"Tracking number: {TRACKING_NUMBER}" in message.body
    assert f"Tracking number: <strong>{TRACKING_NUMBER}</strong>" in html
    assert "1 Main Street" in message.body
    assert "1 Main Street" in html


def test_an_order_cancelled_by_its_customer_is_cancelled_as_they_asked(
    customer, make_order, product
):
    order_id = make_order(customer, items=[(product, 1)], status="cancelled")

    consume(event_of(order_id, "order.cancelled"))

    message, html = only_email()
    assert message.subject.endswith(" is cancelled")
    for body in (message.body, html):
        assert "as you asked" in " ".join(body.split())
        assert "expired" not in body
        assert "refunded" not in body


def test_a_paid_order_the_shop_cancels_says_its_payment_is_refunded(
    customer, staff, make_order, product
):
    order_id = make_order(customer, items=[(product, 1)], status="paid")
    order_services.cancel_order(order_id=order_id, actor_id=staff.pk)

    consume(event_of(order_id, "order.cancelled"))

    message, html = only_email()
    for body in (message.body, html):
        assert "by shop." in " ".join(body.split())
        assert "Your payment is refunded in full" in body


def test_an_order_not_paid_in_time_says_it_expired(customer, make_order, product, settings):
    order_id = make_order(customer, items=[(product, 1)])
    later = timezone.now() + timedelta(seconds=settings.ORDER_PAYMENT_WINDOW_SECONDS + 1)
    assert order_services.expire_overdue_orders(now=later) == 1

    consume(event_of(order_id, "order.cancelled"))

    message, html = only_email()
    assert message.to == [customer.email]
    assert message.subject.endswith(" has expired")
    for body in (message.body, html):
        assert "has expired: it was not paid in time" in " ".join(body.split())
        assert "as you asked" not in body


def test_events_the_consumer_does_not_email_about_send_nothing(customer, make_order, product):
    order_id = make_order(customer, items=[(product, 1)], status="delivered")
    mail.outbox.clear()

    for event_type in ("order.paid", "order.delivered"):
        assert consume(event_of(order_id, event_type)) is True

    assert mail.outbox == []


@pytest.mark.parametrize(
    "error", [smtplib.SMTPServerDisconnected("gone"), ConnectionRefusedError("refused")]
)
def test_a_mail_server_that_refuses_leaves_the_event_for_the_retry(placed, monkeypatch, error):
    event = event_of(placed["id"], "order.placed")

    assert_a_refusal_is_retried(monkeypatch, consumer=CONSUMER, event=event, error=error)


def test_a_customer_without_an_email_address_is_skipped(placed, customer):
    # The one direct write: no service removes an address, but a user row may lack one.
    User.objects.filter(pk=customer.pk).update(email="")

    assert consume(event_of(placed["id"], "order.placed")) is True

    assert mail.outbox == []


def test_an_order_whose_customer_is_gone_is_skipped(placed):
    event = event_of(placed["id"], "order.placed")
    orphan = Event(
        id=event.id,
        type=event.type,
        created_at=event.created_at,
        data={**event.data, "customer_id": 999_999_999},
    )

    assert consume(orphan) is True

    assert mail.outbox == []
