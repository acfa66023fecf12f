"""API2:2023 Broken Authentication.

A forged, expired, tampered or misused token, or the token of a deactivated user, is a 401 on
every operation that needs a user, and changes nothing, even when it names a member of staff.
A refresh token is dead after its rotation, a logout or a password change. Guessing passwords
is throttled per client, and the count is shared by every worker process through the cache.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tests.accounts.conftest import claims, signed, unsigned
from tests.conftest import PASSWORD
from tests.factories import ADDRESS
from tests.security.conftest import Shop

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
SIGN_IN_RATE = 10  # settings: THROTTLE_AUTH_TOKEN, "10/min" unless set

PROTECTED = [
    ("get", "/api/v1/auth/me/", None),
    ("patch", "/api/v1/auth/me/", {"first_name": "Mallory"}),
    ("get", "/api/v1/auth/addresses/", None),
    ("post", "/api/v1/auth/addresses/", {**ADDRESS, "name": "Mallory"}),
    ("get", "/api/v1/auth/addresses/{address}/", None),
    ("patch", "/api/v1/auth/addresses/{address}/", {"city": "Elsewhere"}),
    ("delete", "/api/v1/auth/addresses/{address}/", None),
    ("get", "/api/v1/orders/", None),
    ("post", "/api/v1/orders/", {"items": [{"product_id": "{product}", "quantity": 1}]}),
    ("post", "/api/v1/orders/{pending}/cancel/", None),
    ("post", "/api/v1/payments/", {"order_id": "{pending}", "token": "tok_visa"}),
    ("post", "/api/v1/payments/{payment}/refund/", None),
    ("post", "/api/v1/products/", {"sku": "FORGED", "name": "Forged", "price": "1.00"}),
    ("delete", "/api/v1/products/{product}/", None),
]


def _forged_tokens(shop: Shop) -> dict[str, str]:
    """Tokens that name the staff user, each wrong in one way."""
    access = str(RefreshToken.for_user(shop.staff).access_token)
    own = str(RefreshToken.for_user(shop.owner).access_token)
    header, _, signature = own.split(".")
    as_staff = signed({**claims(own), "user_id": str(shop.staff.pk)}).split(".")[1]
    return {
        "alg-none": unsigned(claims(access)),
        "wrong-key": signed(claims(access), key="not-the-server-key-" * 3),
        "expired": signed({**claims(access), "exp": int(time.time()) - 1}),
        "tampered-payload": f"{header}.{as_staff}.{signature}",
        "refresh-as-access": str(RefreshToken.for_user(shop.staff)),
    }


@pytest.fixture
def forged(shop) -> dict[str, str]:
    tokens = _forged_tokens(shop)
    deactivated = shop.staff.__class__.objects.create_user(
        email="gone@example.com", password=PASSWORD, is_staff=True, is_active=False
    )
    tokens["deactivated-user"] = str(RefreshToken.for_user(deactivated).access_token)
    return tokens


def _fill(value, shop: Shop):
    names = {
        "product": shop.products[0],
        "pending": shop.orders["pending"],
        "payment": shop.payments["succeeded"],
        "address": shop.address,
    }
    if isinstance(value, str):
        for name, replacement in names.items():
            if value == f"{{{name}}}":
                return replacement
            value = value.replace(f"{{{name}}}", str(replacement))
        return value
    if isinstance(value, dict):
        return {key: _fill(item, shop) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, shop) for item in value]
    return value


@pytest.mark.parametrize(
    "kind",
    [
        "alg-none",
        "wrong-key",
        "expired",
        "tampered-payload",
        "refresh-as-access",
        "deactivated-user",
    ],
)
def test_a_bad_token_is_401_on_every_protected_operation_and_changes_nothing(
    shop, forged, unchanged, kind
):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged[kind]}")

    for method, url, body in PROTECTED:
        response = getattr(client, method)(_fill(url, shop), _fill(body, shop), format="json")

        assert (method, url, response.status_code) == (method, url, 401)
        assert response.json()["code"] in {"token_not_valid", "user_inactive"}
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def _sign_in(client, user) -> dict:
    response = client.post(TOKEN, {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    return response.json()


def test_a_refresh_token_is_dead_after_its_rotation(anon_client, customer):
    old = _sign_in(anon_client, customer)["refresh"]
    assert anon_client.post(REFRESH, {"refresh": old}).status_code == 200

    assert anon_client.post(REFRESH, {"refresh": old}).status_code == 401


def test_a_refresh_token_is_dead_after_logout(anon_client, customer):
    tokens = _sign_in(anon_client, customer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert client.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}).status_code == 205

    assert anon_client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401


def test_every_refresh_token_is_dead_after_a_password_change(anon_client, customer):
    first, second = _sign_in(anon_client, customer), _sign_in(anon_client, customer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {first['access']}")
    changed = client.post(
        "/api/v1/auth/password/",
        {"old_password": PASSWORD, "new_password": "a-brand-new-passphrase-42"},
    )
    assert changed.status_code == 204

    for tokens in (first, second):
        assert anon_client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401


def test_a_deactivated_user_can_neither_sign_in_nor_refresh(anon_client, customer):
    tokens = _sign_in(anon_client, customer)
    customer.is_active = False
    customer.save(update_fields=["is_active"])

    assert anon_client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
    signing_in = anon_client.post(TOKEN, {"email": customer.email, "password": PASSWORD})
    assert signing_in.status_code == 401


_WORKER = """
import sys

import django

django.setup()
from django.core.management import call_command
from django.test import Client

guesses = int(sys.argv[1])
guesser = Client(REMOTE_ADDR="198.51.100.7")
if guesses:
    # The first worker readies the instance's database (the cache table comes with migrate)
    # and uses up the allowance: malformed attempts count too, and need no user table.
    call_command("migrate", "kernel", verbosity=0)
    statuses = {
        guesser.post("/api/v1/auth/token/", {}, "application/json").status_code
        for _ in range(guesses)
    }
    print(*statuses)
else:
    response = guesser.post(
        "/api/v1/auth/token/",
        {"email": "victim@example.com", "password": "guess"},
        content_type="application/json",
    )
    print(response.status_code, response.headers.get("Retry-After"), response.json()["code"])
"""


def _worker(database: Path, *, guesses: int) -> str:
    """Sign in from a separate process running the production settings on `database`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("THROTTLE_", "REDIS_", "DATABASE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings",
        DEBUG="false",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{database}",
    )
    result = subprocess.run(
        [sys.executable, "-c", _WORKER, str(guesses)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_sign_in_throttle_is_shared_by_the_workers_of_an_instance_and_by_no_other(tmp_path):
    database = tmp_path / "db.sqlite3"
    assert _worker(database, guesses=SIGN_IN_RATE) == "400"

    status, retry_after, code = _worker(database, guesses=0).split()
    another_instance = _worker(tmp_path / "another.sqlite3", guesses=1)

    assert (status, code) == ("429", "throttled")
    assert 0 < int(retry_after) <= 60
    assert another_instance == "400"
