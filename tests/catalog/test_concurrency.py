"""Stock reservation under real concurrency: no overselling, no deadlocks.

Each thread has its own database connection and transaction; `run_concurrently` releases them
together so they really contend for the same rows.
"""

import pytest

from catalog import services
from catalog.dtos import StockLine
from catalog.exceptions import ReservationFailed
from catalog.models import ProductVariant
from tests.concurrency import run_concurrently

pytestmark = [
    pytest.mark.postgres(
        "the reservations need row locks (SELECT ... FOR UPDATE); SQLite runs one writer at a "
        "time, so there is no concurrency to test"
    ),
    pytest.mark.django_db(transaction=True),
]


def _variant_id(product) -> int:
    """The id of the product's one variant (`make_product` makes one)."""
    return ProductVariant.objects.values_list("pk", flat=True).get(product_id=product.pk)


def _stock(variant_id: int) -> int:
    return ProductVariant.objects.values_list("stock", flat=True).get(pk=variant_id)


def test_forty_buyers_of_ten_units_get_exactly_ten(make_product):
    variant_id = _variant_id(make_product(stock=10))
    line = StockLine(quantity=1, variant_id=variant_id)

    outcomes = run_concurrently(
        *[lambda: services.reserve_stock(lines=[line]) for _ in range(40)],
        return_exceptions=True,
    )

    reserved = [outcome for outcome in outcomes if isinstance(outcome, list)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ReservationFailed)]
    assert (len(reserved), len(refused)) == (10, 30)
    assert {error.code for error in refused} == {"insufficient_stock"}
    assert sorted(snapshot.stock for [snapshot] in reserved) == list(range(10))
    assert _stock(variant_id) == 0


def test_reservations_locking_two_products_in_opposite_orders_never_deadlock(make_product):
    first, second = _variant_id(make_product(stock=100)), _variant_id(make_product(stock=100))
    forwards = [StockLine(quantity=1, variant_id=first), StockLine(quantity=2, variant_id=second)]
    orders = [forwards, forwards[::-1]]

    outcomes = run_concurrently(
        *[lambda lines=orders[n % 2]: services.reserve_stock(lines=lines) for n in range(30)],
        return_exceptions=True,
    )

    assert [outcome for outcome in outcomes if not isinstance(outcome, list)] == []
    assert (_stock(first), _stock(second)) == (70, 40)


def test_reservations_and_releases_interleaved_keep_the_count(make_product):
    variant_id = _variant_id(make_product(stock=20))

    def reserve_or_release(index: int):
        if index % 2:
            return services.release_stock(lines=[(variant_id, 1)])
        return services.reserve_stock(lines=[StockLine(quantity=1, variant_id=variant_id)])

    outcomes = run_concurrently(
        *[lambda index=index: reserve_or_release(index) for index in range(30)],
        return_exceptions=True,
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert _stock(variant_id) == 20
