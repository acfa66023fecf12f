"""The user admin: an email login, creation through the service, passwords that sign out."""

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.exceptions import InvalidToken
from accounts.models import User

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"
ADD = "/admin/accounts/user/add/"
STRONG = "a-strong-admin-chosen-passphrase"


def change_url(user: User) -> str:
    return f"/admin/accounts/user/{user.pk}/change/"


def _form_data(user: User, **overrides) -> dict:
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        # The address book's read-only inline (the user has no addresses).
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
        **overrides,
    }
    return {key: value for key, value in data.items() if value != ""}


def test_the_user_list_shows_email_names_and_flags(admin_client, customer):
    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert customer.email in html
    assert "Casey" in html
    assert "date_joined" in html


def test_the_user_list_searches_by_email_and_name(admin_client, customer, other_customer):
    by_email = admin_client.get(CHANGELIST, {"q": customer.email.upper()})
    by_name = admin_client.get(CHANGELIST, {"q": "Olive"})

    assert list(by_email.context["cl"].result_list) == [customer]
    assert list(by_name.context["cl"].result_list) == [other_customer]


def test_the_user_list_filters_staff(admin_client, customer, staff):
    response = admin_client.get(CHANGELIST, {"is_staff__exact": "1"})

    assert set(response.context["cl"].result_list) == {staff, User.objects.get(is_superuser=True)}


def test_the_add_and_change_pages_render(admin_client, customer):
    assert admin_client.get(ADD).status_code == 200
    assert admin_client.get(change_url(customer)).status_code == 200
    assert admin_client.get(f"/admin/accounts/user/{customer.pk}/password/").status_code == 200


def test_adding_a_user_stores_the_email_lower_cased(admin_client):
    response = admin_client.post(
        ADD, {"email": "New.Person@Example.COM", "password1": STRONG, "password2": STRONG}
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert user.check_password(STRONG)
    assert not user.is_staff
    assert response["Location"] == change_url(user)


def test_adding_a_taken_email_in_another_case_is_a_form_error(admin_client, make_user):
    make_user(email="ann@x.com")

    response = admin_client.post(
        ADD, {"email": "ANN@X.com", "password1": STRONG, "password2": STRONG}
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="ann@x.com").count() == 1


def test_adding_needs_the_same_valid_password_twice(admin_client):
    mismatch = admin_client.post(
        ADD, {"email": "a@example.com", "password1": STRONG, "password2": STRONG + "x"}
    )
    weak = admin_client.post(ADD, {"email": "a@example.com", "password1": "1", "password2": "1"})

    assert mismatch.status_code == 200
    assert weak.status_code == 200
    assert not User.objects.filter(email="a@example.com").exists()


def test_changing_a_users_email_lower_cases_it(admin_client, customer):
    response = admin_client.post(
        change_url(customer), _form_data(customer, email="Casey.New@Example.com")
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.email == "casey.new@example.com"


def test_changing_an_email_to_anothers_in_another_case_is_a_form_error(
    admin_client, customer, other_customer
):
    response = admin_client.post(
        change_url(customer), _form_data(customer, email=other_customer.email.upper())
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.email != other_customer.email


def test_deactivating_a_user_in_the_admin_stops_their_refresh_token(admin_client, customer):
    refresh = str(RefreshToken.for_user(customer))

    response = admin_client.post(change_url(customer), _form_data(customer, is_active=""))

    assert response.status_code == 302
    with pytest.raises(InvalidToken):
        services.refresh_token_pair(refresh_token=refresh)


def test_setting_a_password_in_the_admin_kills_the_users_refresh_tokens(admin_client, customer):
    refresh = str(RefreshToken.for_user(customer))

    response = admin_client.post(
        f"/admin/accounts/user/{customer.pk}/password/",
        {"password1": STRONG, "password2": STRONG, "usable_password": "true"},
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password(STRONG)
    with pytest.raises(InvalidToken):
        services.refresh_token_pair(refresh_token=refresh)
