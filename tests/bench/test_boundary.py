"""The boundary comparison measures like against like: over HTTP, `bench.catalog_http` answers
the catalog's interface with the same DTOs and the same domain error as `catalog.services`."""

from decimal import Decimal

import pytest

from bench.catalog_http import CatalogClient
from catalog import services
from catalog.dtos import StockLine
from catalog.exceptions import ReservationFailed
from tests.catalog.variants import sell_in_sizes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("bench.urls")]


@pytest.fixture
def products():
    category = services.create_category(name="Bench")
    return [
        services.create_product(
            sku=f"B-{n}", name=f"Bench {n}", price=Decimal(price), stock=5, category=category
        )
        for n, price in enumerate(("0.01", "12.50", "999.99"))
    ] + [services.create_product(sku="B-off", name="Off", price=Decimal(1), is_active=False)]


def _variant(product) -> int:
    return services.get_products(ids=[product.id])[product.id].variant_ids[0]


def _lines(*lines) -> list[StockLine]:
    return [StockLine(quantity, variant_id=_variant(product)) for product, quantity in lines]


@pytest.fixture
def over_http(live_server) -> CatalogClient:
    return CatalogClient(live_server.url)


def test_get_products_returns_the_same_snapshots(products, over_http):
    sized = services.create_product(sku="B-sized", name="Sized", price=Decimal(2))
    sell_in_sizes(sized, 3)
    ids = [product.id for product in [*products, sized]] + [987654]

    assert len(services.get_products(ids=ids)[sized.id].variant_ids) == 3
    assert over_http.get_products(ids=ids) == services.get_products(ids=ids)


def test_reserving_returns_the_same_snapshots_and_takes_the_stock(products, over_http):
    lines = _lines((products[1], 1), (products[0], 2))

    remote = over_http.reserve_stock(lines=lines)
    services.release_stock(lines=[(line.variant_id, line.quantity) for line in lines])
    local = services.reserve_stock(lines=lines)

    assert remote == local
    assert [snapshot.stock for snapshot in remote] == [4, 3]


def test_a_failed_reservation_raises_the_same_error_and_takes_nothing(products, over_http):
    lines = _lines((products[0], 9), (products[3], 1))
    with pytest.raises(ReservationFailed) as in_process:
        services.reserve_stock(lines=lines)

    with pytest.raises(ReservationFailed) as remote:
        over_http.reserve_stock(lines=lines)

    assert remote.value.code == in_process.value.code == "product_unavailable"
    assert remote.value.unavailable == in_process.value.unavailable == (products[3].id,)
    assert remote.value.unavailable_variants == in_process.value.unavailable_variants == ()
    assert remote.value.shortages == in_process.value.shortages
    assert services.get_products(ids=[products[0].id])[products[0].id].stock == 5


def test_a_shortage_is_named_alike(products, over_http):
    with pytest.raises(ReservationFailed) as remote:
        over_http.reserve_stock(lines=_lines((products[1], 6)))

    assert remote.value.code == "insufficient_stock"
    assert [
        (s.product_id, s.variant_id, s.requested, s.available) for s in remote.value.shortages
    ] == [(products[1].id, _variant(products[1]), 6, 5)]


def test_an_unknown_variant_is_named_alike(products, over_http):
    with pytest.raises(ReservationFailed) as remote:
        over_http.reserve_stock(lines=[StockLine(1, variant_id=987654)])

    assert remote.value.code == "product_unavailable"
    assert remote.value.unavailable_variants == (987654,)


def test_releasing_puts_the_stock_back(products, over_http):
    over_http.reserve_stock(lines=_lines((products[2], 4)))

    over_http.release_stock(lines=[(_variant(products[2]), 4)])

    assert services.get_products(ids=[products[2].id])[products[2].id].stock == 5
