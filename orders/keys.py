"""A guest order's key: the secret that opens an order without a customer.

The key is `secrets.token_urlsafe(32)` (256 random bits). Only its SHA-256 is stored, so a leak
of the database (or a backup, or a log of its queries) opens no order; a fast hash is enough
for a random secret of that length (there is nothing to guess a dictionary from). A presented
key is hashed and compared with `hmac.compare_digest`, so the comparison takes the same time
wherever the hashes differ.
"""

import hashlib
import hmac
import secrets

KEY_BYTES = 32


def new_key() -> tuple[str, str]:
    """A fresh key and its hash."""
    key = secrets.token_urlsafe(KEY_BYTES)
    return key, key_hash(key)


def key_hash(key: str) -> str:
    """The SHA-256 hex digest of `key`, as `Order.key_hash` keeps it."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_opens(*, key: str | None, stored_hash: str | None) -> bool:
    """Whether `key` is the one `stored_hash` was made from (never for an order without one)."""
    if not key or not isinstance(key, str):
        return False
    presented = key_hash(key)
    # Compared even when there is no stored hash, so both answers take the same time.
    matches = hmac.compare_digest(presented, stored_hash or "0" * len(presented))
    return matches and stored_hash is not None
