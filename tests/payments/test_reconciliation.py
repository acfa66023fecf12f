"""A payment stuck `processing` (its webhook lost, or its charge's answer lost) is settled by
asking the provider: `payments.services.reconcile_processing_payments`, run on a schedule.

Whatever the provider answers, the order ends paid with exactly its total captured and kept,
or pending (payable again) or cancelled with nothing kept.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from orders.models import OrderEvent
from payments import services, tasks
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment, SandboxCharge
from tests.factories import order_status, order_total
from tests.faults.test_gateway_failures import _captured_and_kept
from tests.payments.support import fail_charge, pay

pytestmark = pytest.mark.django_db


def stale() -> timezone.datetime:
    """A moment when every payment touched until now is past the reconciliation window."""
    return timezone.now() + timedelta(seconds=settings.PAYMENTS_RECONCILE_AFTER_SECONDS + 1)


def provider_settles(payment_id: int, *, succeeded: bool, failure_code: str = "") -> None:
    """The provider decides an async charge, and its webhook never reaches shop."""
    SandboxGateway().settle_async_charge(
        idempotency_key=services.charge_idempotency_key(payment_id),
        succeeded=succeeded,
        failure_code=failure_code,
    )


def count_questions(monkeypatch, *, error: Exception | None = None) -> list[str]:
    """Record each `retrieve_charge` (raising `error` instead of answering, if given)."""
    real_retrieve = SandboxGateway.retrieve_charge
    keys: list[str] = []

    def retrieve_charge(self, **kwargs):
        keys.append(kwargs["idempotency_key"])
        if error is not None:
            raise error
        return real_retrieve(self, **kwargs)

    monkeypatch.setattr(SandboxGateway, "retrieve_charge", retrieve_charge)
    return keys


def paid_events(order_id: int) -> int:
    return OrderEvent.objects.filter(order_id=order_id, status="paid").count()


def test_an_async_payment_whose_webhook_was_lost_is_reconciled_to_succeeded(
    customer_client, order_id
):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    provider_settles(payment_id, succeeded=True)

    settled = services.reconcile_processing_payments(now=stale())

    assert settled == 1
    payment = customer_client.get(f"/api/v1/payments/{payment_id}/").json()
    assert (payment["status"], payment["failure_code"]) == ("succeeded", "")
    assert order_status(order_id) == "paid"
    assert paid_events(order_id) == 1
    assert SandboxCharge.objects.count() == 1
    assert _captured_and_kept(order_id) == order_total(order_id)
    assert services.reconcile_processing_payments(now=stale() + timedelta(hours=1)) == 0
    assert paid_events(order_id) == 1


def test_an_async_payment_declined_at_the_provider_fails_and_the_order_stays_payable(
    customer_client, order_id
):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    provider_settles(payment_id, succeeded=False, failure_code="card_declined")

    assert services.reconcile_processing_payments(now=stale()) == 1

    payment = customer_client.get(f"/api/v1/payments/{payment_id}/").json()
    assert (payment["status"], payment["failure_code"]) == ("failed", "card_declined")
    assert order_status(order_id) == "pending"
    assert pay(customer_client, order_id, "tok_visa").status_code == 201
    assert order_status(order_id) == "paid"


def test_a_capture_for_an_order_cancelled_meanwhile_is_refunded_at_once(customer_client, order_id):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    assert customer_client.post(f"/api/v1/orders/{order_id}/cancel/").status_code == 200
    provider_settles(payment_id, succeeded=True)

    assert services.reconcile_processing_payments(now=stale()) == 1

    payment = customer_client.get(f"/api/v1/payments/{payment_id}/").json()
    assert payment["status"] == "refunded"
    assert order_status(order_id) == "cancelled"
    assert paid_events(order_id) == 0
    charge = SandboxCharge.objects.get()
    assert charge.status == "succeeded"
    assert charge.amount - charge.refunded_amount == 0


def test_a_capture_whose_answer_was_lost_is_reconciled_from_the_idempotency_key(
    customer_client, order_id, monkeypatch
):
    fail_charge(monkeypatch, after_capturing=True)
    assert pay(customer_client, order_id, "tok_visa").status_code == 502
    monkeypatch.undo()
    payment = Payment.objects.get(order_id=order_id)
    assert (payment.status, payment.provider_reference) == ("processing", "")

    assert services.reconcile_processing_payments(now=stale()) == 1

    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert payment.provider_reference == SandboxCharge.objects.get().reference
    assert order_status(order_id) == "paid"
    assert _captured_and_kept(order_id) == order_total(order_id)


def test_a_charge_that_never_reached_the_provider_fails_not_captured_and_can_be_paid_again(
    customer_client, order_id, monkeypatch
):
    fail_charge(monkeypatch, after_capturing=False)
    assert pay(customer_client, order_id, "tok_visa").status_code == 502
    monkeypatch.undo()
    payment_id = Payment.objects.get(order_id=order_id).pk

    assert services.reconcile_processing_payments(now=stale()) == 1

    failed = customer_client.get(f"/api/v1/payments/{payment_id}/").json()
    assert (failed["status"], failed["failure_code"]) == ("failed", "not_captured")
    assert order_status(order_id) == "pending"
    assert not SandboxCharge.objects.exists()
    retried = pay(customer_client, order_id, "tok_visa")
    assert retried.status_code == 201
    assert retried.json()["id"] != payment_id
    assert order_status(order_id) == "paid"
    assert SandboxCharge.objects.count() == 1
    assert _captured_and_kept(order_id) == order_total(order_id)


def test_a_retry_that_reaches_the_provider_while_it_is_asked_is_not_failed(
    customer_client, order_id, monkeypatch
):
    """The provider says it never saw the charge; before shop settles that answer, the
    customer's retry sends the same charge, which the provider captures (its answer lost
    again). Failing the attempt now would keep the capture with no payment to show for it."""
    fail_charge(monkeypatch, after_capturing=False)
    assert pay(customer_client, order_id, "tok_visa").status_code == 502
    monkeypatch.undo()
    real_retrieve = SandboxGateway.retrieve_charge

    def retrieve_then_the_customer_retries(self, **kwargs):
        answer = real_retrieve(self, **kwargs)
        fail_charge(monkeypatch, after_capturing=True)
        assert pay(customer_client, order_id, "tok_visa").status_code == 502
        return answer

    monkeypatch.setattr(SandboxGateway, "retrieve_charge", retrieve_then_the_customer_retries)

    assert services.reconcile_processing_payments(now=stale()) == 0

    monkeypatch.undo()
    payment = Payment.objects.get(order_id=order_id)
    assert payment.status == "processing"
    assert _captured_and_kept(order_id) == order_total(order_id)
    assert services.reconcile_processing_payments(now=stale()) == 1
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert order_status(order_id) == "paid"
    assert Payment.objects.filter(order_id=order_id).count() == 1


def test_a_provider_that_does_not_answer_leaves_the_payment_processing_until_next_time(
    customer_client, order_id, monkeypatch
):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    provider_settles(payment_id, succeeded=True)
    first = stale()
    questions = count_questions(monkeypatch, error=TimeoutError("no answer"))

    assert services.reconcile_processing_payments(now=first) == 0
    assert services.reconcile_processing_payments(now=first + timedelta(seconds=1)) == 0

    assert questions == [services.charge_idempotency_key(payment_id)]
    assert Payment.objects.get(pk=payment_id).status == "processing"
    assert order_status(order_id) == "pending"
    monkeypatch.undo()
    next_time = first + timedelta(seconds=settings.PAYMENTS_RECONCILE_AFTER_SECONDS)
    assert services.reconcile_processing_payments(now=next_time) == 1
    assert order_status(order_id) == "paid"


def test_a_refund_that_fails_leaves_the_payment_processing_and_the_run_goes_on(
    customer_client, place_order, customer, monkeypatch
):
    cancelled_id, other_id = place_order(customer), place_order(customer)
    cancelled_payment = pay(customer_client, cancelled_id, "tok_async").json()["id"]
    other_payment = pay(customer_client, other_id, "tok_async").json()["id"]
    customer_client.post(f"/api/v1/orders/{cancelled_id}/cancel/")
    provider_settles(cancelled_payment, succeeded=True)
    provider_settles(other_payment, succeeded=True)

    def refund(self, **kwargs):
        raise TimeoutError("no answer")

    monkeypatch.setattr(SandboxGateway, "refund", refund)

    assert services.reconcile_processing_payments(now=stale()) == 1

    assert Payment.objects.get(pk=cancelled_payment).status == "processing"
    assert order_status(other_id) == "paid"
    monkeypatch.undo()
    assert services.reconcile_processing_payments(now=stale() + timedelta(hours=1)) == 1
    assert Payment.objects.get(pk=cancelled_payment).status == "refunded"
    assert _captured_and_kept(cancelled_id) == 0


def test_payments_not_yet_stale_are_not_asked_about(customer_client, order_id, monkeypatch):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    provider_settles(payment_id, succeeded=True)
    questions = count_questions(monkeypatch)
    almost = timezone.now() + timedelta(seconds=settings.PAYMENTS_RECONCILE_AFTER_SECONDS - 5)

    assert services.reconcile_processing_payments(now=almost) == 0

    assert questions == []
    assert Payment.objects.get(pk=payment_id).status == "processing"
    assert order_status(order_id) == "pending"


def test_paying_again_restarts_the_window(customer_client, order_id, monkeypatch):
    fail_charge(monkeypatch, after_capturing=False)
    assert pay(customer_client, order_id, "tok_visa").status_code == 502
    window = timedelta(seconds=settings.PAYMENTS_RECONCILE_AFTER_SECONDS + 1)
    Payment.objects.filter(order_id=order_id).update(updated_at=timezone.now() - window)
    assert pay(customer_client, order_id, "tok_visa").status_code == 502
    monkeypatch.undo()
    questions = count_questions(monkeypatch)

    assert services.reconcile_processing_payments() == 0

    assert questions == []
    assert Payment.objects.get(order_id=order_id).status == "processing"


def test_the_task_reconciles_the_stale_payments(customer_client, order_id):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    provider_settles(payment_id, succeeded=True)
    window = timedelta(seconds=settings.PAYMENTS_RECONCILE_AFTER_SECONDS + 1)
    Payment.objects.filter(pk=payment_id).update(updated_at=timezone.now() - window)

    assert tasks.reconcile_payments.apply().get() == 1

    assert order_status(order_id) == "paid"
