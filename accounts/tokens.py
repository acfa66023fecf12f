"""The JWTs accounts issues: simplejwt's, plus the user's token generation in the claim `gen`.

A user's `token_generation` goes up when they log out or their password changes (or is set in
the admin). An access token whose `gen` is not the user's current generation is refused
(`accounts.authentication`), so those events end every access token issued before them
without a revocation list. Tokens issued before generations existed carry no `gen` and count
as generation 0.
"""

from rest_framework_simplejwt.tokens import RefreshToken as SimpleJWTRefreshToken
from rest_framework_simplejwt.tokens import Token

GENERATION_CLAIM = "gen"


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
