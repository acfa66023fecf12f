"""Paying an order that expires: a pending order takes no payment once past its `expires_at`
(even before the sweep has cancelled it), and money the provider captures for an order that
expired meanwhile is refunded at once, as for any cancelled order."""

import pytest

from orders.services import expire_overdue_orders
from payments.models import Payment, Refund, SandboxCharge
from tests.factories import make_overdue, order_status, stock_of
from tests.payments.support import ORDER_TOTAL, event_body, pay, send_webhook

pytestmark = pytest.mark.django_db


def test_an_overdue_order_takes_no_payment_even_before_it_is_swept(customer_client, order_id):
    make_overdue(order_id)

    response = pay(customer_client, order_id, "tok_visa")

    assert response.status_code == 409
    assert response.json()["code"] == "order_not_payable"
    assert (Payment.objects.count(), SandboxCharge.objects.count()) == (0, 0)
    assert order_status(order_id) == "pending"


def test_an_order_is_payable_until_it_is_due(customer_client, order_id):
    assert pay(customer_client, order_id, "tok_visa").status_code == 201

    assert expire_overdue_orders() == 0
    assert order_status(order_id) == "paid"


def test_a_payment_that_succeeds_after_the_order_expired_is_refunded_at_once(
    customer_client, anon_client, order_id, teapot
):
    stock_while_ordered = stock_of(teapot)
    processing = pay(customer_client, order_id, "tok_async").json()
    make_overdue(order_id)
    assert expire_overdue_orders() == 1
    assert stock_of(teapot) == stock_while_ordered + 2

    response = send_webhook(anon_client, event_body(payment_id=processing["id"]))

    assert response.status_code == 200
    payment = Payment.objects.get(pk=processing["id"])
    assert (payment.status, payment.refunded_amount) == ("refunded", ORDER_TOTAL)
    assert SandboxCharge.objects.get().refunded_amount == ORDER_TOTAL
    order = customer_client.get(f"/api/v1/orders/{order_id}/").json()
    assert (order["status"], order["cancellation_reason"]) == ("cancelled", "expired")
    assert stock_of(teapot) == stock_while_ordered + 2


def test_a_capture_settled_after_the_window_closed_is_refunded_before_the_sweep_too(
    customer_client, anon_client, order_id
):
    processing = pay(customer_client, order_id, "tok_async").json()
    make_overdue(order_id)

    send_webhook(anon_client, event_body(payment_id=processing["id"]))

    assert Payment.objects.get(pk=processing["id"]).status == "refunded"
    assert SandboxCharge.objects.get().refunded_amount == ORDER_TOTAL
    assert order_status(order_id) == "pending"
    assert expire_overdue_orders() == 1
    assert order_status(order_id) == "cancelled"
    assert Refund.objects.count() == 1


def test_a_payment_that_fails_after_the_order_expired_just_fails(
    customer_client, anon_client, order_id
):
    processing = pay(customer_client, order_id, "tok_async").json()
    make_overdue(order_id)
    expire_overdue_orders()

    send_webhook(anon_client, event_body(payment_id=processing["id"], event_type="payment.failed"))

    assert Payment.objects.get(pk=processing["id"]).status == "failed"
    assert Refund.objects.count() == 0
    assert order_status(order_id) == "cancelled"
