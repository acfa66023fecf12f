"""The customer's email about a refund, sent by the worker as the consumer `payments.emails` of
`payment.refunded`: the amount of that refund, the order's number, and whether the payment is
now refunded in full or in part; plain text with an HTML alternative. Consuming the event twice
sends one email; a mail server that refuses leaves the event unconsumed for the task's retry.

Each test refunds through the API or the services, then hands the event the outbox holds to the
consumer, as the worker does.
"""

import smtplib

import pytest
from django.core import mail
from django.utils.html import strip_tags

from accounts.models import User
from kernel import consumers
from kernel.consumers import Event
from orders import services as order_services
from tests.emails import assert_a_refusal_is_retried, only_email, recorded_events
from tests.payments.support import PAYMENTS_URL, pay

pytestmark = pytest.mark.django_db

CONSUMER = "payments.emails"


def events_of(payment_id: int, event_type: str = "payment.refunded") -> list[Event]:
    """The payment's events of this type, oldest first, as the worker receives them."""
    return recorded_events(event_type, payment_id)


def consume(event: Event) -> bool:
    return consumers.consume(consumer=CONSUMER, event=event)


def flat(text: str) -> str:
    """The text of a body, HTML or not, its whitespace collapsed."""
    return " ".join(strip_tags(text).split())


@pytest.fixture
def paid(customer_client, order_id) -> dict:
    """The payment of the customer's order of 25.00, made through the API."""
    response = pay(customer_client, order_id, "tok_visa")
    assert response.status_code == 201
    return response.json()


def refund(client, payment_id: int, amount: str | None = None):
    response = client.post(
        f"{PAYMENTS_URL}{payment_id}/refund/",
        {} if amount is None else {"amount": amount},
        format="json",
    )
    assert response.status_code == 201
    return response


def order_number(order_id: int) -> str:
    return order_services.get_order_summary(order_id=order_id).number


def test_a_refund_in_two_parts_emails_each_part_with_its_own_amount(staff_client, paid, customer):
    refund(staff_client, paid["id"], "10.00")
    refund(staff_client, paid["id"])
    assert mail.outbox == []
    first, second = events_of(paid["id"])
    number, currency = order_number(paid["order_id"]), paid["currency"]

    # The worker may take them in either order: each email tells its own refund.
    assert consume(second) is True
    message, html = only_email()
    assert message.to == [customer.email]
    assert message.subject == f"Your shop order {number} is refunded"
    for body in (flat(message.body), flat(html)):
        assert f"15.00 {currency} of your payment for order {number}" in body
        assert f"Your payment of 25.00 {currency} is now refunded in full." in body
    mail.outbox.clear()

    assert consume(first) is True
    message, html = only_email()
    assert message.subject == f"A refund on your shop order {number}"
    for body in (flat(message.body), flat(html)):
        assert f"10.00 {currency} of your payment for order {number}" in body
        assert (
            f"This is a partial refund: 10.00 of your 25.00 {currency} is refunded so far." in body
        )


def test_a_paid_order_cancelled_is_refunded_in_full_and_told_so(customer_client, paid, customer):
    response = customer_client.post(f"/api/v1/orders/{paid['order_id']}/cancel/")
    assert response.status_code == 200
    assert mail.outbox == []

    (event,) = events_of(paid["id"])
    consume(event)

    message, html = only_email()
    assert message.to == [customer.email]
    assert f"<strong>25.00 {paid['currency']}</strong>" in html
    assert "refunded in full" in message.body


def test_the_same_event_consumed_twice_sends_one_email(staff_client, paid):
    refund(staff_client, paid["id"])
    (event,) = events_of(paid["id"])

    assert consume(event) is True
    assert consume(event) is False

    assert len(mail.outbox) == 1


def test_other_payment_events_send_nothing(paid):
    (event,) = events_of(paid["id"], "payment.succeeded")

    assert consume(event) is True

    assert mail.outbox == []


@pytest.mark.parametrize("error", [smtplib.SMTPDataError(451, "try later"), TimeoutError()])
def test_a_mail_server_that_refuses_leaves_the_event_for_the_retry(
    staff_client, paid, monkeypatch, error
):
    refund(staff_client, paid["id"])
    (event,) = events_of(paid["id"])

    assert_a_refusal_is_retried(monkeypatch, consumer=CONSUMER, event=event, error=error)


def test_a_payment_whose_customer_has_no_email_address_is_skipped(staff_client, paid, customer):
    refund(staff_client, paid["id"])
    (event,) = events_of(paid["id"])
    # The one direct write: no service removes an address, but a user row may lack one.
    User.objects.filter(pk=customer.pk).update(email="")

    assert consume(event) is True

    assert mail.outbox == []
