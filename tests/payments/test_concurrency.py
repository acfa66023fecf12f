"""Races between real database connections: an order is charged once, refunds never exceed
the capture, a payment settles once, and a cancelled order never keeps money.

Each thread has its own connection; `run_concurrently` releases them together.
"""

import time
from decimal import Decimal

import pytest

from orders.models import OrderEvent
from payments import services
from payments.exceptions import InvalidRefundAmount, PaymentNotRefundable
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment, Refund, SandboxCharge
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import order_status, stock_of
from tests.payments.support import ORDER_TOTAL, event_body, pay, send_webhook

pytestmark = [
    pytest.mark.postgres(
        "the races need row locks (SELECT ... FOR UPDATE) and concurrent writers, which SQLite "
        "serialises for the whole database"
    ),
    pytest.mark.django_db(transaction=True),
]


def paid_events(order_id: int) -> int:
    return OrderEvent.objects.filter(order_id=order_id, status="paid").count()


@pytest.fixture
def slow_gateway(monkeypatch):
    """Make the provider take a moment to answer, so that requests overlap while it does."""
    real_charge = SandboxGateway.charge

    def slow_charge(self, **kwargs):
        time.sleep(0.05)
        return real_charge(self, **kwargs)

    monkeypatch.setattr(SandboxGateway, "charge", slow_charge)


@pytest.mark.usefixtures("slow_gateway")
@pytest.mark.parametrize("shared_key", [False, True], ids=["own-keys", "shared-key"])
def test_ten_concurrent_payments_of_one_order_charge_it_once(customer, order_id, shared_key):
    clients = [client_for(customer) for _ in range(10)]
    headers = {"Idempotency-Key": "pay-once"} if shared_key else {}

    responses = run_concurrently(
        *[lambda client=client: pay(client, order_id, "tok_visa", **headers) for client in clients]
    )

    statuses = [response.status_code for response in responses]
    assert 201 in statuses
    assert set(statuses) <= {201, 409}
    assert SandboxCharge.objects.count() == 1
    assert Payment.objects.count() == 1
    assert Payment.objects.get().status == "succeeded"
    assert order_status(order_id) == "paid"
    assert paid_events(order_id) == 1
    succeeded_ids = {response.json()["id"] for response in responses if response.status_code == 201}
    assert succeeded_ids == {Payment.objects.get().pk}


def test_concurrent_partial_refunds_never_exceed_the_captured_amount(customer_client, order_id):
    payment_id = pay(customer_client, order_id, "tok_visa").json()["id"]

    results = run_concurrently(
        *[
            lambda: services.refund_payment(payment_id=payment_id, amount=Decimal("4.00"))
            for _ in range(10)
        ],
        return_exceptions=True,
    )

    refunded = [result for result in results if not isinstance(result, Exception)]
    refused = [result for result in results if isinstance(result, Exception)]
    assert len(refunded) == 6
    assert all(isinstance(error, InvalidRefundAmount | PaymentNotRefundable) for error in refused)
    payment = Payment.objects.get()
    assert (payment.status, payment.refunded_amount) == ("partially_refunded", Decimal("24.00"))
    assert sum(Refund.objects.values_list("amount", flat=True)) == Decimal("24.00")
    assert SandboxCharge.objects.get().refunded_amount == Decimal("24.00")


def test_concurrent_full_refunds_refund_once(customer_client, order_id):
    payment_id = pay(customer_client, order_id, "tok_visa").json()["id"]

    results = run_concurrently(
        *[lambda: services.refund_payment(payment_id=payment_id) for _ in range(5)],
        return_exceptions=True,
    )

    assert sum(not isinstance(result, Exception) for result in results) == 1
    assert SandboxCharge.objects.get().refunded_amount == ORDER_TOTAL
    assert Refund.objects.count() == 1


def test_webhooks_with_different_event_ids_settle_a_payment_once(
    customer_client, anon_client, order_id
):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    bodies = [event_body(payment_id=payment_id) for _ in range(2)]

    responses = run_concurrently(
        *[lambda body=body: send_webhook(anon_client, body) for body in bodies]
    )

    assert [response.status_code for response in responses] == [200, 200]
    assert Payment.objects.get().status == "succeeded"
    assert order_status(order_id) == "paid"
    assert paid_events(order_id) == 1


def test_the_same_webhook_delivered_twice_at_once_is_processed_once(
    customer_client, anon_client, order_id
):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    body = event_body(payment_id=payment_id, event_id="evt_twice")

    responses = run_concurrently(*[lambda: send_webhook(anon_client, body) for _ in range(2)])

    assert sorted(response.json()["outcome"] for response in responses) == [
        "duplicate",
        "processed",
    ]
    assert paid_events(order_id) == 1


def test_contradicting_webhooks_leave_payment_and_order_consistent(
    customer_client, anon_client, order_id
):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    succeeded = event_body(payment_id=payment_id)
    failed = event_body(payment_id=payment_id, event_type="payment.failed")

    run_concurrently(
        lambda: send_webhook(anon_client, succeeded), lambda: send_webhook(anon_client, failed)
    )

    status = Payment.objects.get().status
    assert (status, order_status(order_id)) in {("succeeded", "paid"), ("failed", "pending")}


@pytest.mark.usefixtures("slow_gateway")
@pytest.mark.parametrize("round_", range(5))
def test_cancelling_while_the_order_is_being_paid_never_keeps_the_money(
    customer, place_order, teapot, round_
):
    order_id = place_order(customer)
    stock_while_ordered = stock_of(teapot)
    payer, canceller = client_for(customer), client_for(customer)

    paying, cancelling = run_concurrently(
        lambda: pay(payer, order_id, "tok_visa"),
        lambda: canceller.post(f"/api/v1/orders/{order_id}/cancel/"),
    )

    assert paying.status_code in {201, 409}
    assert cancelling.status_code in {200, 409}
    status = order_status(order_id)
    captured = Payment.objects.filter(order_id=order_id, status="succeeded")
    if status == "paid":
        assert captured.count() == 1
        assert Refund.objects.count() == 0
        assert stock_of(teapot) == stock_while_ordered
    else:
        assert status == "cancelled"
        assert stock_of(teapot) == stock_while_ordered + 2
        assert not captured.exists()
        for charge in SandboxCharge.objects.filter(status="succeeded"):
            assert charge.refunded_amount == charge.amount
        for payment in Payment.objects.filter(order_id=order_id):
            assert payment.status in {"refunded", "failed"}
