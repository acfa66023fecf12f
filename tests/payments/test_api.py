"""The payments API as clients and the provider see it."""

import html
import json
import re
import time

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from payments.gateways.sandbox import SandboxGateway
from payments.gateways.webhooks import signature_header
from payments.models import Payment, ProcessedWebhookEvent, Refund, SandboxCharge
from tests.factories import order_status
from tests.payments.support import (
    PAYMENTS_URL,
    WEBHOOK_URL,
    event_body,
    fail_charge,
    pay,
    sandbox_charge_count,
    send_webhook,
)

PAYMENT_FIELDS = {
    "id",
    "order_id",
    "amount",
    "currency",
    "status",
    "provider",
    "failure_code",
    "refunded_amount",
    "created_at",
    "updated_at",
}


def refund_url(payment_id: int) -> str:
    return f"{PAYMENTS_URL}{payment_id}/refund/"


@pytest.fixture
def paid(customer_client, order_id) -> dict:
    response = pay(customer_client, order_id, "tok_visa")
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def processing(customer_client, order_id) -> dict:
    response = pay(customer_client, order_id, "tok_async")
    assert response.status_code == 202
    return response.json()


def payment_status(payment_id: int) -> str:
    return Payment.objects.get(pk=payment_id).status


# POST payments/


def test_paying_with_tok_visa_is_201_and_the_order_is_paid(customer_client, order_id):
    response = pay(customer_client, order_id, "tok_visa")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == PAYMENT_FIELDS
    assert body["order_id"] == order_id
    assert (body["amount"], body["currency"]) == ("25.00", "USD")
    assert (body["status"], body["provider"]) == ("succeeded", "sandbox")
    assert (body["failure_code"], body["refunded_amount"]) == ("", "0.00")
    order = customer_client.get(f"/api/v1/orders/{order_id}/").json()
    assert order["status"] == "paid"


def test_a_declined_payment_is_402_and_a_retry_with_a_good_card_succeeds(customer_client, order_id):
    declined = pay(customer_client, order_id, "tok_chargeDeclined")

    assert declined.status_code == 402
    body = declined.json()
    assert (body["code"], body["detail"]) == ("card_declined", "The payment was declined.")
    assert body["payment"]["status"] == "failed"
    assert body["payment"]["failure_code"] == "card_declined"
    assert order_status(order_id) == "pending"

    retry = pay(customer_client, order_id, "tok_visa")

    assert retry.status_code == 201
    assert retry.json()["id"] != body["payment"]["id"]
    assert order_status(order_id) == "paid"
    kept = customer_client.get(f"{PAYMENTS_URL}{body['payment']['id']}/").json()
    assert kept["status"] == "failed"


def test_insufficient_funds_is_402_with_its_code(customer_client, order_id):
    response = pay(customer_client, order_id, "tok_insufficientFunds")

    assert response.status_code == 402
    assert response.json()["code"] == "insufficient_funds"


def test_tok_async_is_202_then_a_signed_webhook_settles_it_and_the_order_is_paid(
    customer_client, anon_client, order_id
):
    response = pay(customer_client, order_id, "tok_async")
    assert response.status_code == 202
    payment = response.json()
    assert payment["status"] == "processing"
    assert order_status(order_id) == "pending"

    delivered = send_webhook(anon_client, event_body(payment_id=payment["id"]))

    assert delivered.status_code == 200
    assert delivered.json() == {"outcome": "processed"}
    assert customer_client.get(f"{PAYMENTS_URL}{payment['id']}/").json()["status"] == "succeeded"
    assert order_status(order_id) == "paid"


def test_a_failed_webhook_fails_the_payment_and_the_order_can_be_paid_again(
    customer_client, anon_client, processing, order_id
):
    body = event_body(
        payment_id=processing["id"], event_type="payment.failed", failure_code="card_declined"
    )

    assert send_webhook(anon_client, body).status_code == 200

    failed = Payment.objects.get(pk=processing["id"])
    assert (failed.status, failed.failure_code) == ("failed", "card_declined")
    assert order_status(order_id) == "pending"
    assert pay(customer_client, order_id, "tok_visa").status_code == 201


@pytest.mark.parametrize("token", ["tok_unknown", "", "4242 4242 4242 4242"])
def test_an_unknown_token_is_400_and_nothing_is_recorded(customer_client, order_id, token):
    response = pay(customer_client, order_id, token)

    assert response.status_code == 400
    assert "token" in response.json()
    assert Payment.objects.count() == sandbox_charge_count() == 0


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"token": "tok_visa"},
        {"order_id": "abc", "token": "tok_visa"},
        {"order_id": 0, "token": "tok_visa"},
        {"order_id": 2**63, "token": "tok_visa"},
        {"order_id": 1},
        {"order_id": 1, "token": ["tok_visa"]},
        {"order_id": 1, "token": "x" * 256},
    ],
)
def test_a_malformed_payment_request_is_400(customer_client, payload):
    response = customer_client.post(PAYMENTS_URL, payload, format="json")

    assert response.status_code == 400
    assert Payment.objects.count() == 0


def test_card_data_is_not_accepted_only_a_token(customer_client, order_id):
    response = customer_client.post(
        PAYMENTS_URL,
        {"order_id": order_id, "card_number": "4242424242424242", "cvc": "123"},
        format="json",
    )

    assert response.status_code == 400
    assert "token" in response.json()


def test_paying_another_customers_order_is_404(other_client, order_id):
    response = pay(other_client, order_id, "tok_visa")

    assert response.status_code == 404
    assert Payment.objects.count() == 0
    assert order_status(order_id) == "pending"


def test_staff_cannot_pay_a_customers_order(staff_client, order_id):
    assert pay(staff_client, order_id, "tok_visa").status_code == 404


def test_paying_an_order_that_is_not_pending_is_409(customer_client, paid, order_id):
    response = pay(customer_client, order_id, "tok_visa")

    assert response.status_code == 409
    assert response.json()["code"] == "order_not_payable"
    assert sandbox_charge_count() == 1


def test_paying_while_a_payment_awaits_its_webhook_is_409(customer_client, processing, order_id):
    response = pay(customer_client, order_id, "tok_visa")

    assert response.status_code == 409
    assert response.json()["code"] == "order_not_payable"
    assert sandbox_charge_count() == 1


def test_paying_needs_authentication(anon_client, order_id):
    assert pay(anon_client, order_id, "tok_visa").status_code == 401


def test_a_provider_that_does_not_answer_is_502_and_a_retry_charges_once(
    customer_client, order_id, monkeypatch
):
    fail_charge(monkeypatch, after_capturing=True)

    response = pay(customer_client, order_id, "tok_visa")

    assert response.status_code == 502
    assert response.json() == {
        "detail": "The payment provider did not answer; try again.",
        "code": "gateway_unavailable",
    }
    assert payment_status(Payment.objects.get().pk) == "processing"

    monkeypatch.undo()
    retry = pay(customer_client, order_id, "tok_visa")

    assert retry.status_code == 201
    assert Payment.objects.count() == sandbox_charge_count() == 1
    assert order_status(order_id) == "paid"


# Idempotency-Key on POST payments/


def test_the_same_key_and_body_replays_the_first_success_and_pays_once(customer_client, order_id):
    first = pay(customer_client, order_id, "tok_visa", **{"Idempotency-Key": "pay-1"})
    again = pay(customer_client, order_id, "tok_visa", **{"Idempotency-Key": "pay-1"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == sandbox_charge_count() == 1


def test_a_processing_payment_replays_its_202(customer_client, anon_client, order_id):
    first = pay(customer_client, order_id, "tok_async", **{"Idempotency-Key": "pay-async"})
    send_webhook(anon_client, event_body(payment_id=first.json()["id"]))

    again = pay(customer_client, order_id, "tok_async", **{"Idempotency-Key": "pay-async"})

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json()
    assert sandbox_charge_count() == 1


def test_the_same_key_with_another_body_is_422(customer_client, order_id, place_order, customer):
    pay(customer_client, order_id, "tok_visa", **{"Idempotency-Key": "pay-2"})
    other_order = place_order(customer)

    response = pay(customer_client, other_order, "tok_visa", **{"Idempotency-Key": "pay-2"})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert order_status(other_order) == "pending"
    assert sandbox_charge_count() == 1


def test_a_twin_request_while_the_first_is_processing_is_409(
    customer_client, order_id, monkeypatch
):
    real_charge = SandboxGateway.charge
    twins = []

    def charge_while_a_twin_arrives(self, **kwargs):
        twins.append(pay(customer_client, order_id, "tok_visa", **{"Idempotency-Key": "pay-3"}))
        return real_charge(self, **kwargs)

    monkeypatch.setattr(SandboxGateway, "charge", charge_while_a_twin_arrives)

    first = pay(customer_client, order_id, "tok_visa", **{"Idempotency-Key": "pay-3"})

    assert first.status_code == 201
    assert [twin.status_code for twin in twins] == [409]
    assert twins[0].json()["code"] == "idempotency_key_in_progress"
    assert sandbox_charge_count() == 1


def test_a_declined_attempt_is_not_stored_so_its_retry_is_processed_afresh(
    customer_client, order_id
):
    declined = pay(customer_client, order_id, "tok_chargeDeclined", **{"Idempotency-Key": "k4"})
    again = pay(customer_client, order_id, "tok_chargeDeclined", **{"Idempotency-Key": "k4"})
    paid = pay(customer_client, order_id, "tok_visa", **{"Idempotency-Key": "k4"})

    assert (declined.status_code, again.status_code, paid.status_code) == (402, 402, 201)
    assert again.json()["payment"]["id"] != declined.json()["payment"]["id"]
    assert "Idempotent-Replayed" not in again.headers
    assert order_status(order_id) == "paid"


def test_a_refused_request_is_not_stored_so_its_retry_is_processed_afresh(
    customer_client, order_id
):
    refused = pay(customer_client, order_id, "tok_nope", **{"Idempotency-Key": "k5"})
    fixed = customer_client.post(
        PAYMENTS_URL,
        {"order_id": order_id, "token": "tok_visa"},
        format="json",
        headers={"Idempotency-Key": "k5"},
    )

    assert (refused.status_code, fixed.status_code) == (400, 201)


def test_a_502_is_not_stored_and_its_retry_with_the_same_key_charges_once(
    customer_client, order_id, monkeypatch
):
    fail_charge(monkeypatch, after_capturing=True)
    first = pay(customer_client, order_id, "tok_visa", **{"Idempotency-Key": "k6"})
    monkeypatch.undo()

    retry = pay(customer_client, order_id, "tok_visa", **{"Idempotency-Key": "k6"})

    assert (first.status_code, retry.status_code) == (502, 201)
    assert Payment.objects.count() == sandbox_charge_count() == 1


def test_keys_are_scoped_to_the_user(
    customer_client, other_client, other_customer, order_id, place_order
):
    other_order = place_order(other_customer)

    mine = pay(customer_client, order_id, "tok_visa", **{"Idempotency-Key": "shared"})
    theirs = pay(other_client, other_order, "tok_visa", **{"Idempotency-Key": "shared"})

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()["id"] != mine.json()["id"]


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "ünïcode"])
def test_an_invalid_idempotency_key_is_400(customer_client, order_id, key):
    response = pay(customer_client, order_id, "tok_visa", **{"Idempotency-Key": key})

    assert response.status_code == 400
    assert Payment.objects.count() == 0


# GET payments/ and payments/{id}/


def test_customers_list_only_their_own_payments(
    customer_client, other_client, paid, other_customer, place_order
):
    other_order = place_order(other_customer)
    pay(other_client, other_order, "tok_visa")

    response = customer_client.get(PAYMENTS_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [payment["id"] for payment in body["results"]] == [paid["id"]]
    assert set(body["results"][0]) == PAYMENT_FIELDS


def test_staff_list_every_payment_newest_first(
    staff_client, customer_client, other_client, other_customer, place_order, paid
):
    other_order = place_order(other_customer)
    later = pay(other_client, other_order, "tok_visa").json()

    body = staff_client.get(PAYMENTS_URL).json()

    assert [payment["id"] for payment in body["results"]] == [later["id"], paid["id"]]


def test_the_list_filters_by_order(customer_client, customer, place_order, order_id, paid):
    second_order = place_order(customer)
    pay(customer_client, second_order, "tok_chargeDeclined")

    body = customer_client.get(PAYMENTS_URL, {"order": second_order}).json()

    assert body["count"] == 1
    assert body["results"][0]["order_id"] == second_order


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", str(2**63)])
def test_a_malformed_order_filter_is_400(customer_client, value):
    response = customer_client.get(PAYMENTS_URL, {"order": value})

    assert response.status_code == 400
    assert "order" in response.json()


def test_the_list_needs_authentication(anon_client):
    assert anon_client.get(PAYMENTS_URL).status_code == 401


def test_the_owner_and_staff_see_a_payment(customer_client, staff_client, paid):
    mine = customer_client.get(f"{PAYMENTS_URL}{paid['id']}/")
    staffs = staff_client.get(f"{PAYMENTS_URL}{paid['id']}/")

    assert mine.status_code == staffs.status_code == 200
    assert mine.json() == staffs.json() == paid


def test_another_customers_payment_is_404(other_client, paid):
    response = other_client.get(f"{PAYMENTS_URL}{paid['id']}/")

    assert response.status_code == 404


@pytest.mark.parametrize("payment_id", ["999999", "abc", str(2**64)])
def test_an_unknown_payment_is_404(customer_client, payment_id):
    assert customer_client.get(f"{PAYMENTS_URL}{payment_id}/").status_code == 404


# POST payments/{id}/refund/


def test_staff_refund_the_whole_remainder_by_default(staff_client, paid):
    response = staff_client.post(refund_url(paid["id"]), {}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "payment_id", "amount", "currency", "created_at"}
    assert (body["payment_id"], body["amount"], body["currency"]) == (paid["id"], "25.00", "USD")
    payment = staff_client.get(f"{PAYMENTS_URL}{paid['id']}/").json()
    assert (payment["status"], payment["refunded_amount"]) == ("refunded", "25.00")


def test_a_partial_refund_then_an_over_refund_is_400(staff_client, paid):
    partial = staff_client.post(refund_url(paid["id"]), {"amount": "10.00"}, format="json")
    over = staff_client.post(refund_url(paid["id"]), {"amount": "15.01"}, format="json")

    assert partial.status_code == 201
    assert over.status_code == 400
    assert "amount" in over.json()
    payment = staff_client.get(f"{PAYMENTS_URL}{paid['id']}/").json()
    assert (payment["status"], payment["refunded_amount"]) == ("partially_refunded", "10.00")
    assert SandboxCharge.objects.get().refunded_amount == 10


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00", "1.001", "abc", "NaN", "1e3000", True])
def test_an_invalid_refund_amount_is_400_and_changes_nothing(staff_client, paid, amount):
    response = staff_client.post(refund_url(paid["id"]), {"amount": amount}, format="json")

    assert response.status_code == 400
    assert "amount" in response.json()
    assert Refund.objects.count() == 0


def test_refunding_a_failed_payment_is_409(staff_client, customer_client, order_id):
    failed = pay(customer_client, order_id, "tok_chargeDeclined").json()["payment"]

    response = staff_client.post(refund_url(failed["id"]), {}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "payment_not_refundable"


def test_refunding_a_refunded_payment_is_409(staff_client, paid):
    staff_client.post(refund_url(paid["id"]), {}, format="json")

    response = staff_client.post(refund_url(paid["id"]), {"amount": "1.00"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "payment_not_refundable"


def test_a_customer_cannot_refund_even_their_own_payment(customer_client, paid):
    response = customer_client.post(refund_url(paid["id"]), {}, format="json")

    assert response.status_code == 403
    assert payment_status(paid["id"]) == "succeeded"


def test_refunding_needs_authentication(anon_client, paid):
    assert anon_client.post(refund_url(paid["id"]), {}, format="json").status_code == 401


def test_refunding_an_unknown_payment_is_404(staff_client, db):
    assert staff_client.post(refund_url(999999), {}, format="json").status_code == 404


# Cancelling a paid order


def test_cancelling_a_paid_order_refunds_it_in_full(customer_client, paid, order_id):
    response = customer_client.post(f"/api/v1/orders/{order_id}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    payment = customer_client.get(f"{PAYMENTS_URL}{paid['id']}/").json()
    assert (payment["status"], payment["refunded_amount"]) == ("refunded", "25.00")
    assert SandboxCharge.objects.get().refunded_amount == 25


def test_cancellation_fails_and_keeps_the_order_paid_when_the_refund_fails(
    customer_client, paid, order_id, monkeypatch
):
    def refund(self, **kwargs):
        raise ConnectionError

    monkeypatch.setattr(SandboxGateway, "refund", refund)

    response = customer_client.post(f"/api/v1/orders/{order_id}/cancel/")

    assert response.status_code == 502
    assert order_status(order_id) == "paid"
    assert payment_status(paid["id"]) == "succeeded"


# The webhook


def test_the_webhook_needs_no_authentication_and_no_csrf_token(processing, order_id):
    client = APIClient(enforce_csrf_checks=True)

    response = send_webhook(client, event_body(payment_id=processing["id"]))

    assert response.status_code == 200
    assert order_status(order_id) == "paid"


def test_the_webhook_ignores_a_session_or_token_of_the_caller(customer_client, processing):
    response = send_webhook(customer_client, event_body(payment_id=processing["id"]))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "signing",
    [
        {"secret": "whsec_forged"},
        {"age": 301},
        {"age": -310},
        {"age": 86_400},
        {"header": ""},
        {"header": "t=1,v0=abc"},
    ],
)
def test_a_forged_or_stale_webhook_is_400_and_changes_nothing(
    anon_client, processing, order_id, signing
):
    if "age" in signing:
        signing = {"timestamp": int(time.time()) - signing["age"]}

    response = send_webhook(anon_client, event_body(payment_id=processing["id"]), **signing)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_webhook"
    assert payment_status(processing["id"]) == "processing"
    assert order_status(order_id) == "pending"
    assert ProcessedWebhookEvent.objects.count() == 0


def test_a_webhook_whose_body_was_tampered_with_is_400(anon_client, processing):
    signed_for = event_body(payment_id=processing["id"], event_type="payment.failed")
    header = signature_header(secret=settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET, body=signed_for)
    tampered = signed_for.replace(b"payment.failed", b"payment.succeeded")

    response = send_webhook(anon_client, tampered, header=header)

    assert response.status_code == 400
    assert payment_status(processing["id"]) == "processing"


def test_a_webhook_without_a_signature_header_is_400(anon_client, processing):
    response = anon_client.generic(
        "POST",
        WEBHOOK_URL,
        event_body(payment_id=processing["id"]),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert payment_status(processing["id"]) == "processing"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"{}",
        b'{"id": "evt_1", "type": "payment.succeeded", "data": {"payment_id": "one"}}',
        event_body(payment_id=2**64),
    ],
)
def test_a_signed_body_that_is_not_the_event_json_is_400(anon_client, processing, body):
    response = send_webhook(anon_client, body)

    assert response.status_code == 400
    assert payment_status(processing["id"]) == "processing"


def test_a_replayed_event_id_changes_nothing(anon_client, customer_client, processing, order_id):
    failed = event_body(payment_id=processing["id"], event_type="payment.failed", event_id="evt_A")
    assert send_webhook(anon_client, failed).json() == {"outcome": "processed"}
    second = pay(customer_client, order_id, "tok_async").json()

    replay = send_webhook(anon_client, event_body(payment_id=second["id"], event_id="evt_A"))

    assert replay.status_code == 200
    assert replay.json() == {"outcome": "duplicate"}
    assert payment_status(second["id"]) == "processing"
    assert order_status(order_id) == "pending"


def test_the_same_delivery_twice_settles_once(anon_client, processing, order_id):
    body = event_body(payment_id=processing["id"], event_id="evt_twice")

    first = send_webhook(anon_client, body)
    second = send_webhook(anon_client, body)

    assert [first.json()["outcome"], second.json()["outcome"]] == ["processed", "duplicate"]
    assert order_status(order_id) == "paid"
    assert ProcessedWebhookEvent.objects.count() == 1


def test_payment_failed_after_succeeded_changes_nothing(anon_client, processing, order_id):
    send_webhook(anon_client, event_body(payment_id=processing["id"]))

    late = send_webhook(
        anon_client, event_body(payment_id=processing["id"], event_type="payment.failed")
    )

    assert late.status_code == 200
    payment = Payment.objects.get(pk=processing["id"])
    assert (payment.status, payment.failure_code) == ("succeeded", "")
    assert order_status(order_id) == "paid"


def test_payment_failed_after_an_immediate_success_changes_nothing(anon_client, paid, order_id):
    response = send_webhook(
        anon_client, event_body(payment_id=paid["id"], event_type="payment.failed")
    )

    assert response.status_code == 200
    assert payment_status(paid["id"]) == "succeeded"
    assert order_status(order_id) == "paid"


def test_an_event_for_an_unknown_payment_is_200_and_changes_nothing(anon_client, processing):
    response = send_webhook(anon_client, event_body(payment_id=987654))

    assert response.status_code == 200
    assert response.json() == {"outcome": "ignored"}
    assert ProcessedWebhookEvent.objects.count() == 0


def test_an_event_of_another_type_is_200_and_changes_nothing(anon_client, processing):
    response = send_webhook(
        anon_client, event_body(payment_id=processing["id"], event_type="charge.refunded")
    )

    assert response.status_code == 200
    assert response.json() == {"outcome": "ignored"}
    assert payment_status(processing["id"]) == "processing"


def test_an_event_naming_another_charge_changes_nothing(anon_client, processing, order_id):
    response = send_webhook(
        anon_client, event_body(payment_id=processing["id"], charge="ch_sandbox_someone_else")
    )

    assert response.status_code == 200
    assert payment_status(processing["id"]) == "processing"
    assert order_status(order_id) == "pending"


def test_a_success_for_an_order_cancelled_meanwhile_is_refunded_at_once(
    anon_client, customer_client, processing, order_id
):
    assert customer_client.post(f"/api/v1/orders/{order_id}/cancel/").status_code == 200
    assert payment_status(processing["id"]) == "processing"

    response = send_webhook(anon_client, event_body(payment_id=processing["id"]))

    assert response.status_code == 200
    payment = Payment.objects.get(pk=processing["id"])
    assert (payment.status, payment.refunded_amount) == ("refunded", 25)
    assert order_status(order_id) == "cancelled"
    assert SandboxCharge.objects.get().refunded_amount == 25


def test_a_failure_for_an_order_cancelled_meanwhile_just_fails_the_payment(
    anon_client, customer_client, processing, order_id
):
    customer_client.post(f"/api/v1/orders/{order_id}/cancel/")

    send_webhook(anon_client, event_body(payment_id=processing["id"], event_type="payment.failed"))

    assert payment_status(processing["id"]) == "failed"
    assert Refund.objects.count() == 0


def test_a_webhook_body_too_large_to_read_is_400(anon_client, processing, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = send_webhook(anon_client, event_body(payment_id=processing["id"], pad="x" * 2048))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_webhook"
    assert payment_status(processing["id"]) == "processing"


def test_the_webhook_only_accepts_post(anon_client, db):
    assert anon_client.get(WEBHOOK_URL).status_code == 405


def _raw_form_content(response) -> dict:
    """The JSON the browsable API pre-fills in its "Raw data" form."""
    textarea = re.search(r'<textarea name="_content"[^>]*>(.*?)</textarea>', response.text, re.S)
    return json.loads(html.unescape(textarea.group(1)))


def test_the_browsable_api_forms_show_what_paying_and_refunding_take(customer, staff, paid):
    customer_session, staff_session = APIClient(), APIClient()
    customer_session.force_login(customer)
    staff_session.force_login(staff)

    pay_page = customer_session.get(PAYMENTS_URL, HTTP_ACCEPT="text/html")
    refund_page = staff_session.get(refund_url(paid["id"]), HTTP_ACCEPT="text/html")

    assert _raw_form_content(pay_page) == {"order_id": None, "token": ""}
    assert _raw_form_content(refund_page) == {"amount": None}
