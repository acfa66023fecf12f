"""Helpers for the payments tests: paying through the API, signed webhooks, the sandbox's ledger."""

import json
import time
import uuid
from decimal import Decimal

from django.conf import settings

from payments.gateways.sandbox import SandboxGateway
from payments.gateways.webhooks import SIGNATURE_HEADER, signature_header
from payments.models import SandboxCharge

PAYMENTS_URL = "/api/v1/payments/"
WEBHOOK_URL = "/api/v1/payments/webhooks/sandbox/"
ORDER_TOTAL = Decimal("25.00")


def fail_charge(monkeypatch, *, after_capturing: bool, error: Exception | None = None) -> list[str]:
    """Make the sandbox's charges fail with `error` (a timeout unless given), before or after
    the provider captures the money; the idempotency keys of the charges tried, in order."""
    real_charge = SandboxGateway.charge
    keys: list[str] = []

    def charge(self, **kwargs):
        keys.append(kwargs["idempotency_key"])
        if after_capturing:
            real_charge(self, **kwargs)
        raise error or TimeoutError("The provider did not answer in time.")

    monkeypatch.setattr(SandboxGateway, "charge", charge)
    return keys


def fail_refund(monkeypatch, error: Exception) -> None:
    """Make the sandbox's refunds fail with `error` before the provider records anything."""

    def refund(self, **kwargs):
        raise error

    monkeypatch.setattr(SandboxGateway, "refund", refund)


def sandbox_charge_count() -> int:
    return SandboxCharge.objects.count()


def pay(client, order_id: int, token: str = "tok_visa", **headers):
    return client.post(
        PAYMENTS_URL, {"order_id": order_id, "token": token}, format="json", headers=headers
    )


def event_body(
    *, payment_id, event_type: str = "payment.succeeded", event_id: str | None = None, **data
) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex}",
            "type": event_type,
            "data": {"payment_id": payment_id, **data},
        }
    ).encode()


def send_webhook(
    client,
    body: bytes,
    *,
    secret: str | None = None,
    timestamp: int | None = None,
    header: str | None = None,
):
    """POST `body` to the sandbox webhook, signed with the shop's secret unless told otherwise."""
    if header is None:
        header = signature_header(
            secret=settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET if secret is None else secret,
            body=body,
            timestamp=int(time.time()) if timestamp is None else timestamp,
        )
    return client.generic(
        "POST",
        WEBHOOK_URL,
        body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: header},
    )
