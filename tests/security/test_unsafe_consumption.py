"""API10:2023 Unsafe Consumption of APIs: the payment provider's answers are not trusted.

A charge the provider captured for another amount or currency than asked is a failed payment
whose money goes back at once; an answer with a status shop does not know is not a payment;
a provider that does not answer leaves the payment `processing` (a 502 to the client), and the
retry with the same `Idempotency-Key` asks again under the same provider key: one charge.
"""

from dataclasses import replace
from decimal import Decimal

import pytest

from orders.models import OrderEvent
from payments.gateways.base import RefundResult
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment, Refund, SandboxCharge
from tests.factories import order_status
from tests.payments.support import fail_charge, fail_refund

pytestmark = pytest.mark.django_db

PAYMENTS = "/api/v1/payments/"
ORDER_TOTAL = Decimal("27.00")


def _status(order_id: int) -> str:
    return order_status(order_id)


def _paid_events(order_id: int) -> int:
    return OrderEvent.objects.filter(order_id=order_id, status="paid").count()


@pytest.mark.parametrize(
    ("amount", "currency"),
    [(Decimal("26.99"), "USD"), (Decimal("27.01"), "USD"), (ORDER_TOTAL, "EUR")],
    ids=["less", "more", "another-currency"],
)
def test_a_charge_captured_for_another_amount_or_currency_fails_and_is_given_back(
    customer_client, shop, monkeypatch, amount, currency
):
    order_id = shop.orders["pending"]
    real_charge = SandboxGateway.charge

    def charge_wrongly(self, **kwargs):
        return real_charge(self, **{**kwargs, "amount": amount, "currency": currency})

    monkeypatch.setattr(SandboxGateway, "charge", charge_wrongly)

    response = customer_client.post(PAYMENTS, {"order_id": order_id, "token": "tok_visa"})

    assert response.status_code == 402
    assert response.json()["code"] == "amount_mismatch"
    assert response.json()["payment"]["status"] == "failed"
    assert (_status(order_id), _paid_events(order_id)) == ("pending", 0)
    wrong = SandboxCharge.objects.get(amount=amount, currency=currency)
    assert wrong.refunded_amount == wrong.amount
    assert Refund.objects.get(payment__order_id=order_id).amount == amount

    monkeypatch.undo()
    retry = customer_client.post(PAYMENTS, {"order_id": order_id, "token": "tok_visa"})

    assert retry.status_code == 201
    assert (retry.json()["amount"], retry.json()["currency"]) == ("27.00", "USD")
    assert (_status(order_id), _paid_events(order_id)) == ("paid", 1)


@pytest.mark.parametrize("status", ["requires_action", "SUCCEEDED", "paid", ""])
def test_a_charge_status_shop_does_not_know_is_not_taken_for_a_payment(
    customer_client, shop, monkeypatch, status
):
    order_id = shop.orders["pending"]
    real_charge = SandboxGateway.charge

    def charge_strangely(self, **kwargs):
        return replace(real_charge(self, **kwargs), status=status)

    monkeypatch.setattr(SandboxGateway, "charge", charge_strangely)

    response = customer_client.post(PAYMENTS, {"order_id": order_id, "token": "tok_visa"})

    assert response.status_code == 202
    assert response.json()["status"] == "processing"
    assert (_status(order_id), _paid_events(order_id)) == ("pending", 0)


@pytest.fixture
def provider_times_out(monkeypatch):
    """The provider captures the charge, but its answer never arrives."""
    fail_charge(monkeypatch, after_capturing=True)
    return monkeypatch


def test_a_provider_timeout_leaves_the_payment_processing_and_the_same_key_charges_once(
    customer_client, shop, provider_times_out
):
    order_id = shop.orders["pending"]
    body = {"order_id": order_id, "token": "tok_visa"}
    headers = {"Idempotency-Key": "pay-after-timeout"}
    charges_before = SandboxCharge.objects.count()

    timed_out = customer_client.post(PAYMENTS, body, format="json", headers=headers)

    assert timed_out.status_code == 502
    assert timed_out.json()["code"] == "gateway_unavailable"
    payment = Payment.objects.get(order_id=order_id)
    assert (payment.status, payment.provider_reference) == ("processing", "")
    assert (_status(order_id), _paid_events(order_id)) == ("pending", 0)

    provider_times_out.undo()
    retried = customer_client.post(PAYMENTS, body, format="json", headers=headers)

    assert retried.status_code == 201
    assert retried.json()["id"] == payment.pk
    assert SandboxCharge.objects.count() == charges_before + 1
    assert Payment.objects.filter(order_id=order_id).count() == 1
    assert (_status(order_id), _paid_events(order_id)) == ("paid", 1)


@pytest.mark.parametrize(
    "failure",
    [TimeoutError("timed out"), ConnectionResetError("reset by peer"), ValueError("bad JSON")],
    ids=["timeout", "connection-reset", "unreadable-answer"],
)
def test_a_refund_the_provider_does_not_answer_is_502_and_changes_nothing(
    staff_client, shop, monkeypatch, unchanged, failure
):
    fail_refund(monkeypatch, failure)

    response = staff_client.post(f"/api/v1/payments/{shop.payments['succeeded']}/refund/")

    assert response.status_code == 502
    assert response.json()["code"] == "gateway_unavailable"


def test_a_refund_the_provider_declines_is_409_and_changes_nothing(
    staff_client, shop, monkeypatch, unchanged
):
    def refund_declined(self, *, amount, currency, **kwargs):
        return RefundResult(
            status="failed", reference="", amount=amount, currency=currency, failure_code="fraud"
        )

    monkeypatch.setattr(SandboxGateway, "refund", refund_declined)

    response = staff_client.post(f"/api/v1/payments/{shop.payments['succeeded']}/refund/")

    assert response.status_code == 409
    assert response.json()["code"] == "refund_declined"
