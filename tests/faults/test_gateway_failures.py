"""The payment provider fails in the middle of a charge or a refund.

Whatever fails and however the client retries (with the same `Idempotency-Key`, another one,
or none), an order is paid only with a captured payment, the provider captures at most once
per order, and a cancelled order keeps no money once the provider has told shop the outcome.
"""

from decimal import Decimal

import pytest
from django.db import OperationalError

from orders import services as order_services
from orders.models import OrderEvent
from payments import services as payment_services
from payments.models import Payment, SandboxCharge
from tests.factories import order_status, order_total
from tests.payments.support import event_body, fail_charge, fail_refund, send_webhook
from tests.security.conftest import database_state

pytestmark = pytest.mark.django_db

PAYMENTS = "/api/v1/payments/"


def _captured_and_kept(order_id: int) -> Decimal:
    """What the provider holds for the order: captured and not refunded."""
    keys = [
        payment_services.charge_idempotency_key(payment_id)
        for payment_id in Payment.objects.filter(order_id=order_id).values_list("pk", flat=True)
    ]
    charges = SandboxCharge.objects.filter(idempotency_key__in=keys, status="succeeded")
    return sum((charge.amount - charge.refunded_amount for charge in charges), Decimal("0.00"))


def assert_consistent(order_id: int) -> None:
    """Paid ⇔ exactly the order's amount captured and kept, by one succeeded payment."""
    status = order_status(order_id)
    succeeded = Payment.objects.filter(order_id=order_id, status="succeeded")
    paid_events = OrderEvent.objects.filter(order_id=order_id, status="paid").count()
    if status == "paid":
        assert succeeded.count() == 1
        assert _captured_and_kept(order_id) == order_total(order_id)
        assert paid_events == 1
    else:
        assert not succeeded.exists()
        assert paid_events == 0


FAILURES = [
    pytest.param(ConnectionRefusedError("refused"), False, id="refused-before-charging"),
    pytest.param(TimeoutError("connect timeout"), False, id="timeout-before-charging"),
    pytest.param(TimeoutError("read timeout"), True, id="timeout-after-capturing"),
    pytest.param(ConnectionResetError("reset"), True, id="reset-after-capturing"),
    pytest.param(RuntimeError("provider SDK bug"), True, id="sdk-error-after-capturing"),
]
RETRIES = [
    pytest.param({"Idempotency-Key": "k1"}, {"Idempotency-Key": "k1"}, id="same-key"),
    pytest.param({"Idempotency-Key": "k1"}, {"Idempotency-Key": "k2"}, id="another-key"),
    pytest.param({}, {}, id="no-key"),
]


@pytest.mark.parametrize(("error", "after_capturing"), FAILURES)
@pytest.mark.parametrize(("first", "retry"), RETRIES)
def test_a_charge_that_fails_midway_then_a_retry_pays_the_order_once(
    customer_client, shop, monkeypatch, error, after_capturing, first, retry
):
    order_id = shop.orders["pending"]
    body = {"order_id": order_id, "token": "tok_visa"}
    fail_charge(monkeypatch, error=error, after_capturing=after_capturing)

    failed = customer_client.post(PAYMENTS, body, format="json", headers=first)

    assert failed.status_code == 502
    assert failed.json()["code"] == "gateway_unavailable"
    assert Payment.objects.get(order_id=order_id).status == "processing"
    assert_consistent(order_id)

    monkeypatch.undo()
    retried = customer_client.post(PAYMENTS, body, format="json", headers=retry)

    assert retried.status_code == 201
    assert order_status(order_id) == "paid"
    assert Payment.objects.filter(order_id=order_id).count() == 1
    assert_consistent(order_id)


def test_the_database_failing_after_the_capture_is_503_and_the_retry_charges_once(
    customer_client, shop, monkeypatch
):
    order_id = shop.orders["pending"]
    real_lock = order_services.lock_order_for_payment
    calls = []

    def lock_then_lose_the_database(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:  # settling the provider's answer, after the capture
            raise OperationalError("server closed the connection unexpectedly")
        return real_lock(**kwargs)

    monkeypatch.setattr(order_services, "lock_order_for_payment", lock_then_lose_the_database)

    lost = customer_client.post(PAYMENTS, {"order_id": order_id, "token": "tok_visa"})

    assert lost.status_code == 503
    payment = Payment.objects.get(order_id=order_id)
    assert payment.status == "processing"
    assert _captured_and_kept(order_id) == payment.amount
    assert_consistent(order_id)

    monkeypatch.undo()
    retried = customer_client.post(PAYMENTS, {"order_id": order_id, "token": "tok_visa"})

    assert retried.status_code == 201
    assert retried.json()["id"] == payment.pk
    assert_consistent(order_id)


@pytest.mark.parametrize("cancelled", [False, True], ids=["pending", "cancelled-meanwhile"])
def test_a_success_event_must_name_the_charge_whose_answer_was_lost(
    customer_client, anon_client, shop, monkeypatch, cancelled
):
    order_id = shop.orders["pending"]
    fail_charge(monkeypatch, error=TimeoutError("read timeout"), after_capturing=True)
    customer_client.post(PAYMENTS, {"order_id": order_id, "token": "tok_visa"})
    monkeypatch.undo()
    if cancelled:
        customer_client.post(f"/api/v1/orders/{order_id}/cancel/")
    payment = Payment.objects.get(order_id=order_id)
    charge = SandboxCharge.objects.get(
        idempotency_key=payment_services.charge_idempotency_key(payment.pk)
    )
    before = database_state()

    anonymous = send_webhook(anon_client, event_body(payment_id=payment.pk, event_id="evt_lost"))

    assert anonymous.status_code == 400
    assert anonymous.json()["code"] == "invalid_webhook"
    assert database_state() == before

    named = send_webhook(
        anon_client,
        event_body(payment_id=payment.pk, event_id="evt_lost", charge=charge.reference),
    )

    assert named.json() == {"outcome": "processed"}
    assert_consistent(order_id)
    status = order_status(order_id)
    assert (status, _captured_and_kept(order_id)) == (
        ("cancelled", 0) if cancelled else ("paid", payment.amount)
    )
    refund = customer_client.post(f"/api/v1/orders/{order_id}/cancel/")
    assert refund.status_code == (409 if cancelled else 200)
    assert _captured_and_kept(order_id) == 0


@pytest.mark.parametrize(
    "error", [TimeoutError("read timeout"), ConnectionRefusedError("refused")], ids=str
)
def test_a_cancellation_whose_refund_fails_is_502_and_changes_nothing(
    customer_client, shop, monkeypatch, error
):
    order_id = shop.orders["paid"]
    before = database_state()

    fail_refund(monkeypatch, error)

    response = customer_client.post(f"/api/v1/orders/{order_id}/cancel/")

    assert response.status_code == 502
    assert response.json()["code"] == "gateway_unavailable"
    assert database_state() == before
    assert_consistent(order_id)
