"""Fixtures every test may use: API clients, users and their JWTs."""

import itertools

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User

PASSWORD = "correct-horse-battery-staple"
_emails = itertools.count(1)


@pytest.fixture(autouse=True)
def _clear_caches():
    for alias in ("default", "throttle"):
        caches[alias].clear()


@pytest.fixture
def make_user(db):
    """Create a user; `make_user(is_staff=True)` for staff. Password is `PASSWORD`."""

    def make(*, email: str | None = None, is_staff: bool = False, **fields) -> User:
        email = email or f"user{next(_emails)}@example.com"
        return User.objects.create_user(email=email, password=PASSWORD, is_staff=is_staff, **fields)

    return make


@pytest.fixture
def customer(make_user) -> User:
    return make_user(first_name="Casey", last_name="Customer")


@pytest.fixture
def other_customer(make_user) -> User:
    return make_user(first_name="Olive", last_name="Other")


@pytest.fixture
def staff(make_user) -> User:
    return make_user(is_staff=True, first_name="Sam", last_name="Staff")


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


def client_for(user: User) -> APIClient:
    """An API client that authenticates as `user` with a real access JWT."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def customer_client(customer) -> APIClient:
    return client_for(customer)


@pytest.fixture
def other_client(other_customer) -> APIClient:
    return client_for(other_customer)


@pytest.fixture
def staff_client(staff) -> APIClient:
    return client_for(staff)
