"""Stock reservation under real concurrency: no overselling, no deadlocks.

Each thread has its own database connection and transaction; `run_concurrently` releases them
together so they really contend for the same rows.
"""

import pytest

from catalog import services
from catalog.exceptions import ReservationFailed
from catalog.models import Product
from tests.concurrency import run_concurrently

pytestmark = [
    pytest.mark.postgres(
        "the reservations need row locks (SELECT ... FOR UPDATE); SQLite runs one writer at a "
        "time, so there is no concurrency to test"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_forty_buyers_of_ten_units_get_exactly_ten(make_product):
    product = make_product(stock=10)

    outcomes = run_concurrently(
        *[lambda: services.reserve_stock(lines=[(product.pk, 1)]) for _ in range(40)],
        return_exceptions=True,
    )

    reserved = [outcome for outcome in outcomes if isinstance(outcome, list)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ReservationFailed)]
    assert (len(reserved), len(refused)) == (10, 30)
    assert {error.code for error in refused} == {"insufficient_stock"}
    assert sorted(snapshot.stock for [snapshot] in reserved) == list(range(10))
    assert Product.objects.get(pk=product.pk).stock == 0


def test_reservations_locking_two_products_in_opposite_orders_never_deadlock(make_product):
    first, second = make_product(stock=100), make_product(stock=100)
    orders = [[(first.pk, 1), (second.pk, 2)], [(second.pk, 2), (first.pk, 1)]]

    outcomes = run_concurrently(
        *[lambda lines=orders[n % 2]: services.reserve_stock(lines=lines) for n in range(30)],
        return_exceptions=True,
    )

    assert [outcome for outcome in outcomes if not isinstance(outcome, list)] == []
    assert Product.objects.get(pk=first.pk).stock == 70
    assert Product.objects.get(pk=second.pk).stock == 40


def test_reservations_and_releases_interleaved_keep_the_count(make_product):
    product = make_product(stock=20)

    def reserve_or_release(index: int):
        if index % 2:
            return services.release_stock(lines=[(product.pk, 1)])
        return services.reserve_stock(lines=[(product.pk, 1)])

    outcomes = run_concurrently(
        *[lambda index=index: reserve_or_release(index) for index in range(30)],
        return_exceptions=True,
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert Product.objects.get(pk=product.pk).stock == 20
