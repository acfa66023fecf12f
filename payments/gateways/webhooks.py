"""The webhook format of the public contract: the `Shop-Signature` header and the JSON body.

`Shop-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. Several
`v1` entries may be present (a provider rotating its secret signs with both); any one that
matches accepts. Other schemes (`v0`) are ignored, so a header with only those is refused. The
timestamp bounds replays of a captured delivery to `TOLERANCE_SECONDS` either side of now.
"""

import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping

from kernel.ids import is_id
from payments.exceptions import InvalidWebhook
from payments.gateways.base import WebhookEvent

SIGNATURE_HEADER = "Shop-Signature"
TOLERANCE_SECONDS = 300
PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_FAILED = "payment.failed"
PAYMENT_EVENT_TYPES = frozenset({PAYMENT_SUCCEEDED, PAYMENT_FAILED})
DEFAULT_FAILURE_CODE = "payment_failed"

_TIMESTAMP = re.compile(r"\d{1,12}")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


def compute_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value a provider sends with `body`, signed now unless told otherwise."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={compute_signature(secret=secret, timestamp=timestamp, body=body)}"


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
    if not header:
        raise InvalidWebhook(f"The {SIGNATURE_HEADER} header is missing.")
    timestamps: list[str] = []
    candidates: list[str] = []
    for item in header.split(","):
        scheme, separator, value = item.strip().partition("=")
        if not separator:
            raise InvalidWebhook(f"The {SIGNATURE_HEADER} header is malformed.")
        if scheme == "t":
            timestamps.append(value)
        elif scheme == "v1":
            candidates.append(value.lower())
    if len(timestamps) != 1 or not _TIMESTAMP.fullmatch(timestamps[0]):
        raise InvalidWebhook(f"The {SIGNATURE_HEADER} header needs exactly one timestamp `t`.")
    if not candidates:
        raise InvalidWebhook(f"The {SIGNATURE_HEADER} header has no v1 signature.")
    timestamp = int(timestamps[0])
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise InvalidWebhook("The webhook timestamp is too far from now.")
    expected = compute_signature(secret=secret, timestamp=timestamp, body=body)
    valid = [
        hmac.compare_digest(expected, candidate)
        for candidate in candidates
        if _HEX_SHA256.fullmatch(candidate)
    ]
    if not any(valid):
        raise InvalidWebhook("The webhook signature does not match.")


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
