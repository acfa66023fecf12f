"""Bearer authentication that also refuses access tokens of an ended generation.

simplejwt's `JWTAuthentication` already loads the user's row to check that it exists and is
active; comparing the token's `gen` claim with that row's `token_generation` costs no query.
"""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from accounts.tokens import token_generation, token_user_id


class JWTAuthentication(SimpleJWTAuthentication):
    """An access token dies with its user's next logout or password change (`accounts.tokens`).

    A token whose `user_id` is no id is refused before simplejwt looks it up.
    """

    def get_user(self, validated_token):
        if token_user_id(validated_token) is None:
            raise InvalidToken("Token contained no recognizable user identification.")
        user = super().get_user(validated_token)
        if token_generation(validated_token) != user.token_generation:
            raise InvalidToken("Token has been revoked by a logout or a password change.")
        return user


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of this class: simplejwt's bearer JWT, `jwtAuth`."""

    target_class = JWTAuthentication
