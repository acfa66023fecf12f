"""accounts.services, the interface the apps above accounts use."""

import dataclasses

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.dtos import TokenPair, UserSummary
from accounts.exceptions import (
    AccountsError,
    EmailTaken,
    InvalidCredentials,
    InvalidEmail,
    InvalidName,
    InvalidToken,
    PasswordRejected,
    UserNotFound,
    WrongPassword,
)
from accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def _refresh_works(refresh: str) -> bool:
    try:
        services.refresh_token_pair(refresh_token=refresh)
    except InvalidToken:
        return False
    return True


# --- users ----------------------------------------------------------------------------------


def test_registering_returns_a_frozen_summary_of_the_new_customer():
    summary = services.register_user(
        email="Ann@Example.com", password=PASSWORD, first_name="Ann", last_name="Lee"
    )

    assert summary == UserSummary(
        id=summary.id,
        email="ann@example.com",
        first_name="Ann",
        last_name="Lee",
        is_staff=False,
        is_active=True,
    )
    assert User.objects.get(pk=summary.id).check_password(PASSWORD)
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.email = "other@example.com"


def test_registering_a_taken_email_in_another_case_raises_email_taken(make_user):
    make_user(email="ann@x.com")

    with pytest.raises(EmailTaken) as caught:
        services.register_user(email="Ann@X.com", password=PASSWORD)

    assert caught.value.field == "email"
    assert caught.value.status_code == 400
    assert caught.value.code == "email_taken"
    assert isinstance(caught.value, AccountsError)
    assert User.objects.count() == 1


def test_registering_judges_the_password_against_the_would_be_user():
    with pytest.raises(PasswordRejected) as caught:
        services.register_user(
            email="cs@example.com", password="casimirsmith", first_name="Casimir"
        )

    assert caught.value.field == "password"
    assert "similar" in caught.value.detail
    assert not User.objects.exists()


def test_every_validator_complaint_is_reported_at_once():
    with pytest.raises(PasswordRejected) as caught:
        services.register_user(email="a@example.com", password="1234")

    assert "too short" in caught.value.detail
    assert "entirely numeric" in caught.value.detail


@pytest.mark.parametrize("email", ["not-an-email", "", "a" * 245 + "@example.com"], ids=str)
def test_a_malformed_email_raises_invalid_email(email):
    with pytest.raises(InvalidEmail):
        services.register_user(email=email, password=PASSWORD)


def test_a_name_over_150_characters_raises_invalid_name():
    with pytest.raises(InvalidName) as caught:
        services.register_user(email="a@example.com", password=PASSWORD, last_name="L" * 151)

    assert caught.value.field == "last_name"


def test_create_user_skips_password_validation_and_can_make_staff():
    summary = services.create_user(email="Boss@Example.com", password="x", is_staff=True)

    user = User.objects.get(pk=summary.id)
    assert summary.email == "boss@example.com"
    assert summary.is_staff
    assert not user.is_superuser
    assert user.check_password("x")


def test_create_user_can_make_a_superuser():
    summary = services.create_user(email="root@example.com", password="x", is_superuser=True)

    assert User.objects.get(pk=summary.id).is_superuser


def test_create_user_refuses_a_taken_email_in_any_case(make_user):
    make_user(email="ann@x.com")

    with pytest.raises(EmailTaken):
        services.create_user(email="ANN@x.com", password="x")


def test_a_user_is_found_by_email_in_any_case(customer):
    summary = services.get_user_by_email(email=customer.email.upper())

    assert summary is not None
    assert summary.id == customer.pk


def test_looking_up_an_unknown_email_returns_none(customer):
    assert services.get_user_by_email(email="nobody@example.com") is None


def test_update_profile_changes_only_the_names_given(customer):
    summary = services.update_profile(user_id=customer.pk, last_name="Jones")

    assert (summary.first_name, summary.last_name) == ("Casey", "Jones")
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name) == ("Casey", "Jones")


def test_update_profile_of_an_unknown_user_raises_user_not_found():
    with pytest.raises(UserNotFound):
        services.update_profile(user_id=987654, first_name="X")


def test_update_profile_refuses_an_over_long_name(customer):
    with pytest.raises(InvalidName) as caught:
        services.update_profile(user_id=customer.pk, first_name="F" * 151)

    assert caught.value.field == "first_name"
    customer.refresh_from_db()
    assert customer.first_name == "Casey"


# --- passwords ------------------------------------------------------------------------------


def test_change_password_replaces_the_password_and_kills_every_refresh_token(customer):
    first, second = RefreshToken.for_user(customer), RefreshToken.for_user(customer)

    services.change_password(user_id=customer.pk, old_password=PASSWORD, new_password=NEW_PASSWORD)

    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)
    assert not _refresh_works(str(first))
    assert not _refresh_works(str(second))


def test_change_password_with_a_wrong_old_password_raises_and_changes_nothing(customer):
    refresh = RefreshToken.for_user(customer)

    with pytest.raises(WrongPassword) as caught:
        services.change_password(
            user_id=customer.pk, old_password="nope", new_password=NEW_PASSWORD
        )

    assert caught.value.field == "old_password"
    assert caught.value.code == "wrong_password"
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)
    assert _refresh_works(str(refresh))


def test_change_password_validates_the_new_password_against_the_user(customer):
    with pytest.raises(PasswordRejected) as caught:
        services.change_password(
            user_id=customer.pk, old_password=PASSWORD, new_password="caseycustomer"
        )

    assert caught.value.field == "new_password"
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_change_password_of_an_unknown_user_raises_user_not_found():
    with pytest.raises(UserNotFound):
        services.change_password(user_id=987654, old_password="a", new_password=NEW_PASSWORD)


def test_revoking_refresh_tokens_counts_only_the_live_ones(customer, other_customer):
    mine = [RefreshToken.for_user(customer) for _ in range(3)]
    services.logout(user_id=customer.pk, refresh_token=str(mine[0]))
    theirs = RefreshToken.for_user(other_customer)

    assert services.revoke_refresh_tokens(user_id=customer.pk) == 2
    assert not any(_refresh_works(str(token)) for token in mine)
    assert _refresh_works(str(theirs))


# --- tokens ---------------------------------------------------------------------------------


def test_signing_in_issues_a_token_pair(customer):
    pair = services.obtain_token_pair(email=customer.email.upper(), password=PASSWORD)

    assert isinstance(pair, TokenPair)
    assert RefreshToken(pair.refresh)["user_id"] == str(customer.pk)


@pytest.mark.parametrize(
    ("email", "password"), [("casey@example.com", "nope"), ("nobody@example.com", PASSWORD)]
)
def test_signing_in_with_bad_credentials_raises_a_401(make_user, email, password):
    make_user(email="casey@example.com")

    with pytest.raises(InvalidCredentials) as caught:
        services.obtain_token_pair(email=email, password=password)

    assert caught.value.status_code == 401


def test_an_inactive_user_cannot_sign_in(make_user):
    inactive = make_user(email="casey@example.com")
    User.objects.filter(pk=inactive.pk).update(is_active=False)

    with pytest.raises(InvalidCredentials):
        services.obtain_token_pair(email="casey@example.com", password=PASSWORD)


def test_refreshing_rotates_the_refresh_token(customer):
    old = str(RefreshToken.for_user(customer))

    pair = services.refresh_token_pair(refresh_token=old)

    assert pair.refresh != old
    assert _refresh_works(pair.refresh)
    assert not _refresh_works(old)


def test_refreshing_for_an_inactive_user_raises_invalid_token(customer):
    refresh = str(RefreshToken.for_user(customer))
    customer.is_active = False
    customer.save()

    with pytest.raises(InvalidToken) as caught:
        services.refresh_token_pair(refresh_token=refresh)

    assert caught.value.status_code == 401
    assert caught.value.code == "token_not_valid"


def test_verify_accepts_live_tokens_and_refuses_dead_ones(customer):
    refresh = RefreshToken.for_user(customer)
    services.verify_token(token=str(refresh))
    services.verify_token(token=str(refresh.access_token))

    services.logout(user_id=customer.pk, refresh_token=str(refresh))

    with pytest.raises(InvalidToken):
        services.verify_token(token=str(refresh))


def test_logout_kills_the_refresh_token_once(customer):
    refresh = str(RefreshToken.for_user(customer))

    services.logout(user_id=customer.pk, refresh_token=refresh)

    assert not _refresh_works(refresh)
    with pytest.raises(InvalidToken):
        services.logout(user_id=customer.pk, refresh_token=refresh)


def test_logout_refuses_someone_elses_refresh_token(customer, other_customer):
    theirs = str(RefreshToken.for_user(other_customer))

    with pytest.raises(InvalidToken):
        services.logout(user_id=customer.pk, refresh_token=theirs)

    assert _refresh_works(theirs)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
def test_logout_refuses_garbage(customer, token):
    with pytest.raises(InvalidToken):
        services.logout(user_id=customer.pk, refresh_token=token)


def test_signing_in_takes_a_flat_number_of_queries(customer, django_assert_num_queries):
    # authenticate, then in a savepoint: lock the user row, record the outstanding token.
    with django_assert_num_queries(5):
        services.obtain_token_pair(email=customer.email, password=PASSWORD)


def test_refreshing_takes_a_flat_number_of_queries(customer, django_assert_num_queries):
    refresh = str(RefreshToken.for_user(customer))
    # blacklist check, then in a savepoint: lock user, lock token, re-check, blacklist, issue.
    with django_assert_num_queries(8):
        services.refresh_token_pair(refresh_token=refresh)
