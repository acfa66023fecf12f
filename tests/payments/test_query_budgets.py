"""Exact query budgets: listing and reading payments cost the same for 1 or many payments."""

import pytest

from tests.factories import order_status
from tests.payments.support import PAYMENTS_URL, pay

# Authenticating the JWT's user, counting the page, reading the page.
LIST_QUERIES = 3
# Authenticating the JWT's user, reading the payment.
DETAIL_QUERIES = 2
# The user; opening the attempt (savepoint, the order locked, the live payment looked up, the
# INSERT in a savepoint of its own, releases); the sandbox's ledger (look-up, INSERT in a
# savepoint); settling (savepoint, the order and the payment locked, the payment's UPDATE, the
# outbox's `payment.succeeded`, and orders' mark_paid: two savepoints, the order locked, its
# UPDATE, the event, `order.paid` (the order's lines and history read, the INSERT); releases).
PAY_QUERIES = 28


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

    # Staff also cost their permissions: Django's ModelBackend reads the user's and the groups'.
    with django_assert_num_queries(LIST_QUERIES + 2):
        response = staff_client.get(PAYMENTS_URL, {"order": last["order_id"]})

    assert [payment["id"] for payment in response.json()["results"]] == [last["id"]]


def test_reading_a_payment_has_a_fixed_budget(
    customer_client, payments_of, django_assert_num_queries
):
    (payment,) = payments_of(1)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = customer_client.get(f"{PAYMENTS_URL}{payment['id']}/")

    assert response.status_code == 200


@pytest.fixture
def order_of(customer, make_product, make_order):
    """A pending order of `lines` products, placed through orders' service."""

    def make(lines: int) -> int:
        products = [
            make_product(sku=f"BUDGET-{n}", name=f"Cup {n}", price="2.50", stock=9)
            for n in range(lines)
        ]
        return make_order(customer, items=[(product, 1) for product in products])

    return make


@pytest.mark.parametrize("lines", [1, 20])
def test_paying_costs_the_same_for_1_and_20_lines(
    customer_client, order_of, lines, django_assert_num_queries
):
    order_id = order_of(lines)

    with django_assert_num_queries(PAY_QUERIES):
        response = pay(customer_client, order_id)

    assert response.status_code == 201
    assert order_status(order_id) == "paid"


@pytest.mark.parametrize("count", [1, 20])
def test_listing_1_or_20_payments_costs_the_same(
    customer_client, payments_of, count, django_assert_num_queries
):
    payments_of(count)

    with django_assert_num_queries(LIST_QUERIES):
        response = customer_client.get(PAYMENTS_URL, {"page_size": 20})

    assert len(response.json()["results"]) == count
