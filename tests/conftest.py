"""Fixtures every test may use: API clients, users and their JWTs, and the factories of
tests/factories.py (products, categories, orders brought to any status) as fixtures.

Also the one rule for the `postgres` marker: a test marked `postgres("why")` is skipped, with
"Needs PostgreSQL: why" as the reason, when the tests run on any other database.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import caches
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import Q
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from tests import factories
from tests.factories import PASSWORD
from tests.servers import RedisServer

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


@pytest.fixture
def redis(tmp_path):
    """A redis-server of the test's own on a free port, which the test may stop or freeze."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """A STATIC_ROOT filled by production's `collectstatic`, for a server started with
    `DEBUG` off (`shop.wsgi` refuses to start without one): pass it as `STATIC_ROOT`."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=Path(__file__).resolve().parents[1],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "shop.settings",
            "DEBUG": "true",
            "STATIC_ROOT": str(root),
        },
        check=True,
    )
    return root


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
    """Staff holding every permission of the shop's apps and of the kernel's webhooks (what the
    staff groups hold, and more), given one by one: not a superuser, so every permission check
    really runs; and not through the groups, which a transactional test's flush empties with the
    other tables."""
    user = make_user(is_staff=True, first_name="Sam", last_name="Staff")
    user.user_permissions.set(
        Permission.objects.filter(
            Q(content_type__app_label__in=["catalog", "orders", "payments", "checkout"])
            | Q(content_type__app_label="kernel", content_type__model__startswith="webhook")
        )
    )
    return user


STAFF_GROUP_MIGRATIONS = {
    "Catalog managers": ("catalog", "0006_catalog_managers_image_permissions"),
    "Fulfilment": ("orders", "0002_fulfilment_group"),
    "Finance": ("payments", "0002_finance_group"),
    "Integrations": ("kernel", "0007_integrations_group"),
    "Marketing": ("checkout", "0002_marketing_group"),
}
"""Each staff group and the data migration that creates it."""


@pytest.fixture
def staff_groups(transactional_db) -> None:
    """The staff groups, for a test that commits (`transaction=True`).

    Such a test starts after another one's flush, which empties every table, the groups the
    migrations created included; so their migrations' operations run again (they are
    idempotent). A test inside a transaction has the groups already.
    """
    loader = MigrationLoader(connection)
    with connection.schema_editor() as editor:
        for key in STAFF_GROUP_MIGRATIONS.values():
            state = loader.project_state(key, at_end=True)
            for operation in loader.graph.nodes[key].operations:
                operation.code(state.apps, editor)


@pytest.fixture
def make_staff(make_user):
    """Create a member of staff in the named groups (those the apps' migrations create)."""

    def make(*groups: str, **fields) -> User:
        user = make_user(is_staff=True, **fields)
        user.groups.set([Group.objects.get(name=name) for name in groups])
        return user

    return make


@pytest.fixture
def catalog_manager(make_staff) -> User:
    return make_staff("Catalog managers", first_name="Cat", last_name="Manager")


@pytest.fixture
def fulfilment_staff(make_staff) -> User:
    return make_staff("Fulfilment", first_name="Phil", last_name="Fulfilment")


@pytest.fixture
def finance_staff(make_staff) -> User:
    return make_staff("Finance", first_name="Fin", last_name="Finance")


@pytest.fixture
def staff_without_group(make_staff) -> User:
    """`is_staff` and nothing else: may sign in to the admin, may do no staff operation."""
    return make_staff(first_name="Nora", last_name="Nogroup")


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
