"""Exact query budgets: listing and reading payments cost the same for 1 or many payments."""

import pytest

from tests.payments.support import PAYMENTS_URL, pay

# Authenticating the JWT's user, counting the page, reading the page.
LIST_QUERIES = 3
# Authenticating the JWT's user, reading the payment.
DETAIL_QUERIES = 2


@pytest.fixture
def payments_of(customer_client, customer, place_order):
    def make(count: int) -> list[dict]:
        return [
            pay(customer_client, place_order(customer), "tok_chargeDeclined").json()["payment"]
            for _ in range(count)
        ]

    return make


@pytest.mark.parametrize("count", [1, 15])
def test_listing_payments_costs_the_same_for_any_number(
    customer_client, payments_of, count, django_assert_num_queries
):
    payments_of(count)

    with django_assert_num_queries(LIST_QUERIES):
        response = customer_client.get(PAYMENTS_URL)

    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [1, 15])
def test_staff_listing_filtered_by_order_costs_the_same(
    staff_client, payments_of, count, django_assert_num_queries
):
    last = payments_of(count)[-1]

    with django_assert_num_queries(LIST_QUERIES):
        response = staff_client.get(PAYMENTS_URL, {"order": last["order_id"]})

    assert [payment["id"] for payment in response.json()["results"]] == [last["id"]]


def test_reading_a_payment_has_a_fixed_budget(
    customer_client, payments_of, django_assert_num_queries
):
    (payment,) = payments_of(1)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = customer_client.get(f"{PAYMENTS_URL}{payment['id']}/")

    assert response.status_code == 200
