"""Fixtures every test may use: API clients, users and their JWTs, and the factories of
tests/factories.py (products, categories, orders brought to any status) as fixtures.

Also the one rule for the `postgres` marker: a test marked `postgres("why")` is skipped, with
"Needs PostgreSQL: why" as the reason, when the tests run on any other database.
"""

import pytest
from django.core.cache import caches
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from tests import factories
from tests.factories import PASSWORD

__all__ = ["PASSWORD", "client_for"]

POSTGRES_ONLY = "row locks and concurrent writers, which SQLite serialises for the whole database"


def pytest_collection_modifyitems(config, items):
    """Skip the tests marked `postgres` unless the database is PostgreSQL."""
    if connection.vendor == "postgresql":
        return
    for item in items:
        marker = item.get_closest_marker("postgres")
        if marker is not None:
            why = marker.args[0] if marker.args else POSTGRES_ONLY
            item.add_marker(pytest.mark.skip(reason=f"Needs PostgreSQL: {why}"))


@pytest.fixture(autouse=True)
def _clear_caches():
    for alias in ("default", "throttle"):
        caches[alias].clear()


@pytest.fixture
def make_user(db):
    """Create a user; `make_user(is_staff=True)` for staff. Password is `PASSWORD`."""
    return factories.make_user


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


# Catalog and orders, through the services (tests/factories.py).


@pytest.fixture
def make_category(db):
    """`make_category(name=..., slug=..., description=...)`; every argument optional."""
    return factories.make_category


@pytest.fixture
def make_product(db):
    """`make_product(sku=..., price=..., stock=..., is_active=..., category=...)`, all optional.

    Defaults: a fresh SKU and name, price 10.00, stock 10, active, no category.
    """
    return factories.make_product


@pytest.fixture
def product(make_product):
    """The product most tests need one of: a "Blue mug" at 12.50, 10 in stock."""
    return make_product(name="Blue mug", price="12.50", stock=10)


@pytest.fixture
def make_order(db):
    """`make_order(customer, items=[(product, quantity), ...], status="paid")`: see factories."""
    return factories.make_order
