"""After a logout or a password change, access tokens issued before it are 401 (the contract).

Each JWT carries the user's token generation (`gen`); the event moves the user to the next one.
"""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from rest_framework.test import APIClient
from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication
from rest_framework_simplejwt.tokens import RefreshToken as SimpleJWTRefreshToken

from accounts import services
from accounts.authentication import JWTAuthentication
from accounts.models import User
from tests.accounts.conftest import LOGOUT, ME, PASSWORD_CHANGE, REFRESH, VERIFY, bearer, claims
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def me_status(access: str) -> int:
    return bearer(APIClient(), access).get(ME).status_code


def verify_status(token: str) -> int:
    return APIClient().post(VERIFY, {"token": token}).status_code


def test_every_issued_token_carries_the_users_generation(customer, sign_in):
    tokens = sign_in(customer)

    assert claims(tokens["access"])["gen"] == 0
    assert claims(tokens["refresh"])["gen"] == 0


def test_after_logout_an_access_token_issued_before_it_is_a_401(customer, sign_in):
    tokens = sign_in(customer)

    logged_out = bearer(APIClient(), tokens["access"]).post(LOGOUT, {"refresh": tokens["refresh"]})

    assert logged_out.status_code == 205
    response = bearer(APIClient(), tokens["access"]).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert response.headers["WWW-Authenticate"]
    assert verify_status(tokens["access"]) == 401


def test_after_logout_every_device_loses_its_access_token_and_refreshes_into_a_working_one(
    customer, sign_in
):
    phone, laptop = sign_in(customer), sign_in(customer)

    bearer(APIClient(), phone["access"]).post(LOGOUT, {"refresh": phone["refresh"]})

    assert me_status(laptop["access"]) == 401
    assert verify_status(laptop["refresh"]) == 200
    renewed = APIClient().post(REFRESH, {"refresh": laptop["refresh"]})
    assert renewed.status_code == 200
    assert claims(renewed.json()["access"])["gen"] == 1
    assert me_status(renewed.json()["access"]) == 200
    assert verify_status(renewed.json()["access"]) == 200


def test_after_a_password_change_an_access_token_issued_before_it_is_a_401(customer, sign_in):
    tokens = sign_in(customer)

    changed = bearer(APIClient(), tokens["access"]).post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert changed.status_code == 204
    assert me_status(tokens["access"]) == 401
    assert verify_status(tokens["access"]) == 401
    assert verify_status(tokens["refresh"]) == 401


def test_tokens_issued_after_a_password_change_work(customer, sign_in):
    before = sign_in(customer)
    services.change_password(user_id=customer.pk, old_password=PASSWORD, new_password=NEW_PASSWORD)

    after = sign_in(customer, NEW_PASSWORD)

    assert me_status(before["access"]) == 401
    assert me_status(after["access"]) == 200
    assert verify_status(after["access"]) == 200


def test_a_password_set_in_the_admin_ends_the_access_tokens_too(customer, sign_in):
    tokens = sign_in(customer)
    form_class = site._registry[User].change_password_form
    form = form_class(customer, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors

    form.save()

    assert me_status(tokens["access"]) == 401


def test_another_users_access_token_is_unaffected(customer, other_customer, sign_in):
    mine, theirs = sign_in(customer), sign_in(other_customer)

    bearer(APIClient(), mine["access"]).post(LOGOUT, {"refresh": mine["refresh"]})
    services.revoke_refresh_tokens(user_id=customer.pk)

    assert me_status(theirs["access"]) == 200
    assert verify_status(theirs["access"]) == 200


def test_a_token_without_the_claim_counts_as_generation_zero(customer):
    legacy = str(SimpleJWTRefreshToken.for_user(customer).access_token)
    assert "gen" not in claims(legacy)

    assert me_status(legacy) == 200
    services.revoke_refresh_tokens(user_id=customer.pk)
    assert me_status(legacy) == 401


def test_a_logout_and_a_password_change_each_move_the_generation_once(customer, sign_in):
    tokens = sign_in(customer)
    services.logout(user_id=customer.pk, refresh_token=tokens["refresh"])
    services.change_password(user_id=customer.pk, old_password=PASSWORD, new_password=NEW_PASSWORD)

    customer.refresh_from_db()

    assert customer.token_generation == 2


def authenticated_request(user):
    access = str(SimpleJWTRefreshToken.for_user(user).access_token)
    return RequestFactory().get(ME, HTTP_AUTHORIZATION=f"Bearer {access}")


@pytest.mark.parametrize("authentication", [SimpleJWTAuthentication, JWTAuthentication])
def test_checking_the_generation_costs_no_query(
    customer, authentication, django_assert_num_queries
):
    request = authenticated_request(customer)

    with django_assert_num_queries(1):
        user, _token = authentication().authenticate(request)

    assert user == customer


def test_an_authenticated_request_loads_the_user_once(customer, sign_in, django_assert_num_queries):
    client = bearer(APIClient(), sign_in(customer)["access"])

    with django_assert_num_queries(1):
        response = client.get(ME)

    assert response.status_code == 200
