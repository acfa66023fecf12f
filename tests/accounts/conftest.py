"""Helpers for the accounts tests: signing in through the API and forging tokens."""

import base64
import json

import jwt
import pytest
from django.conf import settings

from tests.conftest import PASSWORD

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
VERIFY = "/api/v1/auth/token/verify/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"
PASSWORD_CHANGE = "/api/v1/auth/password/"


def bearer(client, access: str):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def claims(token: str) -> dict:
    """The token's payload, read without checking the signature."""
    return jwt.decode(token, options={"verify_signature": False})


def signed(payload: dict, *, key: str | None = None) -> str:
    """A JWT over `payload`, signed with the server's key (or with `key`)."""
    return jwt.encode(payload, key or settings.SECRET_KEY, algorithm="HS256")


def unsigned(payload: dict) -> str:
    """A JWT with `alg: none` and no signature."""

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


@pytest.fixture
def sign_in(anon_client):
    """`sign_in(user)` -> `{"access", "refresh"}` from POST token/ (asserting the 200)."""

    def sign(user, password: str = PASSWORD) -> dict:
        response = anon_client.post(TOKEN, {"email": user.email, "password": password})
        assert response.status_code == 200, response.content
        return response.json()

    return sign
