"""Order numbers people can read aloud: `ORD-` and ten Crockford base32 characters.

Crockford's alphabet leaves out I, L, O and U, so a number survives being read over the phone.
Ten characters are 50 random bits; a collision is so rare that a few retries are plenty.
"""

import secrets

PREFIX = "ORD-"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10


def generate_order_number() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
