"""Stock moving under steady orders does not recompute the cached product list: a page stays
cached under the catalog's token and shows the stock of the stock's own token, read in one
query when it moved. Never stale once an order has committed.

These tests commit for real (`transaction=True`): the cache is never used inside a transaction.
"""

import pytest
from django.core.cache import caches

from catalog import cache
from catalog.apis import ProductViewSet
from catalog.models import ProductVariant
from tests.catalog.variants import sell_in_sizes

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCTS = "/api/v1/products/"
ORDERS = "/api/v1/orders/"


@pytest.fixture
def computed(monkeypatch) -> list[int]:
    """How many times a product list page was computed (each entry: one computation)."""
    calls: list[int] = []
    compute = ProductViewSet._page

    def counting(view):
        calls.append(1)
        return compute(view)

    monkeypatch.setattr(ProductViewSet, "_page", counting)
    return calls


@pytest.fixture
def shelf(make_product):
    """A mug in three sizes of 5 units each, and a plain kettle of 2."""
    mug = make_product(name="Mug")
    sizes = sell_in_sizes(mug, 3, stock=5)
    kettle = make_product(name="Kettle", stock=2)
    (kettle_variant,) = ProductVariant.objects.filter(product=kettle)
    return mug, sizes, kettle, kettle_variant


def _order(client, *items: tuple[ProductVariant, int]) -> None:
    body = {"items": [{"variant_id": v.id, "quantity": quantity} for v, quantity in items]}
    assert client.post(ORDERS, body, format="json").status_code == 201


def _stock(page: dict) -> dict:
    """Each product's stock and in_stock, and its variants'."""
    return {
        product["id"]: (
            product["stock"],
            product["in_stock"],
            [
                (variant["id"], variant["stock"], variant["in_stock"])
                for variant in product["variants"]
            ],
        )
        for product in page["results"]
    }


def test_an_order_shows_in_the_next_read_without_computing_the_page(
    anon_client, customer_client, shelf, computed, django_assert_num_queries
):
    mug, (small, medium, large), kettle, kettle_variant = shelf
    anon_client.get(PRODUCTS)
    assert len(computed) == 1

    _order(customer_client, (medium, 5), (kettle_variant, 1))

    # The version tokens, and the page's stock.
    with django_assert_num_queries(2):
        after = anon_client.get(PRODUCTS).json()
    assert len(computed) == 1
    assert _stock(after) == {
        mug.id: (10, True, [(small.id, 5, True), (medium.id, 0, False), (large.id, 5, True)]),
        kettle.id: (1, True, [(kettle_variant.id, 1, True)]),
    }
    # The stock read is kept too: the next read costs the tokens only.
    with django_assert_num_queries(1):
        assert anon_client.get(PRODUCTS).json() == after
    assert len(computed) == 1


def test_a_stock_move_keeps_the_catalogs_token_and_replaces_the_stocks(customer_client, shelf):
    _, (small, *_), _, _ = shelf
    before = cache.current_version()

    _order(customer_client, (small, 1))

    after = cache.current_version()
    assert after.catalog == before.catalog
    assert after.stock != before.stock


def test_a_cancelled_order_puts_the_stock_back_in_the_cached_page(
    anon_client, customer_client, shelf, computed
):
    _, _, kettle, kettle_variant = shelf
    body = {"items": [{"variant_id": kettle_variant.id, "quantity": 2}]}
    order = customer_client.post(ORDERS, body, format="json").json()
    sold_out = _stock(anon_client.get(PRODUCTS).json())[kettle.id]

    assert customer_client.post(f"{ORDERS}{order['id']}/cancel/").status_code == 200

    assert sold_out == (0, False, [(kettle_variant.id, 0, False)])
    assert _stock(anon_client.get(PRODUCTS).json())[kettle.id] == (
        2,
        True,
        [(kettle_variant.id, 2, True)],
    )
    assert len(computed) == 1


@pytest.mark.parametrize(("in_stock", "listed"), [("true", False), ("false", True)])
def test_a_list_filtered_by_stock_follows_a_product_sold_out(
    anon_client, customer_client, shelf, in_stock, listed
):
    _, _, kettle, kettle_variant = shelf
    before = {p["id"] for p in anon_client.get(PRODUCTS, {"in_stock": in_stock}).json()["results"]}

    _order(customer_client, (kettle_variant, 2))

    after = {p["id"] for p in anon_client.get(PRODUCTS, {"in_stock": in_stock}).json()["results"]}
    assert (kettle.id in before, kettle.id in after) == (not listed, listed)


def test_a_staff_write_still_recomputes_the_page(
    anon_client, staff_client, shelf, computed, django_assert_num_queries
):
    _, (small, *_), kettle, _ = shelf
    anon_client.get(PRODUCTS)

    response = staff_client.patch(f"{PRODUCTS}{kettle.id}/", {"name": "Tea kettle"}, format="json")
    assert response.status_code == 200
    variant = staff_client.patch(
        f"{PRODUCTS}{small.product_id}/variants/{small.id}/", {"stock": 7}, format="json"
    )
    assert variant.status_code == 200

    page = anon_client.get(PRODUCTS).json()
    names = {product["id"]: product["name"] for product in page["results"]}
    assert names[kettle.id] == "Tea kettle"
    assert _stock(page)[small.product_id][2][0] == (small.id, 7, True)
    assert len(computed) == 2


def _cached_key(prefix: str) -> str:
    """The one key of the local cache under `prefix`."""
    (key,) = [key.split(":", 2)[2] for key in caches["default"]._cache if f":{prefix}" in key]
    return key


def test_kept_stock_that_lacks_a_variant_of_the_page_is_read_again(
    anon_client, customer_client, shelf
):
    """Workers sharing a cache (Redis): one kept the stock read after an order, then a variant
    was added (committed, the catalog's token not yet replaced) and another worker, which had
    read the stock token before the order, kept the page computed with the variant."""
    mug, (small, *_), _, _ = shelf
    anon_client.get(PRODUCTS)
    _order(customer_client, (small, 1))
    anon_client.get(PRODUCTS)
    added = ProductVariant.objects.create(
        product=mug, sku="MUG-4", name="4", options={"size": "4"}, price="14.00", stock=9
    )
    local = caches["default"]
    page_key = _cached_key("catalog:")
    local.delete(page_key)
    anon_client.get(PRODUCTS)
    _, page = local.get(page_key)
    local.set(page_key, ("a-stock-token-before-the-order", page))

    page = anon_client.get(PRODUCTS).json()

    assert (added.id, 9, True) in _stock(page)[mug.id][2]


def test_the_cache_off_gives_the_same_answers(anon_client, customer_client, shelf, settings):
    _, (small, medium, _), _, kettle_variant = shelf
    queries = [{}, {"in_stock": "true"}, {"in_stock": "false"}, {"page_size": 1, "page": 2}]
    for query in queries:
        anon_client.get(PRODUCTS, query)

    _order(customer_client, (small, 2), (medium, 5), (kettle_variant, 2))

    cached = [anon_client.get(PRODUCTS, query).json() for query in queries]
    settings.CATALOG_CACHE_TIMEOUT = 0
    assert [anon_client.get(PRODUCTS, query).json() for query in queries] == cached


def test_a_products_detail_is_cached_and_shows_an_order_at_once(
    anon_client, customer_client, staff_client, shelf, django_assert_num_queries
):
    mug, (small, medium, large), _, _ = shelf
    url = f"{PRODUCTS}{mug.id}/"
    # The version tokens, the product, its variants, its images.
    with django_assert_num_queries(4):
        first = anon_client.get(url).json()
    with django_assert_num_queries(1):
        assert anon_client.get(url).json() == first

    _order(customer_client, (medium, 5))

    # The version tokens, the product's stock.
    with django_assert_num_queries(2):
        after = anon_client.get(url).json()
    assert (after["stock"], after["in_stock"]) == (10, True)
    assert [(v["id"], v["stock"], v["in_stock"]) for v in after["variants"]] == [
        (small.id, 5, True),
        (medium.id, 0, False),
        (large.id, 5, True),
    ]
    assert {key: value for key, value in after.items() if key not in ("stock", "variants")} == {
        key: value for key, value in first.items() if key not in ("stock", "variants")
    }

    assert staff_client.patch(url, {"name": "Tall mug"}, format="json").status_code == 200
    assert anon_client.get(url).json()["name"] == "Tall mug"


def test_an_inactive_products_detail_is_cached_apart_for_staff(anon_client, staff_client, shelf):
    _, _, kettle, _ = shelf
    url = f"{PRODUCTS}{kettle.id}/"
    assert anon_client.get(url).status_code == 200

    assert staff_client.patch(url, {"is_active": False}, format="json").status_code == 200

    assert anon_client.get(url).status_code == 404
    assert staff_client.get(url).json()["is_active"] is False
    assert anon_client.get(url).status_code == 404
