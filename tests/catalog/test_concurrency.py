"""Stock reservation under real concurrency: no overselling, no deadlocks.

Each thread has its own database connection and transaction; a barrier releases them together
so they really contend for the same rows.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from catalog import services
from catalog.exceptions import ReservationFailed
from catalog.models import Product

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL's row locks (SELECT ... FOR UPDATE); SQLite runs one writer "
        "at a time, so there is no concurrency to test.",
    ),
]


def run_at_once(count: int, work: Callable[[int], object]) -> list[object]:
    """Run `work(i)` in `count` threads started together; each outcome is a result or an error."""
    barrier = threading.Barrier(count)
    outcomes: list[object] = [None] * count

    def worker(index: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            outcomes[index] = work(index)
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_forty_buyers_of_ten_units_get_exactly_ten(make_product):
    product = make_product(stock=10)

    outcomes = run_at_once(40, lambda _: services.reserve_stock(lines=[(product.pk, 1)]))

    reserved = [outcome for outcome in outcomes if isinstance(outcome, list)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ReservationFailed)]
    assert (len(reserved), len(refused)) == (10, 30)
    assert {error.code for error in refused} == {"insufficient_stock"}
    assert sorted(snapshot.stock for [snapshot] in reserved) == list(range(10))
    assert Product.objects.get(pk=product.pk).stock == 0


def test_reservations_locking_two_products_in_opposite_orders_never_deadlock(make_product):
    first, second = make_product(stock=100), make_product(stock=100)
    orders = [[(first.pk, 1), (second.pk, 2)], [(second.pk, 2), (first.pk, 1)]]

    outcomes = run_at_once(30, lambda index: services.reserve_stock(lines=orders[index % 2]))

    assert [outcome for outcome in outcomes if not isinstance(outcome, list)] == []
    assert Product.objects.get(pk=first.pk).stock == 70
    assert Product.objects.get(pk=second.pk).stock == 40


def test_reservations_and_releases_interleaved_keep_the_count(make_product):
    product = make_product(stock=20)

    def reserve_or_release(index: int):
        if index % 2:
            return services.release_stock(lines=[(product.pk, 1)])
        return services.reserve_stock(lines=[(product.pk, 1)])

    outcomes = run_at_once(30, reserve_or_release)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert Product.objects.get(pk=product.pk).stock == 20
