"""`manage.py sandbox_settle`: the sandbox provider settling a charge through the real webhook."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from payments.models import Payment, ProcessedWebhookEvent, SandboxCharge
from tests.factories import order_status
from tests.payments.support import pay


def settle(*args: str) -> tuple[int, dict]:
    out = StringIO()
    call_command("sandbox_settle", *args, stdout=out)
    status, _, body = out.getvalue().strip().partition(" ")
    return int(status), json.loads(body)


@pytest.fixture
def processing(customer_client, order_id) -> int:
    return pay(customer_client, order_id, "tok_async").json()["id"]


def test_settling_succeeded_pays_the_order_through_the_webhook(processing, order_id):
    status, body = settle(str(processing), "succeeded")

    assert (status, body) == (200, {"outcome": "processed"})
    assert Payment.objects.get(pk=processing).status == "succeeded"
    assert order_status(order_id) == "paid"
    assert SandboxCharge.objects.get().status == "succeeded"
    assert ProcessedWebhookEvent.objects.get().type == "payment.succeeded"


def test_settling_failed_records_the_failure_code(processing, order_id):
    status, _ = settle(str(processing), "failed", "--failure-code", "insufficient_funds")

    payment = Payment.objects.get(pk=processing)
    assert status == 200
    assert (payment.status, payment.failure_code) == ("failed", "insufficient_funds")
    assert order_status(order_id) == "pending"
    assert SandboxCharge.objects.get().status == "failed"


def test_settling_a_settled_payment_changes_nothing(processing):
    settle(str(processing), "succeeded")

    status, body = settle(str(processing), "failed")

    assert (status, body) == (200, {"outcome": "processed"})
    assert Payment.objects.get(pk=processing).status == "succeeded"


def test_an_unknown_payment_is_a_command_error(db):
    with pytest.raises(CommandError, match="No payment"):
        settle("424242", "succeeded")


def test_a_payment_the_sandbox_never_charged_is_a_command_error(processing):
    SandboxCharge.objects.all().delete()

    with pytest.raises(CommandError, match="never received"):
        settle(str(processing), "succeeded")
    assert Payment.objects.get(pk=processing).status == "processing"


def test_settling_without_a_webhook_secret_is_a_command_error(processing, settings):
    settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET = ""

    with pytest.raises(CommandError, match="not set"):
        settle(str(processing), "succeeded")


def test_an_unknown_outcome_is_refused(processing):
    with pytest.raises(CommandError):
        settle(str(processing), "maybe")
