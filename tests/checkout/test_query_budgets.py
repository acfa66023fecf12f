"""Exact query budgets: the staff lists cost the same for 1 or many rows."""

from decimal import Decimal

import pytest

from checkout import services

pytestmark = pytest.mark.django_db

# Authenticating the JWT's user, the staff's permissions (the user's and their groups': Django's
# ModelBackend), counting the page, reading the page.
LIST_QUERIES = 5


def make_shipping_methods(count: int) -> None:
    for n in range(count):
        services.create_shipping_method(code=f"m{n}", name=f"M{n}", price=Decimal(1))


def make_tax_rates(count: int) -> None:
    for country in ["DE", "FR", "AT", "IT", "ES", "NL", "BE", "PL", "SE", "DK", "FI", "IE"][:count]:
        services.create_tax_rate(country=country, rate=Decimal("0.2"))


def make_vouchers(count: int) -> None:
    for n in range(count):
        services.create_voucher(code=f"V{n}", kind="fixed", value=Decimal(1))


@pytest.mark.parametrize("count", [1, 12])
@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("shipping-methods/", make_shipping_methods),
        ("tax-rates/", make_tax_rates),
        ("vouchers/", make_vouchers),
    ],
)
def test_a_staff_list_costs_the_same_for_any_number(
    staff_client, django_assert_num_queries, path, make, count
):
    make(count)

    with django_assert_num_queries(LIST_QUERIES):
        response = staff_client.get(f"/api/v1/{path}")

    assert response.json()["count"] == count
