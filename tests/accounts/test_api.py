"""The accounts API under /api/v1/auth/, as a client sees it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import User
from kernel.api.throttling import ScopedRateThrottle
from tests.accounts.conftest import (
    LOGOUT,
    ME,
    PASSWORD_CHANGE,
    REFRESH,
    REGISTER,
    TOKEN,
    VERIFY,
    bearer,
    claims,
    signed,
    unsigned,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def assert_error(response, status: int, code: str, *, extra: frozenset = frozenset()) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", *extra}, body
    assert isinstance(body["detail"], str)
    assert body["code"] == code


def assert_throttled(response) -> None:
    assert_error(response, 429, "throttled", extra=frozenset({"retry_after"}))
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["retry_after"] == int(response["Retry-After"])


def assert_unauthorized(response, code: str = "token_not_valid") -> None:
    assert_error(response, 401, code)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


# --- register/ ------------------------------------------------------------------------------


def test_registering_creates_an_account_and_returns_it(anon_client):
    response = anon_client.post(
        REGISTER,
        {"email": "ann@example.com", "password": PASSWORD, "first_name": "Ann", "last_name": "Lee"},
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "email": "ann@example.com",
        "first_name": "Ann",
        "last_name": "Lee",
    }
    user = User.objects.get(pk=body["id"])
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    assert user.is_active


def test_registering_without_names_leaves_them_blank(anon_client):
    response = anon_client.post(REGISTER, {"email": "ann@example.com", "password": PASSWORD})

    assert response.status_code == 201
    assert response.json()["first_name"] == ""
    assert response.json()["last_name"] == ""


def test_the_email_is_stored_lower_cased_and_any_case_signs_in(anon_client):
    response = anon_client.post(REGISTER, {"email": "  Ann@X.COM ", "password": PASSWORD})

    assert response.status_code == 201
    assert response.json()["email"] == "ann@x.com"
    signed_in = anon_client.post(TOKEN, {"email": "ANN@x.com", "password": PASSWORD})
    assert signed_in.status_code == 200


def test_an_international_domain_is_lower_cased_too(anon_client):
    response = anon_client.post(REGISTER, {"email": "Ann@ÖLMARKT.de", "password": PASSWORD})

    assert response.status_code == 201
    assert response.json()["email"] == "ann@ölmarkt.de"
    taken = anon_client.post(REGISTER, {"email": "ann@Ölmarkt.de", "password": PASSWORD})
    assert list(taken.json()) == ["email"]
    signed_in = anon_client.post(TOKEN, {"email": "ANN@Ölmarkt.DE", "password": PASSWORD})
    assert signed_in.status_code == 200


@pytest.mark.parametrize(
    ("existing", "attempt"),
    [("ann@x.com", "Ann@X.com"), ("ann@x.com", "ann@x.com"), ("Ann@X.com", "ann@x.COM")],
)
def test_an_email_taken_in_any_case_is_a_400(anon_client, make_user, existing, attempt):
    make_user(email=existing)

    response = anon_client.post(REGISTER, {"email": attempt, "password": PASSWORD})

    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("password", "first_name"),
    [
        ("short1!", ""),
        ("password123", ""),
        ("8301937465012", ""),
        ("ann.example.com", ""),
        ("casimirsmith", "Casimir"),
    ],
    ids=["too-short", "too-common", "all-digits", "like-the-email", "like-the-name"],
)
def test_a_password_the_validators_reject_is_a_400(anon_client, password, first_name):
    response = anon_client.post(
        REGISTER,
        {
            "email": "ann.example.com@example.org",
            "password": password,
            "first_name": first_name,
            "last_name": "Smith",
        },
    )

    assert response.status_code == 400
    assert list(response.json()) == ["password"]
    assert not User.objects.exists()


def test_the_name_similarity_rule_judges_the_would_be_user(anon_client):
    """The same password is fine for someone whose names it does not resemble."""
    response = anon_client.post(
        REGISTER,
        {"email": "x@example.org", "password": "casimirsmith", "first_name": "Zoe"},
    )

    assert response.status_code == 201


BAD_REGISTRATIONS = {
    "no-email": {"password": PASSWORD},
    "no-password": {"email": "ann@example.com"},
    "email-not-a-string": {"email": 42, "password": PASSWORD},
    "email-a-list": {"email": ["ann@example.com"], "password": PASSWORD},
    "email-null": {"email": None, "password": PASSWORD},
    "email-malformed": {"email": "not-an-email", "password": PASSWORD},
    "email-too-long": {"email": "a" * 245 + "@example.com", "password": PASSWORD},
    "password-a-number": {"email": "ann@example.com", "password": 12345678901234},
    "password-a-bool": {"email": "ann@example.com", "password": True},
    "password-huge": {"email": "ann@example.com", "password": "x" * 10_000},
    "password-blank": {"email": "ann@example.com", "password": ""},
    "password-nul": {"email": "ann@example.com", "password": PASSWORD + "\x00"},
    "name-too-long": {"email": "ann@example.com", "password": PASSWORD, "first_name": "A" * 151},
    "name-a-number": {"email": "ann@example.com", "password": PASSWORD, "last_name": 7},
    "name-an-object": {"email": "ann@example.com", "password": PASSWORD, "last_name": {}},
    "name-nul": {"email": "ann@example.com", "password": PASSWORD, "first_name": "A\x00"},
    "is-staff": {"email": "ann@example.com", "password": PASSWORD, "is_staff": True},
    "unknown-field": {"email": "ann@example.com", "password": PASSWORD, "username": "ann"},
}


@pytest.mark.parametrize("body", BAD_REGISTRATIONS.values(), ids=BAD_REGISTRATIONS.keys())
def test_a_malformed_registration_is_a_400_naming_the_field(anon_client, body):
    response = anon_client.post(REGISTER, body)

    assert response.status_code == 400
    errors = response.json()
    assert all(isinstance(messages, list) for messages in errors.values())
    assert not User.objects.exists()


def test_an_email_that_grows_past_254_characters_when_lower_cased_is_a_400(anon_client):
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 56 + "İ.com"
    assert len(email) == 254

    response = anon_client.post(REGISTER, {"email": email, "password": PASSWORD})

    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert not User.objects.exists()


@pytest.mark.parametrize("payload", ["{not json", "[]", '"a string"', "null", "42"], ids=str)
def test_a_body_that_is_not_a_json_object_is_a_400(anon_client, payload):
    response = anon_client.generic("POST", REGISTER, payload, content_type="application/json")

    assert response.status_code == 400
    assert not User.objects.exists()


def test_malformed_json_is_a_parse_error(anon_client):
    response = anon_client.generic("POST", REGISTER, "{not json", content_type="application/json")

    assert_error(response, 400, "parse_error")


def test_a_form_encoded_body_is_a_415(anon_client):
    response = anon_client.post(
        REGISTER, {"email": "ann@example.com", "password": PASSWORD}, format="multipart"
    )

    assert_error(response, 415, "unsupported_media_type")


# --- token/ ---------------------------------------------------------------------------------


def test_signing_in_returns_a_token_pair_that_authenticates(anon_client, customer):
    response = anon_client.post(TOKEN, {"email": customer.email, "password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert claims(body["access"])["token_type"] == "access"
    assert claims(body["refresh"])["token_type"] == "refresh"
    me = bearer(APIClient(), body["access"]).get(ME)
    assert me.status_code == 200
    assert me.json()["id"] == customer.pk


def test_signing_in_ignores_the_case_of_the_email(anon_client, make_user):
    make_user(email="ann@example.com")

    response = anon_client.post(TOKEN, {"email": "ANN@Example.com", "password": PASSWORD})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("casey@example.com", "wrong-password"),
        ("nobody@example.com", PASSWORD),
        ("not-an-email", PASSWORD),
        ("casey@example.com", PASSWORD.upper()),
        ("casey@example.com", f" {PASSWORD}"),
    ],
    ids=["wrong-password", "unknown-email", "not-an-email", "password-case", "padded-password"],
)
def test_bad_credentials_are_a_401_that_does_not_say_which_part_was_wrong(
    anon_client, make_user, email, password
):
    make_user(email="casey@example.com")

    response = anon_client.post(TOKEN, {"email": email, "password": password})

    assert_unauthorized(response, "invalid_credentials")


def test_a_deactivated_user_cannot_sign_in(anon_client, customer):
    customer.is_active = False
    customer.save()

    response = anon_client.post(TOKEN, {"email": customer.email, "password": PASSWORD})

    assert_unauthorized(response, "invalid_credentials")


BAD_SIGN_INS = {
    "empty": {},
    "no-password": {"email": "casey@example.com"},
    "no-email": {"password": PASSWORD},
    "email-a-number": {"email": 1, "password": PASSWORD},
    "password-a-list": {"email": "casey@example.com", "password": [PASSWORD]},
    "password-null": {"email": "casey@example.com", "password": None},
    "email-too-long": {"email": "a" * 300, "password": PASSWORD},
    "password-huge": {"email": "casey@example.com", "password": "x" * 10_000},
    "unknown-field": {"email": "casey@example.com", "password": PASSWORD, "otp": "1"},
}


@pytest.mark.parametrize("body", BAD_SIGN_INS.values(), ids=BAD_SIGN_INS.keys())
def test_a_malformed_sign_in_is_a_400(anon_client, make_user, body):
    make_user(email="casey@example.com")

    response = anon_client.post(TOKEN, body)

    assert response.status_code == 400
    assert all(isinstance(messages, list) for messages in response.json().values())


# --- token/refresh/ -------------------------------------------------------------------------


def test_refreshing_returns_a_new_pair_and_kills_the_old_refresh_token(
    anon_client, customer, sign_in
):
    tokens = sign_in(customer)

    response = anon_client.post(REFRESH, {"refresh": tokens["refresh"]})

    assert response.status_code == 200
    fresh = response.json()
    assert set(fresh) == {"access", "refresh"}
    assert fresh["refresh"] != tokens["refresh"]
    assert claims(fresh["refresh"])["user_id"] == str(customer.pk)
    assert bearer(APIClient(), fresh["access"]).get(ME).status_code == 200
    again = anon_client.post(REFRESH, {"refresh": tokens["refresh"]})
    assert_unauthorized(again)


def test_a_rotated_refresh_token_rotates_in_turn(anon_client, customer, sign_in):
    first = sign_in(customer)["refresh"]
    second = anon_client.post(REFRESH, {"refresh": first}).json()["refresh"]

    third = anon_client.post(REFRESH, {"refresh": second})

    assert third.status_code == 200
    assert_unauthorized(anon_client.post(REFRESH, {"refresh": second}))


def test_refreshing_for_a_deactivated_user_is_a_401(anon_client, customer, sign_in):
    tokens = sign_in(customer)
    customer.is_active = False
    customer.save()

    response = anon_client.post(REFRESH, {"refresh": tokens["refresh"]})

    assert_unauthorized(response)


def test_refreshing_for_a_deleted_user_is_a_401(anon_client, customer, sign_in):
    tokens = sign_in(customer)
    customer.delete()

    response = anon_client.post(REFRESH, {"refresh": tokens["refresh"]})

    assert_unauthorized(response)


def _expired_refresh(user) -> str:
    token = RefreshToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(days=30))
    return str(token)


def _forged_refresh(user) -> str:
    """A well-formed refresh token the server never issued (no outstanding row)."""
    payload = claims(str(RefreshToken.for_user(user)))
    payload["jti"] = "0" * 32
    return signed(payload)


@pytest.mark.parametrize(
    "make_token",
    [
        lambda user, tokens: tokens["access"],
        lambda user, tokens: _expired_refresh(user),
        lambda user, tokens: signed(claims(tokens["refresh"]), key="not-the-server-key" * 3),
        lambda user, tokens: unsigned(claims(tokens["refresh"])),
        lambda user, tokens: _forged_refresh(user),
        lambda user, tokens: "not.a.jwt",
        lambda user, tokens: tokens["refresh"][:-8],
    ],
    ids=[
        "access-token",
        "expired",
        "wrong-key",
        "alg-none",
        "never-issued",
        "garbage",
        "truncated",
    ],
)
def test_refreshing_with_anything_but_a_live_refresh_token_is_a_401(
    anon_client, customer, sign_in, make_token
):
    tokens = sign_in(customer)

    response = anon_client.post(REFRESH, {"refresh": make_token(customer, tokens)})

    assert_unauthorized(response)


@pytest.mark.parametrize(
    "body",
    [{}, {"refresh": None}, {"refresh": 1}, {"refresh": ""}, {"refresh": "x" * 10_000}],
    ids=["missing", "null", "number", "blank", "huge"],
)
def test_a_malformed_refresh_request_is_a_400(anon_client, body):
    response = anon_client.post(REFRESH, body)

    assert response.status_code == 400
    assert list(response.json()) == ["refresh"]


# --- token/verify/ --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_verifying_a_live_token_is_a_200(anon_client, customer, sign_in, kind):
    tokens = sign_in(customer)

    response = anon_client.post(VERIFY, {"token": tokens[kind]})

    assert response.status_code == 200
    assert response.json() == {}


def test_verifying_a_rotated_out_refresh_token_is_a_401(anon_client, customer, sign_in):
    tokens = sign_in(customer)
    anon_client.post(REFRESH, {"refresh": tokens["refresh"]})

    response = anon_client.post(VERIFY, {"token": tokens["refresh"]})

    assert_unauthorized(response)


def test_verifying_a_deactivated_users_token_is_a_401(anon_client, customer, sign_in):
    tokens = sign_in(customer)
    customer.is_active = False
    customer.save()

    response = anon_client.post(VERIFY, {"token": tokens["access"]})

    assert_unauthorized(response)


@pytest.mark.parametrize(
    "make_token",
    [
        lambda user, tokens: signed({**claims(tokens["access"]), "exp": 1}),
        lambda user, tokens: signed(claims(tokens["access"]), key="not-the-server-key" * 3),
        lambda user, tokens: unsigned(claims(tokens["access"])),
        lambda user, tokens: signed({**claims(tokens["access"]), "token_type": "sliding"}),
        lambda user, tokens: "garbage",
    ],
    ids=["expired", "wrong-key", "alg-none", "unknown-type", "garbage"],
)
def test_verifying_a_bad_token_is_a_401(anon_client, customer, sign_in, make_token):
    tokens = sign_in(customer)

    response = anon_client.post(VERIFY, {"token": make_token(customer, tokens)})

    assert_unauthorized(response)


@pytest.mark.parametrize("body", [{}, {"token": None}, {"token": ["a"]}], ids=str)
def test_a_malformed_verify_request_is_a_400(anon_client, body):
    response = anon_client.post(VERIFY, body)

    assert response.status_code == 400
    assert list(response.json()) == ["token"]


# --- logout/ --------------------------------------------------------------------------------


def test_logging_out_kills_the_refresh_token(customer, sign_in):
    tokens = sign_in(customer)
    client = bearer(APIClient(), tokens["access"])

    response = client.post(LOGOUT, {"refresh": tokens["refresh"]})

    assert response.status_code == 205
    assert response.content == b""
    assert_unauthorized(APIClient().post(REFRESH, {"refresh": tokens["refresh"]}))
    assert_unauthorized(client.post(LOGOUT, {"refresh": tokens["refresh"]}))


def test_logging_out_leaves_the_users_other_sessions_alone(anon_client, customer, sign_in):
    phone, laptop = sign_in(customer), sign_in(customer)

    bearer(APIClient(), phone["access"]).post(LOGOUT, {"refresh": phone["refresh"]})

    assert anon_client.post(REFRESH, {"refresh": laptop["refresh"]}).status_code == 200


def test_logging_out_someone_elses_refresh_token_is_a_401_and_spares_it(
    anon_client, customer, other_customer, sign_in
):
    mine, theirs = sign_in(customer), sign_in(other_customer)

    response = bearer(APIClient(), mine["access"]).post(LOGOUT, {"refresh": theirs["refresh"]})

    assert_unauthorized(response)
    assert anon_client.post(REFRESH, {"refresh": theirs["refresh"]}).status_code == 200


def test_logging_out_with_a_rotated_out_refresh_token_is_a_401(anon_client, customer, sign_in):
    tokens = sign_in(customer)
    fresh = anon_client.post(REFRESH, {"refresh": tokens["refresh"]}).json()

    response = bearer(APIClient(), fresh["access"]).post(LOGOUT, {"refresh": tokens["refresh"]})

    assert_unauthorized(response)


@pytest.mark.parametrize(
    "make_token",
    [
        lambda tokens: tokens["access"],
        lambda tokens: "garbage",
        lambda tokens: unsigned(claims(tokens["refresh"])),
    ],
    ids=["access-token", "garbage", "alg-none"],
)
def test_logging_out_with_an_invalid_refresh_token_is_a_401(customer, sign_in, make_token):
    tokens = sign_in(customer)

    response = bearer(APIClient(), tokens["access"]).post(LOGOUT, {"refresh": make_token(tokens)})

    assert_unauthorized(response)


def test_logging_out_needs_authentication(anon_client, customer, sign_in):
    tokens = sign_in(customer)

    response = anon_client.post(LOGOUT, {"refresh": tokens["refresh"]})

    assert_unauthorized(response, "not_authenticated")
    assert anon_client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 200


@pytest.mark.parametrize("body", [{}, {"refresh": 5}, {"refresh": "x" * 10_000}], ids=str)
def test_a_malformed_logout_request_is_a_400(customer_client, body):
    response = customer_client.post(LOGOUT, body)

    assert response.status_code == 400
    assert list(response.json()) == ["refresh"]


# --- me/ ------------------------------------------------------------------------------------


def test_me_shows_the_signed_in_user(customer_client, customer):
    response = customer_client.get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": customer.pk,
        "email": customer.email,
        "first_name": "Casey",
        "last_name": "Customer",
        "is_staff": False,
    }


def test_me_tells_staff_they_are_staff(staff_client):
    response = staff_client.get(ME)

    assert response.status_code == 200
    assert response.json()["is_staff"] is True


def test_me_needs_authentication(anon_client):
    assert_unauthorized(anon_client.get(ME), "not_authenticated")
    assert_unauthorized(anon_client.patch(ME, {"first_name": "X"}), "not_authenticated")


def test_me_works_with_a_browser_session(customer):
    client = APIClient()
    client.force_login(customer)

    response = client.get(ME)

    assert response.status_code == 200
    assert response.json()["id"] == customer.pk


def test_patching_me_changes_the_names(customer_client, customer):
    response = customer_client.patch(ME, {"first_name": "  Cass ", "last_name": ""})

    assert response.status_code == 200
    assert response.json()["first_name"] == "Cass"
    assert response.json()["last_name"] == ""
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name) == ("Cass", "")


def test_patching_one_name_leaves_the_other(customer_client, customer):
    response = customer_client.patch(ME, {"last_name": "Jones"})

    assert response.status_code == 200
    assert response.json()["first_name"] == "Casey"
    assert response.json()["last_name"] == "Jones"


def test_patching_nothing_changes_nothing(customer_client):
    response = customer_client.patch(ME, {})

    assert response.status_code == 200
    assert response.json()["first_name"] == "Casey"


@pytest.mark.parametrize(
    "body",
    [
        {"email": "new@example.com"},
        {"is_staff": True},
        {"is_superuser": True},
        {"is_active": False},
        {"id": 999},
        {"password": "whatever-it-is-123"},
        {"first_name": "Cass", "is_staff": True},
    ],
    ids=["email", "is_staff", "is_superuser", "is_active", "id", "password", "name-and-staff"],
)
def test_patching_anything_but_the_names_is_a_400_and_changes_nothing(
    customer_client, customer, body
):
    before = User.objects.values().get(pk=customer.pk)

    response = customer_client.patch(ME, body)

    assert response.status_code == 400
    assert set(response.json()) == set(body) - {"first_name"}
    assert User.objects.values().get(pk=customer.pk) == before


@pytest.mark.parametrize(
    "body",
    [{"first_name": "A" * 151}, {"last_name": 12}, {"first_name": None}, {"last_name": ["A"]}],
    ids=["too-long", "number", "null", "list"],
)
def test_patching_a_malformed_name_is_a_400(customer_client, customer, body):
    response = customer_client.patch(ME, body)

    assert response.status_code == 400
    assert list(response.json()) == list(body)
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name) == ("Casey", "Customer")


@pytest.mark.parametrize("method", ["put", "post", "delete"])
def test_me_allows_only_get_and_patch(customer_client, method):
    response = getattr(customer_client, method)(ME, {"first_name": "X"})

    assert_error(response, 405, "method_not_allowed")


def test_reading_me_takes_one_query(customer_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert customer_client.get(ME).status_code == 200


def test_patching_me_takes_three_queries(customer_client, django_assert_num_queries):
    with django_assert_num_queries(3):
        assert customer_client.patch(ME, {"first_name": "Cass"}).status_code == 200


# --- password/ ------------------------------------------------------------------------------


def test_changing_the_password_swaps_the_password_for_signing_in(anon_client, customer, sign_in):
    tokens = sign_in(customer)

    response = bearer(APIClient(), tokens["access"]).post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204
    assert response.content == b""
    old = anon_client.post(TOKEN, {"email": customer.email, "password": PASSWORD})
    assert_unauthorized(old, "invalid_credentials")
    assert sign_in(customer, NEW_PASSWORD)


def test_changing_the_password_kills_every_refresh_token_of_the_user(
    anon_client, customer, other_customer, sign_in
):
    phone, laptop, someone_else = sign_in(customer), sign_in(customer), sign_in(other_customer)

    bearer(APIClient(), phone["access"]).post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert_unauthorized(anon_client.post(REFRESH, {"refresh": phone["refresh"]}))
    assert_unauthorized(anon_client.post(REFRESH, {"refresh": laptop["refresh"]}))
    assert anon_client.post(REFRESH, {"refresh": someone_else["refresh"]}).status_code == 200


def test_a_wrong_old_password_is_a_400_and_changes_nothing(anon_client, customer, sign_in):
    tokens = sign_in(customer)

    response = bearer(APIClient(), tokens["access"]).post(
        PASSWORD_CHANGE, {"old_password": "not-my-password", "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["old_password"]
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)
    assert anon_client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 200


@pytest.mark.parametrize(
    "new_password", ["short", "password123", "12345678901", "casey.customer"], ids=str
)
def test_a_new_password_the_validators_reject_is_a_400(customer_client, customer, new_password):
    response = customer_client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": new_password}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["new_password"]
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


BAD_PASSWORD_CHANGES = {
    "empty": {},
    "no-new": {"old_password": PASSWORD},
    "no-old": {"new_password": NEW_PASSWORD},
    "old-a-number": {"old_password": 1, "new_password": NEW_PASSWORD},
    "new-null": {"old_password": PASSWORD, "new_password": None},
    "new-huge": {"old_password": PASSWORD, "new_password": "x" * 10_000},
    "unknown-field": {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "email": "a@b.c"},
}


@pytest.mark.parametrize("body", BAD_PASSWORD_CHANGES.values(), ids=BAD_PASSWORD_CHANGES.keys())
def test_a_malformed_password_change_is_a_400(customer_client, customer, body):
    response = customer_client.post(PASSWORD_CHANGE, body)

    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_changing_the_password_needs_authentication(anon_client):
    response = anon_client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert_unauthorized(response, "not_authenticated")


def test_changing_the_password_keeps_the_browser_session_that_did_it(customer):
    client = APIClient()
    client.force_login(customer)

    response = client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204
    assert client.get(ME).status_code == 200


def test_changing_the_password_signs_out_other_browser_sessions(customer):
    this, other = APIClient(), APIClient()
    this.force_login(customer)
    other.force_login(customer)

    this.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert_unauthorized(other.get(ME), "not_authenticated")


# --- access tokens --------------------------------------------------------------------------


def _expired_access(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1))
    return str(token)


def _swapped_payload(tokens: dict, other) -> str:
    """Another user's id in the payload, under the original signature."""
    header, _, signature = tokens["access"].split(".")
    payload = signed({**claims(tokens["access"]), "user_id": str(other.pk)}).split(".")[1]
    return f"{header}.{payload}.{signature}"


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        (lambda user, other, tokens: unsigned(claims(tokens["access"])), "token_not_valid"),
        (
            lambda user, other, tokens: signed(claims(tokens["access"]), key="wrong-key" * 5),
            "token_not_valid",
        ),
        (lambda user, other, tokens: _swapped_payload(tokens, other), "token_not_valid"),
        (lambda user, other, tokens: _expired_access(user), "token_not_valid"),
        (lambda user, other, tokens: tokens["refresh"], "token_not_valid"),
        (lambda user, other, tokens: "garbage", "token_not_valid"),
    ],
    ids=["alg-none", "wrong-key", "tampered-payload", "expired", "refresh-token", "garbage"],
)
def test_a_bad_access_token_is_a_401_in_the_error_shape(
    customer, other_customer, sign_in, make_token, code
):
    tokens = sign_in(customer)

    response = bearer(APIClient(), make_token(customer, other_customer, tokens)).get(ME)

    assert_unauthorized(response, code)


def test_a_deactivated_users_access_token_stops_working(customer, sign_in):
    client = bearer(APIClient(), sign_in(customer)["access"])
    customer.is_active = False
    customer.save()

    assert_unauthorized(client.get(ME), "user_inactive")


def test_a_deleted_users_access_token_stops_working(customer, sign_in):
    client = bearer(APIClient(), sign_in(customer)["access"])
    customer.delete()

    assert_unauthorized(client.get(ME), "user_not_found")


def test_a_bearer_header_without_a_token_is_a_401(anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer")

    assert_unauthorized(anon_client.get(ME), "bad_authorization_header")


# --- throttling -----------------------------------------------------------------------------


@pytest.fixture
def two_a_minute(monkeypatch):
    """DRF reads each scope's rate from `THROTTLE_RATES` when a request comes in."""
    monkeypatch.setattr(
        ScopedRateThrottle,
        "THROTTLE_RATES",
        {"auth_token": "2/min", "auth_register": "2/min", "sign_in_account": "2/min"},
    )


def test_signing_in_is_throttled_per_client_with_retry_after(two_a_minute, customer):
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    body = {"email": customer.email, "password": PASSWORD}
    assert client.post(TOKEN, {**body, "password": "wrong"}).status_code == 401
    assert client.post(TOKEN, body).status_code == 200

    response = client.post(TOKEN, body)

    assert_throttled(response)
    other_client = APIClient(REMOTE_ADDR="203.0.113.8")
    assert other_client.post(TOKEN, body).status_code == 200


def test_registering_is_throttled_per_client_with_retry_after(two_a_minute):
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    for n in range(2):
        registered = client.post(REGISTER, {"email": f"u{n}@x.com", "password": PASSWORD})
        assert registered.status_code == 201

    response = client.post(REGISTER, {"email": "u9@x.com", "password": PASSWORD})

    assert_throttled(response)
    assert not User.objects.filter(email="u9@x.com").exists()


def test_guessing_the_old_password_is_throttled_per_user(two_a_minute, customer_client):
    wrong = {"old_password": "guess", "new_password": NEW_PASSWORD}
    for _ in range(2):
        assert customer_client.post(PASSWORD_CHANGE, wrong).status_code == 400

    response = customer_client.post(PASSWORD_CHANGE, wrong)

    assert_throttled(response)


# --- secrets --------------------------------------------------------------------------------


def test_no_response_ever_contains_the_password_or_its_hash(anon_client):
    password = "a-secret-passphrase-77"
    bodies = []
    register = anon_client.post(REGISTER, {"email": "ann@example.com", "password": password})
    bodies.append(register)
    user = User.objects.get(email="ann@example.com")
    tokens = anon_client.post(TOKEN, {"email": user.email, "password": password})
    bodies.append(tokens)
    client = bearer(APIClient(), tokens.json()["access"])
    bodies += [
        client.get(ME),
        client.patch(ME, {"first_name": "Ann"}),
        client.patch(ME, {"password": "x"}),
        client.post(PASSWORD_CHANGE, {"old_password": "wrong", "new_password": password}),
        anon_client.post(REFRESH, {"refresh": tokens.json()["refresh"]}),
    ]

    assert all(response.status_code < 500 for response in bodies)
    for response in bodies:
        text = response.content.decode()
        assert password not in text
        assert user.password not in text
        assert "md5$" not in text
