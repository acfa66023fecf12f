"""The provider's webhook: the `Shop-Signature` header (`kernel.signatures`, the scheme the shop
also signs its own webhooks with) and the contract's JSON body."""

import json
from collections.abc import Mapping

from kernel import signatures
from kernel.ids import is_id
from kernel.signatures import SIGNATURE_HEADER as SIGNATURE_HEADER
from kernel.signatures import TOLERANCE_SECONDS as TOLERANCE_SECONDS
from kernel.signatures import compute_signature as compute_signature
from kernel.signatures import signature_header as signature_header
from payments.exceptions import InvalidWebhook
from payments.gateways.base import WebhookEvent

PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_FAILED = "payment.failed"
PAYMENT_EVENT_TYPES = frozenset({PAYMENT_SUCCEEDED, PAYMENT_FAILED})
DEFAULT_FAILURE_CODE = "payment_failed"


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """`headers[name]`, case-insensitively, for Django's headers and plain dicts alike."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def verify_signature(
    *, secret: str, body: bytes, header: str | None, now: float | None = None
) -> None:
    """Raise `InvalidWebhook` unless `header` carries a fresh, valid `v1` signature of `body`."""
    if not secret:
        raise InvalidWebhook("Webhooks are not accepted: no webhook secret is configured.")
    try:
        signatures.verify_signature(secret=secret, body=body, header=header, now=now)
    except signatures.InvalidSignature as error:
        raise InvalidWebhook(str(error)) from None


def _text(value: object, *, max_length: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= max_length and value.isprintable()


def parse_event(body: bytes) -> WebhookEvent:
    """The event in a verified body; raise `InvalidWebhook` for anything but the contract's JSON."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        raise InvalidWebhook("The webhook body is not JSON.") from None
    if not isinstance(payload, dict):
        raise InvalidWebhook("The webhook body must be a JSON object.")
    event_id, event_type, data = payload.get("id"), payload.get("type"), payload.get("data")
    if not _text(event_id, max_length=255) or not event_id.startswith("evt_"):
        raise InvalidWebhook('The webhook needs an "id" like "evt_…".')
    if not _text(event_type, max_length=100):
        raise InvalidWebhook('The webhook needs a "type".')
    if not isinstance(data, dict):
        raise InvalidWebhook('The webhook needs a "data" object.')
    if event_type not in PAYMENT_EVENT_TYPES:
        return WebhookEvent(id=event_id, type=event_type)

    payment_id = data.get("payment_id")
    if not is_id(payment_id):
        raise InvalidWebhook('"data.payment_id" must be a payment id.')
    failure_code = data.get("failure_code")
    if failure_code is not None and not _text(failure_code, max_length=64):
        raise InvalidWebhook('"data.failure_code" must be a short string.')
    charge_reference = data.get("charge")
    if charge_reference is not None and not _text(charge_reference, max_length=255):
        raise InvalidWebhook('"data.charge" must be a charge reference.')
    return WebhookEvent(
        id=event_id,
        type=event_type,
        payment_id=payment_id,
        failure_code=(failure_code or DEFAULT_FAILURE_CODE) if event_type == PAYMENT_FAILED else "",
        charge_reference=charge_reference or "",
    )
