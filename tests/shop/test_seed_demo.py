"""`manage.py seed_demo`: demo data that can be loaded any number of times."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import User
from catalog.models import Category, Product, ProductVariant

pytestmark = pytest.mark.django_db


def seed(*args: str, debug: bool, settings) -> str:
    settings.DEBUG = debug
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seeding_twice_creates_the_demo_data_once(settings):
    seed(debug=True, settings=settings)
    counts = (
        Category.objects.count(),
        Product.objects.count(),
        ProductVariant.objects.count(),
        User.objects.count(),
    )

    output = seed(debug=True, settings=settings)

    assert counts == (10, 57, 90, 5)
    assert (
        Category.objects.count(),
        Product.objects.count(),
        ProductVariant.objects.count(),
        User.objects.count(),
    ) == counts
    assert "0 product(s) created" in output


def test_the_demo_catalog_varies_prices_and_stock(settings):
    seed(debug=True, settings=settings)

    assert Product.objects.values("price").distinct().count() > 40
    assert ProductVariant.objects.filter(stock=0).exists()
    assert ProductVariant.objects.filter(stock__gt=0).count() > 80
    assert Product.objects.filter(is_active=False).exists()


def test_the_printed_demo_logins_work(settings):
    output = seed(debug=True, settings=settings)

    client = APIClient()
    for email, password in [
        ("staff@example.com", "demo-staff-password"),
        ("catalog@example.com", "demo-catalog-password"),
        ("fulfilment@example.com", "demo-fulfilment-password"),
        ("finance@example.com", "demo-finance-password"),
        ("customer@example.com", "demo-customer-password"),
    ]:
        assert f"{email}  /  {password}" in output
        assert (
            client.post("/api/v1/auth/token/", {"email": email, "password": password}).status_code
            == 200
        )
    assert User.objects.get(email="staff@example.com").is_staff


def test_with_debug_off_the_demo_users_are_refused_unless_asked_for(settings):
    output = seed(debug=False, settings=settings)

    assert User.objects.count() == 0
    assert Product.objects.count() == 57
    assert "--with-users" in output

    seed("--with-users", debug=False, settings=settings)
    assert User.objects.count() == 5


def test_there_is_one_demo_member_of_staff_per_group_and_the_output_names_the_roles(settings):
    output = seed(debug=True, settings=settings)

    staff = User.objects.filter(is_staff=True, is_superuser=False).order_by("email")
    assert {user.email: [group.name for group in user.groups.all()] for user in staff} == {
        "catalog@example.com": ["Catalog managers"],
        "finance@example.com": ["Finance"],
        "fulfilment@example.com": ["Fulfilment"],
    }
    assert User.objects.get(email="staff@example.com").is_superuser
    assert not User.objects.get(email="customer@example.com").groups.exists()
    for role, email in [
        ("superuser", "staff@example.com"),
        ("catalog", "catalog@example.com"),
        ("fulfilment", "fulfilment@example.com"),
        ("finance", "finance@example.com"),
        ("customer", "customer@example.com"),
    ]:
        assert re.search(rf"^  {role} +{re.escape(email)}  /  ", output, re.MULTILINE)


def test_without_the_staff_groups_no_demo_user_is_half_made(settings):
    Group.objects.filter(name="Finance").delete()

    with pytest.raises(CommandError, match="No such group: Finance"):
        seed(debug=True, settings=settings)

    assert not User.objects.filter(email="finance@example.com").exists()
