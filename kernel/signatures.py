"""The one signature scheme of webhooks, both ways: the `Shop-Signature` header.

`Shop-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. The shop signs
what it sends to integrators (`kernel.webhooks`) and verifies what a payment provider sends it
(`payments.gateways.webhooks`) with it. Several `v1` entries may be present (a sender rotating
its secret signs with both); any one that matches accepts. Other schemes (`v0`) are ignored, so a
header with only those is refused. The timestamp bounds replays of a captured delivery to
`TOLERANCE_SECONDS` either side of now.
"""

import hashlib
import hmac
import re
import time

SIGNATURE_HEADER = "Shop-Signature"
TOLERANCE_SECONDS = 300

_TIMESTAMP = re.compile(r"\d{1,12}")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


class InvalidSignature(ValueError):
    """A signature header that is missing, malformed, stale or does not match; says which."""


def compute_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value that signs `body`, signed now unless told otherwise."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={compute_signature(secret=secret, timestamp=timestamp, body=body)}"


def verify_signature(
    *, secret: str, body: bytes, header: str | None, now: float | None = None
) -> None:
    """Raise `InvalidSignature` unless `header` carries a fresh, valid `v1` signature of `body`."""
    if not secret:
        raise InvalidSignature("No secret to verify the signature with.")
    if not header:
        raise InvalidSignature(f"The {SIGNATURE_HEADER} header is missing.")
    timestamps: list[str] = []
    candidates: list[str] = []
    for item in header.split(","):
        scheme, separator, value = item.strip().partition("=")
        if not separator:
            raise InvalidSignature(f"The {SIGNATURE_HEADER} header is malformed.")
        if scheme == "t":
            timestamps.append(value)
        elif scheme == "v1":
            candidates.append(value.lower())
    if len(timestamps) != 1 or not _TIMESTAMP.fullmatch(timestamps[0]):
        raise InvalidSignature(f"The {SIGNATURE_HEADER} header needs exactly one timestamp `t`.")
    if not candidates:
        raise InvalidSignature(f"The {SIGNATURE_HEADER} header has no v1 signature.")
    timestamp = int(timestamps[0])
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise InvalidSignature("The webhook timestamp is too far from now.")
    expected = compute_signature(secret=secret, timestamp=timestamp, body=body)
    valid = [
        hmac.compare_digest(expected, candidate)
        for candidate in candidates
        if _HEX_SHA256.fullmatch(candidate)
    ]
    if not any(valid):
        raise InvalidSignature("The webhook signature does not match.")
