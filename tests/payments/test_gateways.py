"""The gateway contract: the sandbox's test tokens and idempotency, and webhook verification."""

import json
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from payments.checks import check_gateway_setting
from payments.exceptions import InvalidPaymentToken, InvalidWebhook
from payments.gateways import get_gateway
from payments.gateways.base import PaymentGateway
from payments.gateways.sandbox import SandboxGateway
from payments.gateways.webhooks import (
    compute_signature,
    parse_event,
    signature_header,
    verify_signature,
)
from payments.models import SandboxCharge, SandboxRefund

SECRET = "whsec_unit"
BODY = b'{"id": "evt_1", "type": "payment.succeeded", "data": {"payment_id": 7}}'
NOW = 1_700_000_000


@pytest.fixture
def sandbox(db) -> SandboxGateway:
    return SandboxGateway()


def charge(sandbox, token: str, key: str = "payment-1", amount: str = "25.00"):
    return sandbox.charge(amount=Decimal(amount), currency="USD", token=token, idempotency_key=key)


# The sandbox's test tokens


def test_tok_visa_succeeds_at_once(sandbox):
    result = charge(sandbox, "tok_visa")

    assert result.status == "succeeded"
    assert result.amount == Decimal("25.00")
    assert result.currency == "USD"
    assert result.reference.startswith("ch_sandbox_")
    assert result.failure_code == ""


@pytest.mark.parametrize(
    ("token", "failure_code"),
    [("tok_chargeDeclined", "card_declined"), ("tok_insufficientFunds", "insufficient_funds")],
)
def test_declining_tokens_fail_with_their_code(sandbox, token, failure_code):
    result = charge(sandbox, token)

    assert result.status == "failed"
    assert result.failure_code == failure_code


def test_tok_async_stays_processing(sandbox):
    assert charge(sandbox, "tok_async").status == "processing"


@pytest.mark.parametrize("token", ["tok_unknown", "", "4242424242424242", "TOK_VISA"])
def test_any_other_token_is_refused_before_anything_is_charged(sandbox, token):
    with pytest.raises(InvalidPaymentToken):
        sandbox.validate_token(token=token)
    with pytest.raises(InvalidPaymentToken):
        charge(sandbox, token)

    assert SandboxCharge.objects.count() == 0


def test_the_same_idempotency_key_charges_once_and_answers_the_first_result(sandbox):
    first = charge(sandbox, "tok_visa", key="payment-9")
    again = charge(sandbox, "tok_chargeDeclined", key="payment-9")

    assert again == first
    assert SandboxCharge.objects.count() == 1


def test_different_idempotency_keys_are_different_charges(sandbox):
    charge(sandbox, "tok_visa", key="payment-1")
    charge(sandbox, "tok_visa", key="payment-2")

    assert SandboxCharge.objects.count() == 2


def test_a_refund_is_made_once_per_idempotency_key(sandbox):
    captured = charge(sandbox, "tok_visa")

    first = sandbox.refund(
        charge_reference=captured.reference,
        amount=Decimal("10.00"),
        currency="USD",
        idempotency_key="refund-1",
    )
    again = sandbox.refund(
        charge_reference=captured.reference,
        amount=Decimal("10.00"),
        currency="USD",
        idempotency_key="refund-1",
    )

    assert first.status == "succeeded"
    assert again == first
    assert SandboxRefund.objects.count() == 1
    assert SandboxCharge.objects.get().refunded_amount == Decimal("10.00")


@pytest.mark.parametrize(
    ("token", "amount", "currency", "failure_code"),
    [
        ("tok_visa", "25.01", "USD", "amount_too_large"),
        ("tok_visa", "5.00", "EUR", "currency_mismatch"),
        ("tok_chargeDeclined", "5.00", "USD", "charge_not_captured"),
    ],
)
def test_the_sandbox_refuses_refunds_it_cannot_make(sandbox, token, amount, currency, failure_code):
    captured = charge(sandbox, token)

    result = sandbox.refund(
        charge_reference=captured.reference,
        amount=Decimal(amount),
        currency=currency,
        idempotency_key="refund-1",
    )

    assert result.status == "failed"
    assert result.failure_code == failure_code
    assert SandboxRefund.objects.count() == 0


def test_a_refund_of_an_unknown_charge_fails(sandbox):
    result = sandbox.refund(
        charge_reference="ch_nope", amount=Decimal("1.00"), currency="USD", idempotency_key="r"
    )

    assert (result.status, result.failure_code) == ("failed", "no_such_charge")


def test_settling_an_async_charge_decides_it_once(sandbox):
    charge(sandbox, "tok_async", key="payment-3")

    reference = sandbox.settle_async_charge(
        idempotency_key="payment-3", succeeded=False, failure_code="card_declined"
    )
    sandbox.settle_async_charge(idempotency_key="payment-3", succeeded=True, failure_code="")

    settled = SandboxCharge.objects.get()
    assert reference == settled.reference
    assert (settled.status, settled.failure_code) == ("failed", "card_declined")


# The registry


def test_the_configured_gateway_comes_from_settings(settings):
    settings.PAYMENTS_GATEWAY = "sandbox"

    gateway = get_gateway()

    assert isinstance(gateway, SandboxGateway)
    assert isinstance(gateway, PaymentGateway)


def test_an_unknown_gateway_name_is_a_configuration_error(settings):
    settings.PAYMENTS_GATEWAY = "acme"

    with pytest.raises(ImproperlyConfigured):
        get_gateway()
    assert [error.id for error in check_gateway_setting()] == ["payments.E001"]


def test_the_system_check_accepts_a_known_gateway(settings):
    settings.PAYMENTS_GATEWAY = "sandbox"

    assert check_gateway_setting() == []


# Signature verification


def verify(header: str | None, *, body: bytes = BODY, secret: str = SECRET, now: float = NOW):
    verify_signature(secret=secret, body=body, header=header, now=now)


def v1(timestamp: int = NOW, body: bytes = BODY, secret: str = SECRET) -> str:
    return compute_signature(secret=secret, timestamp=timestamp, body=body)


def test_a_correct_signature_is_accepted():
    verify(signature_header(secret=SECRET, body=BODY, timestamp=NOW))


def test_any_one_valid_v1_among_several_is_accepted():
    wrong = v1(secret="an-old-secret")

    verify(f"t={NOW},v1={wrong},v1={v1()}")
    verify(f"t={NOW}, v1={v1()}, v1={wrong}")


def test_only_wrong_v1_signatures_are_refused():
    with pytest.raises(InvalidWebhook, match="does not match"):
        verify(f"t={NOW},v1={v1(secret='x')},v1={'0' * 64}")


def test_a_header_with_only_v0_signatures_is_refused():
    with pytest.raises(InvalidWebhook, match="no v1"):
        verify(f"t={NOW},v0={v1()}")


@pytest.mark.parametrize("offset", [301, -301, 10_000])
def test_a_timestamp_more_than_300_seconds_from_now_is_refused(offset):
    timestamp = NOW - offset

    with pytest.raises(InvalidWebhook, match="too far"):
        verify(f"t={timestamp},v1={v1(timestamp)}")


@pytest.mark.parametrize("offset", [300, -300, 0])
def test_a_timestamp_within_300_seconds_is_accepted(offset):
    timestamp = NOW - offset

    verify(f"t={timestamp},v1={v1(timestamp)}")


def test_a_tampered_body_is_refused():
    tampered = BODY.replace(b'"payment_id": 7', b'"payment_id": 8')

    with pytest.raises(InvalidWebhook, match="does not match"):
        verify(f"t={NOW},v1={v1()}", body=tampered)


def test_a_signature_for_another_timestamp_is_refused():
    with pytest.raises(InvalidWebhook, match="does not match"):
        verify(f"t={NOW},v1={v1(NOW - 1)}")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        f"v1={'a' * 64}",
        f"t=abc,v1={'a' * 64}",
        f"t={NOW},t={NOW},v1={'a' * 64}",
        f"t={NOW},v1=",
        f"t={NOW},v1=é",
    ],
)
def test_a_missing_or_malformed_header_is_refused(header):
    with pytest.raises(InvalidWebhook):
        verify(header)


def test_nothing_is_accepted_when_no_secret_is_configured():
    unsigned_with_empty_key = signature_header(secret="", body=BODY, timestamp=NOW)

    with pytest.raises(InvalidWebhook, match="no webhook secret"):
        verify(unsigned_with_empty_key, secret="")


def test_the_sandbox_verifies_with_the_secret_from_settings(sandbox, settings):
    settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET = "whsec_from_settings"
    now = int(time.time())
    signed = signature_header(secret="whsec_from_settings", body=BODY, timestamp=now)
    signed_with_another = signature_header(secret=SECRET, body=BODY, timestamp=now)

    event = sandbox.parse_webhook(body=BODY, headers={"shop-signature": signed})

    assert (event.id, event.type, event.payment_id) == ("evt_1", "payment.succeeded", 7)
    with pytest.raises(InvalidWebhook):
        sandbox.parse_webhook(body=BODY, headers={"Shop-Signature": signed_with_another})


# The event body


def body_of(payload) -> bytes:
    return json.dumps(payload).encode()


def test_a_failed_event_carries_its_failure_code_or_a_default():
    coded = parse_event(
        body_of(
            {
                "id": "evt_2",
                "type": "payment.failed",
                "data": {"payment_id": 3, "failure_code": "card_declined"},
            }
        )
    )
    uncoded = parse_event(
        body_of({"id": "evt_3", "type": "payment.failed", "data": {"payment_id": 3}})
    )

    assert coded.failure_code == "card_declined"
    assert uncoded.failure_code == "payment_failed"


def test_an_event_of_another_type_parses_without_a_payment():
    event = parse_event(body_of({"id": "evt_4", "type": "charge.dispute.created", "data": {}}))

    assert (event.type, event.payment_id) == ("charge.dispute.created", None)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe\x00",
        b"[]",
        b'"evt_1"',
        body_of({"type": "payment.succeeded", "data": {"payment_id": 1}}),
        body_of({"id": "1", "type": "payment.succeeded", "data": {"payment_id": 1}}),
        body_of({"id": 1, "type": "payment.succeeded", "data": {"payment_id": 1}}),
        body_of({"id": "evt_1", "data": {"payment_id": 1}}),
        body_of({"id": "evt_1", "type": 5, "data": {"payment_id": 1}}),
        body_of({"id": "evt_1", "type": "payment.succeeded"}),
        body_of({"id": "evt_1", "type": "payment.succeeded", "data": []}),
        body_of({"id": "evt_1", "type": "payment.succeeded", "data": {}}),
        body_of({"id": "evt_1", "type": "payment.succeeded", "data": {"payment_id": "1"}}),
        body_of({"id": "evt_1", "type": "payment.succeeded", "data": {"payment_id": True}}),
        body_of({"id": "evt_1", "type": "payment.succeeded", "data": {"payment_id": 1.0}}),
        body_of({"id": "evt_1", "type": "payment.succeeded", "data": {"payment_id": 0}}),
        body_of({"id": "evt_1", "type": "payment.succeeded", "data": {"payment_id": 2**63}}),
        body_of(
            {"id": "evt_1", "type": "payment.failed", "data": {"payment_id": 1, "failure_code": 5}}
        ),
        body_of(
            {"id": "evt_1", "type": "payment.succeeded", "data": {"payment_id": 1, "charge": 1}}
        ),
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_a_body_that_is_not_the_event_json_is_refused(body):
    with pytest.raises(InvalidWebhook):
        parse_event(body)
