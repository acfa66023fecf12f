"""Reconciliation racing the other ways a payment gets settled, on real database connections:
a webhook, another run, a cancellation, the customer's retry. Each settles once, and the
provider keeps exactly the order's total if it is paid, nothing if it is not."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from payments import services
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment, Refund, SandboxCharge
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import order_status, order_total
from tests.faults.test_gateway_failures import _captured_and_kept
from tests.payments.support import event_body, fail_charge, pay, send_webhook
from tests.payments.test_concurrency import paid_events
from tests.payments.test_reconciliation import count_questions, provider_settles, stale

pytestmark = [
    pytest.mark.postgres(
        "the races need row locks (SELECT ... FOR UPDATE, SKIP LOCKED) and concurrent "
        "writers, which SQLite serialises for the whole database"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("round_", range(3))
def test_reconciliation_racing_the_webhook_settles_the_payment_once(
    customer_client, anon_client, order_id, round_
):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    provider_settles(payment_id, succeeded=True)
    charge = SandboxCharge.objects.get().reference
    body = event_body(payment_id=payment_id, charge=charge)

    reconciled, delivered = run_concurrently(
        lambda: services.reconcile_processing_payments(now=stale()),
        lambda: send_webhook(anon_client, body),
    )

    assert reconciled in {0, 1}
    assert delivered.status_code == 200
    assert Payment.objects.get().status == "succeeded"
    assert order_status(order_id) == "paid"
    assert paid_events(order_id) == 1
    assert not Refund.objects.exists()
    assert _captured_and_kept(order_id) == order_total(order_id)


def test_overlapping_runs_ask_the_provider_once(customer_client, order_id, monkeypatch):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    provider_settles(payment_id, succeeded=True)
    questions = count_questions(monkeypatch)
    now = stale()

    results = run_concurrently(
        *[lambda: services.reconcile_processing_payments(now=now) for _ in range(3)]
    )

    assert sorted(results) == [0, 0, 1]
    assert len(questions) == 1
    assert order_status(order_id) == "paid"
    assert paid_events(order_id) == 1


@pytest.mark.parametrize("round_", range(3))
def test_reconciliation_racing_a_cancellation_never_keeps_the_money(customer, place_order, round_):
    order_id = place_order(customer)
    payment_id = pay(client_for(customer), order_id, "tok_async").json()["id"]
    provider_settles(payment_id, succeeded=True)
    canceller = client_for(customer)

    _, cancelled = run_concurrently(
        lambda: services.reconcile_processing_payments(now=stale()),
        lambda: canceller.post(f"/api/v1/orders/{order_id}/cancel/"),
    )

    assert cancelled.status_code == 200
    assert order_status(order_id) == "cancelled"
    assert Payment.objects.get().status == "refunded"
    assert _captured_and_kept(order_id) == 0


@pytest.mark.parametrize("round_", range(3))
def test_reconciliation_racing_the_customer_s_retry_charges_once_and_keeps_it(
    customer, place_order, monkeypatch, round_
):
    """The first charge never reached the provider and is stale; while shop asks about it, the
    customer pays again, and that charge reaches the provider after shop's question."""
    order_id = place_order(customer)
    payer = client_for(customer)
    fail_charge(monkeypatch, after_capturing=False)
    assert pay(payer, order_id, "tok_visa").status_code == 502
    monkeypatch.undo()
    window = timedelta(seconds=settings.PAYMENTS_RECONCILE_AFTER_SECONDS + 1)
    Payment.objects.filter(order_id=order_id).update(updated_at=timezone.now() - window)
    real_charge, real_retrieve = SandboxGateway.charge, SandboxGateway.retrieve_charge

    def slow_charge(self, **kwargs):
        time.sleep(0.2)
        return real_charge(self, **kwargs)

    def slow_answer(self, **kwargs):
        answer = real_retrieve(self, **kwargs)
        time.sleep(0.1)
        return answer

    monkeypatch.setattr(SandboxGateway, "charge", slow_charge)
    monkeypatch.setattr(SandboxGateway, "retrieve_charge", slow_answer)

    _, retried = run_concurrently(
        services.reconcile_processing_payments, lambda: pay(payer, order_id, "tok_visa")
    )

    monkeypatch.undo()
    assert retried.status_code == 201
    assert order_status(order_id) == "paid"
    assert paid_events(order_id) == 1
    assert Payment.objects.filter(order_id=order_id, status="succeeded").count() == 1
    assert SandboxCharge.objects.count() == 1
    assert _captured_and_kept(order_id) == order_total(order_id)
