"""No answer of the accounts API is kept by a cache: every route of `accounts.urls`, on success
and on every kind of error, says `Cache-Control: no-store`. The routes are walked, so a new
one without its scenario here fails."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts.urls import urlpatterns
from kernel.api.throttling import ScopedRateThrottle
from tests.accounts.conftest import bearer
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"
ADDRESS = {
    "name": "Ann",
    "line1": "1 Main St",
    "city": "Leeds",
    "postal_code": "LS1",
    "country": "GB",
}


def _path(pattern) -> str:
    """The route's path; a detail route's with the id 1 (its scenario adds its own object)."""
    return reverse(pattern.name, kwargs=dict.fromkeys(pattern.pattern.converters, 1))


ROUTES = {pattern.name: _path(pattern) for pattern in urlpatterns}


def signed_in(user) -> tuple[APIClient, dict]:
    """A client holding a fresh access token of `user`, and the pair it came in."""
    pair = APIClient().post(ROUTES["auth-token"], {"email": user.email, "password": PASSWORD})
    assert pair.status_code == 200, pair.content
    return bearer(APIClient(), pair.json()["access"]), pair.json()


def register(customer, path):
    anon = APIClient()
    yield 201, anon.post(path, {"email": "new@example.com", "password": PASSWORD})
    yield 400, anon.post(path, {"email": customer.email, "password": PASSWORD})


def token(customer, path):
    anon = APIClient()
    yield 200, anon.post(path, {"email": customer.email, "password": PASSWORD})
    yield 401, anon.post(path, {"email": customer.email, "password": "wrong"})


def refresh(customer, path):
    _, pair = signed_in(customer)
    anon = APIClient()
    yield 200, anon.post(path, {"refresh": pair["refresh"]})
    yield 401, anon.post(path, {"refresh": pair["refresh"]})


def verify(customer, path):
    _, pair = signed_in(customer)
    anon = APIClient()
    yield 200, anon.post(path, {"token": pair["access"]})
    yield 401, anon.post(path, {"token": "not-a-token"})


def logout(customer, path):
    client, pair = signed_in(customer)
    yield 401, client.post(path, {"refresh": "not-a-token"})
    yield 205, client.post(path, {"refresh": pair["refresh"]})


def me(customer, path):
    client, _ = signed_in(customer)
    yield 200, client.get(path)
    yield 200, client.patch(path, {"first_name": "Ann"})
    yield 400, client.patch(path, {"is_staff": True})


def password(customer, path):
    client, _ = signed_in(customer)
    yield 400, client.post(path, {"old_password": "wrong", "new_password": NEW_PASSWORD})
    yield 204, client.post(path, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})


def password_reset(customer, path):
    anon = APIClient()
    yield 202, anon.post(path, {"email": customer.email})
    yield 400, anon.post(path, {"email": customer.email, "uid": "MQ"})


def password_reset_confirm(customer, path):
    uid = urlsafe_base64_encode(force_bytes(customer.pk))
    link = {"uid": uid, "token": default_token_generator.make_token(customer)}
    anon = APIClient()
    yield 400, anon.post(path, {**link, "new_password": "12345678"})
    yield 204, anon.post(path, {**link, "new_password": NEW_PASSWORD})
    yield 400, anon.post(path, {**link, "new_password": NEW_PASSWORD})


def addresses(customer, path):
    client, _ = signed_in(customer)
    yield 201, client.post(path, ADDRESS, format="json")
    yield 400, client.post(path, {**ADDRESS, "country": "XX"}, format="json")
    yield 200, client.get(path)


def address(customer, path):
    client, _ = signed_in(customer)
    created = client.post(ROUTES["auth-address-list"], ADDRESS, format="json").json()
    path = reverse("auth-address-detail", kwargs={"pk": created["id"]})
    yield 200, client.get(path)
    yield 200, client.patch(path, {"city": "York"}, format="json")
    yield 400, client.patch(path, {"country": "XX"}, format="json")
    yield 204, client.delete(path)
    yield 404, client.get(path)


SCENARIOS = {
    "auth-register": register,
    "auth-token": token,
    "auth-token-refresh": refresh,
    "auth-token-verify": verify,
    "auth-logout": logout,
    "auth-me": me,
    "auth-password": password,
    "auth-password-reset": password_reset,
    "auth-password-reset-confirm": password_reset_confirm,
    "auth-address-list": addresses,
    "auth-address-detail": address,
}


def assert_not_stored(response) -> None:
    assert "no-store" in response["Cache-Control"], (response.status_code, response.content)


@pytest.mark.parametrize("name", ROUTES)
def test_every_answer_of_an_accounts_operation_is_no_store(customer, name):
    assert name in SCENARIOS, f"{name} is a new route of accounts.urls: give it a scenario here"

    for status, response in SCENARIOS[name](customer, ROUTES[name]):
        assert response.status_code == status, response.content
        assert_not_stored(response)


@pytest.mark.parametrize("name", ROUTES)
def test_every_error_the_plumbing_answers_on_an_accounts_route_is_no_store(customer, name):
    path = ROUTES[name]
    client, _ = signed_in(customer)
    bad_token = bearer(APIClient(), "not-a-token")

    responses = [
        client.put(path, {}),
        client.post(path, "{not json", content_type="application/json"),
        client.post(path, "text", content_type="text/plain"),
        bad_token.get(path),
        bad_token.post(path, {}),
    ]

    assert 405 in {response.status_code for response in responses}
    for response in responses:
        assert 400 <= response.status_code < 500, response.content
        assert_not_stored(response)


def test_a_throttled_sign_in_and_sign_up_are_no_store(monkeypatch, customer):
    throttled = ["auth_token", "auth_register", "password_reset", "password_reset_confirm"]
    rates = {**ScopedRateThrottle.THROTTLE_RATES, **dict.fromkeys(throttled, "0/min")}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)

    for name in (
        "auth-token",
        "auth-register",
        "auth-password-reset",
        "auth-password-reset-confirm",
    ):
        response = APIClient().post(ROUTES[name], {"email": customer.email, "password": "x"})
        assert response.status_code == 429
        assert_not_stored(response)
