"""The JWTs accounts issues: simplejwt's, plus the user's token generation in the claim `gen`.

A user's `token_generation` goes up when they log out or their password changes (or is set in
the admin). An access token whose `gen` is not the user's current generation is refused
(`accounts.authentication`), so those events end every access token issued before them
without a revocation list. Tokens issued before generations existed carry no `gen` and count
as generation 0.
"""

import re

from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken as SimpleJWTRefreshToken
from rest_framework_simplejwt.tokens import Token

from kernel.ids import is_id

GENERATION_CLAIM = "gen"
# What simplejwt writes: the id in decimal, nothing around it (at most 19 digits, as MAX_ID).
_DECIMAL_ID = re.compile(r"[1-9][0-9]{0,18}")


def token_user_id(token: Token) -> int | None:
    """The id of the user a token names, or None when its claim is no id at all.

    simplejwt writes the id as a decimal string (older versions wrote an int). Anything else —
    a float, a bool, a signed, padded or out-of-range number, a list, null, no claim — names
    nobody: looking it up would fail in the database, or find the user it rounds to.
    """
    claim = token.get(jwt_settings.USER_ID_CLAIM)
    if isinstance(claim, str) and _DECIMAL_ID.fullmatch(claim):
        claim = int(claim)
    return claim if is_id(claim) else None


def token_generation(token: Token) -> int:
    """The generation a token was issued in (0 for a token without the claim)."""
    return token.get(GENERATION_CLAIM, 0)


class _GenerationClaim(Token):
    @classmethod
    def for_user(cls, user):
        token = super().for_user(user)
        token[GENERATION_CLAIM] = user.token_generation
        return token


class RefreshToken(SimpleJWTRefreshToken, _GenerationClaim):
    """simplejwt's refresh token stamped with the user's generation; its access tokens copy it.

    The method order puts `_GenerationClaim.for_user` beneath simplejwt's blacklist mixin, so
    the claim is set before the mixin stores the token as outstanding.
    """
