"""The provider's webhook, attacked: only a valid `v1` signature of the raw body, made within
the last 300 s, settles anything, and a settled payment never goes back."""

import time

import pytest
from django.conf import settings

from orders.models import OrderEvent
from payments.gateways.webhooks import compute_signature
from payments.models import Payment
from tests.factories import order_status
from tests.payments.support import event_body, send_webhook

pytestmark = pytest.mark.django_db

FORGED = "0" * 64


def _signature(body: bytes, timestamp: int, secret: str | None = None) -> str:
    return compute_signature(
        secret=secret or settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET, timestamp=timestamp, body=body
    )


def _settled(shop) -> tuple[str, str, int]:
    order_id = shop.processing_order
    return (
        Payment.objects.get(pk=shop.payments["processing"]).status,
        order_status(order_id),
        OrderEvent.objects.filter(order_id=order_id, status="paid").count(),
    )


@pytest.mark.parametrize("position", [0, 1, 2])
def test_one_valid_v1_among_several_signatures_is_accepted(anon_client, shop, position):
    body = event_body(payment_id=shop.payments["processing"])
    now = int(time.time())
    signatures = [_signature(body, now, secret="whsec_rotated_out"), FORGED, FORGED]
    signatures[position] = _signature(body, now)
    header = f"t={now}," + ",".join(f"v1={signature}" for signature in signatures)

    response = send_webhook(anon_client, body, header=header)

    assert response.status_code == 200
    assert response.json() == {"outcome": "processed"}
    assert _settled(shop) == ("succeeded", "paid", 1)


@pytest.mark.parametrize(
    "schemes",
    [("v0",), ("v0", "v0"), ("v0", "v2"), ("V1",)],
    ids=["v0", "two-v0", "v0-and-v2", "upper-case-V1"],
)
def test_a_correct_signature_under_any_scheme_but_v1_is_refused(
    anon_client, shop, unchanged, schemes
):
    body = event_body(payment_id=shop.payments["processing"])
    now = int(time.time())
    header = f"t={now}," + ",".join(f"{scheme}={_signature(body, now)}" for scheme in schemes)

    response = send_webhook(anon_client, body, header=header)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_webhook"


@pytest.mark.parametrize(
    "header",
    [
        "t={now},v1={forged}",
        "t={stale},v1={stale_signature}",
        "t={future},v1={future_signature}",
        "v1={signature}",
        "t={now},t={now},v1={signature}",
        "t=abc,v1={signature}",
        "t={now};v1={signature}",
        "",
    ],
    ids=["forged", "stale", "future", "no-t", "two-t", "bad-t", "bad-separator", "empty"],
)
def test_a_forged_stale_or_malformed_signature_is_400_and_changes_nothing(
    anon_client, shop, unchanged, header
):
    body = event_body(payment_id=shop.payments["processing"])
    now = int(time.time())
    stale, future = now - 301, now + 301
    filled = header.format(
        now=now,
        stale=stale,
        future=future,
        forged=FORGED,
        signature=_signature(body, now),
        stale_signature=_signature(body, stale),
        future_signature=_signature(body, future),
    )

    response = send_webhook(anon_client, body, header=filled)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_webhook"


def _signed(client, body: bytes):
    now = int(time.time())
    return send_webhook(client, body, header=f"t={now},v1={_signature(body, now)}")


def test_payment_failed_after_payment_succeeded_is_200_and_changes_nothing(anon_client, shop):
    payment_id = shop.payments["processing"]
    assert _signed(anon_client, event_body(payment_id=payment_id)).status_code == 200
    settled = _settled(shop)

    late = _signed(anon_client, event_body(payment_id=payment_id, event_type="payment.failed"))

    assert late.status_code == 200
    assert _settled(shop) == settled == ("succeeded", "paid", 1)


def test_payment_succeeded_after_payment_failed_changes_nothing(anon_client, shop):
    payment_id = shop.payments["processing"]
    failed = event_body(payment_id=payment_id, event_type="payment.failed")
    assert _signed(anon_client, failed).status_code == 200

    late = _signed(anon_client, event_body(payment_id=payment_id))

    assert late.status_code == 200
    assert _settled(shop) == ("failed", "pending", 0)


def test_a_replayed_delivery_settles_nothing_twice(anon_client, shop):
    body = event_body(payment_id=shop.payments["processing"], event_id="evt_once")
    first = _signed(anon_client, body)

    replays = [_signed(anon_client, body) for _ in range(3)]

    assert first.json() == {"outcome": "processed"}
    assert {response.json()["outcome"] for response in replays} == {"duplicate"}
    assert _settled(shop) == ("succeeded", "paid", 1)


def test_a_signed_event_for_a_payment_that_already_succeeded_changes_it_not(anon_client, shop):
    payment_id = shop.payments["succeeded"]
    before = Payment.objects.filter(pk=payment_id).values().get()

    response = _signed(anon_client, event_body(payment_id=payment_id, event_type="payment.failed"))

    assert response.status_code == 200
    assert Payment.objects.filter(pk=payment_id).values().get() == before
    assert order_status(shop.orders["paid"]) == "paid"
