"""A token signed with the server's own key whose `user_id` is not a user's id is a 401
`token_not_valid` wherever it is sent, never a 500, and never taken for the user it might be
rounded or parsed to. An id is what simplejwt writes (a decimal string) or an int; not a float,
a bool, a signed, padded or out-of-range number, a list, an object, null, or nothing."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tokens import RefreshToken
from tests.accounts.conftest import LOGOUT, ME, REFRESH, VERIFY, bearer

pytestmark = pytest.mark.django_db

MISSING = object()
# Each a function of the user's real id (the string simplejwt writes): many would pass for it
# if rounded or parsed leniently.
MALFORMED = {
    "a word": lambda pk: "abc",
    "a signed string": lambda pk: f"+{pk}",
    "a padded string": lambda pk: f" {pk}",
    "a leading zero": lambda pk: f"0{pk}",
    "a decimal string": lambda pk: f"{pk}.0",
    "other digits": lambda pk: "\u0661",
    "a float": lambda pk: int(pk) + 0.5,
    "the id as a float": float,
    "true": lambda pk: True,
    "zero": lambda pk: 0,
    "negative": lambda pk: -int(pk),
    "past the id range": lambda pk: 2**63,
    "past the id range as a string": lambda pk: str(2**63),
    "huge": lambda pk: 10**30,
    "two thousand digits": lambda pk: "9" * 2000,
    "a list": lambda pk: [pk],
    "an object": lambda pk: {"id": pk},
    "null": lambda pk: None,
    "missing": lambda pk: MISSING,
}
PROTECTED = [
    ("get", ME, None),
    ("patch", ME, {"first_name": "Mallory"}),
    ("get", "/api/v1/orders/", None),
    ("get", "/api/v1/products/", None),
    ("post", "/api/v1/orders/", {"items": [{"product_id": 1, "quantity": 1}]}),
]


def with_user_id(token, malformed):
    value = malformed(token["user_id"])
    if value is MISSING:
        del token["user_id"]
    else:
        token["user_id"] = value
    return str(token)


def assert_token_not_valid(response) -> None:
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "token_not_valid"


@pytest.mark.parametrize("value", MALFORMED.values(), ids=MALFORMED.keys())
def test_an_access_token_with_a_malformed_user_id_is_401_everywhere(customer, value):
    client = bearer(APIClient(), with_user_id(AccessToken.for_user(customer), value))

    for method, path, body in PROTECTED:
        assert_token_not_valid(getattr(client, method)(path, body))


@pytest.mark.parametrize("value", MALFORMED.values(), ids=MALFORMED.keys())
def test_verifying_a_token_with_a_malformed_user_id_is_401(anon_client, customer, value):
    access = with_user_id(AccessToken.for_user(customer), value)
    refresh = with_user_id(RefreshToken.for_user(customer), value)

    assert_token_not_valid(anon_client.post(VERIFY, {"token": access}))
    assert_token_not_valid(anon_client.post(VERIFY, {"token": refresh}))


@pytest.mark.parametrize("value", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_refresh_token_with_a_malformed_user_id_neither_refreshes_nor_logs_out(
    anon_client, customer_client, customer, value
):
    refresh = with_user_id(RefreshToken.for_user(customer), value)

    assert_token_not_valid(anon_client.post(REFRESH, {"refresh": refresh}))
    assert_token_not_valid(customer_client.post(LOGOUT, {"refresh": refresh}))
