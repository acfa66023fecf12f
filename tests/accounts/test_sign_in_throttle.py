"""Every way to sign in shares one throttle: the token endpoint, the browsable API's login page
and the admin's. Per client every attempt counts; per account (the email, whatever its case)
the failed ones do, whichever client sends them. A refused page is a 429 with `Retry-After`
that starts no session; a refused token request is the API's JSON 429."""

import time

import pytest
from django.test import Client

from kernel.api.throttling import ScopedRateThrottle
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ADMIN_LOGIN = "/admin/login/"
API_AUTH_LOGIN = "/api-auth/login/"
PATHS = [TOKEN, ADMIN_LOGIN, API_AUTH_LOGIN]
ME = "/api/v1/auth/me/"
CLIENT_RATE = 10  # settings: THROTTLE_AUTH_TOKEN, "10/min" unless set
ACCOUNT_RATE = 20  # settings: THROTTLE_SIGN_IN_ACCOUNT, "20/hour" unless set


def sign_in(client: Client, path: str, email: str, password: str):
    if path == TOKEN:
        return client.post(
            path, {"email": email, "password": password}, content_type="application/json"
        )
    return client.post(path, {"username": email, "password": password})


def is_signed_in(client: Client, path: str, response) -> bool:
    if path == TOKEN:
        return response.status_code == 200 and "access" in response.json()
    return "_auth_user_id" in client.session


def assert_refused(client: Client, path: str, response) -> None:
    assert response.status_code == 429, response.content
    assert 0 < int(response["Retry-After"]) <= 3600
    assert not is_signed_in(client, path, response)
    if path == TOKEN:
        assert response.json()["code"] == "throttled"
        assert response.json()["retry_after"] == int(response["Retry-After"])
    else:
        assert b"Too many sign-in attempts" in response.content
        assert "no-store" in response["Cache-Control"]


@pytest.fixture
def rates(monkeypatch):
    """`rates(client=…, account=…)`: the sign-in allowances, as `THROTTLE_*` would set them."""

    def set_rates(*, client: str = "1000/min", account: str = "1000/hour") -> None:
        current = ScopedRateThrottle.THROTTLE_RATES
        changed = {**current, "auth_token": client, "sign_in_account": account}
        monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", changed)

    return set_rates


@pytest.fixture
def later(monkeypatch):
    """`later(seconds)`: the throttles' clock moves on."""

    def move(seconds: float) -> None:
        moved = time.time() + seconds
        monkeypatch.setattr(ScopedRateThrottle, "timer", staticmethod(lambda: moved))

    return move


@pytest.mark.parametrize("path", PATHS)
def test_25_wrong_staff_passwords_then_the_right_one_is_refused_and_signs_nobody_in(staff, path):
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [sign_in(client, path, staff.email, "wrong").status_code for _ in range(25)]

    response = sign_in(client, path, staff.email, PASSWORD)

    assert_refused(client, path, response)
    assert statuses[CLIENT_RATE:] == [429] * (25 - CLIENT_RATE)
    assert client.get(ME).status_code in {401, 403}


@pytest.mark.parametrize("path", PATHS)
def test_wrong_passwords_from_many_clients_lock_the_account_alone(staff, customer, path):
    for n in range(25):
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), path, staff.email, "wrong")
    client = Client(REMOTE_ADDR="203.0.113.7")

    response = sign_in(client, path, staff.email, PASSWORD)

    assert_refused(client, path, response)
    other_account = sign_in(client, path, customer.email, PASSWORD)
    assert other_account.status_code in {200, 302}


def test_the_account_locks_after_its_allowance_of_failures_whatever_the_emails_case(staff):
    for n in range(ACCOUNT_RATE - 1):
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), ADMIN_LOGIN, staff.email.upper(), "wrong")
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert sign_in(client, TOKEN, staff.email, PASSWORD).status_code == 200
    sign_in(Client(REMOTE_ADDR="198.51.100.99"), TOKEN, f" {staff.email.title()}", "wrong")

    response = sign_in(client, TOKEN, staff.email, PASSWORD)

    assert_refused(client, TOKEN, response)


@pytest.mark.parametrize("path", PATHS)
def test_failures_at_the_other_paths_count_against_the_account(rates, staff, path):
    rates(account="2/hour")
    others = [other for other in PATHS if other != path]
    for n, other in enumerate(others):
        failed = sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), other, staff.email, "wrong")
        assert failed.status_code in {200, 401}
    client = Client(REMOTE_ADDR="203.0.113.7")

    response = sign_in(client, path, staff.email, PASSWORD)

    assert_refused(client, path, response)


@pytest.mark.parametrize("path", PATHS)
def test_attempts_at_the_other_paths_count_against_the_client(rates, staff, customer, path):
    rates(client="2/min")
    for other in PATHS:
        if other != path:
            sign_in(Client(REMOTE_ADDR="203.0.113.7"), other, customer.email, PASSWORD)
    client = Client(REMOTE_ADDR="203.0.113.7")

    response = sign_in(client, path, staff.email, PASSWORD)

    assert_refused(client, path, response)


def test_right_passwords_do_not_use_up_the_accounts_allowance(rates, staff):
    rates(account="2/hour")
    for n, path in enumerate(PATHS * 2):
        client = Client(REMOTE_ADDR=f"198.51.100.{n}")
        assert is_signed_in(client, path, sign_in(client, path, staff.email, PASSWORD))


@pytest.mark.parametrize("path", PATHS)
def test_once_the_window_has_passed_the_right_password_works_again(later, staff, path):
    for n in range(25):
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{n % 2}"), path, staff.email, "wrong")
    client = Client(REMOTE_ADDR="198.51.100.0")
    assert sign_in(client, path, staff.email, PASSWORD).status_code == 429

    later(3600)
    response = sign_in(client, path, staff.email, PASSWORD)

    assert is_signed_in(client, path, response)


def test_behind_a_proxy_the_client_is_the_address_the_proxy_reports(settings, staff, customer):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    def behind_the_proxy(forwarded_for: str) -> Client:
        return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)

    guesser = behind_the_proxy("198.51.100.1")
    for _ in range(CLIENT_RATE):
        sign_in(guesser, ADMIN_LOGIN, staff.email, "wrong")
    spoofing = behind_the_proxy("192.0.2.9, 198.51.100.1")

    assert sign_in(spoofing, ADMIN_LOGIN, customer.email, "wrong").status_code == 429
    someone_else = behind_the_proxy("198.51.100.2")
    assert sign_in(someone_else, API_AUTH_LOGIN, customer.email, PASSWORD).status_code == 302


@pytest.mark.parametrize("path", [ADMIN_LOGIN, API_AUTH_LOGIN])
def test_the_login_pages_are_never_stored_by_a_cache(path):
    response = Client().get(path)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("path", PATHS)
def test_with_the_throttle_cache_gone_every_sign_in_is_a_503_and_signs_nobody_in(
    settings, staff, path
):
    """Fail closed: a throttle that cannot count would let password guessing through."""
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        },
    }
    client = Client()

    response = sign_in(client, path, staff.email, PASSWORD)

    assert response.status_code == 503, response.content
    assert int(response["Retry-After"]) > 0
    assert not is_signed_in(client, path, response)
    if path != TOKEN:
        assert b"Signing in is unavailable for a moment" in response.content
