"""The cache of catalog lists: a hit costs one query, and no response is stale once a write
has committed.

These tests commit for real (`transaction=True`): the cache is never used inside a transaction,
which is where every other test runs.
"""

from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import transaction

from catalog import services
from catalog.dtos import StockLine
from catalog.models import CatalogVersion, Category, Product
from tests.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCTS = "/api/v1/products/"
CATEGORIES = "/api/v1/categories/"


@pytest.fixture
def shelf(make_category, make_product):
    category = make_category(name="Mugs", slug="mugs")
    products = [make_product(category=category, price=Decimal("10.00")) for _ in range(3)]
    return category, products


def _prices(client, **params) -> dict[int, str]:
    response = client.get(PRODUCTS, params)
    assert response.status_code == 200
    return {product["id"]: product["price"] for product in response.json()["results"]}


def test_a_second_read_of_the_same_page_costs_one_query(
    anon_client, shelf, django_assert_num_queries
):
    # The version tokens, the count, the page, its first images, its variants.
    with django_assert_num_queries(5):
        first = anon_client.get(PRODUCTS)
    # The version tokens only.
    with django_assert_num_queries(1):
        second = anon_client.get(PRODUCTS)

    assert second.json() == first.json()


def test_a_hit_with_a_jwt_costs_the_user_and_the_token(
    customer_client, shelf, django_assert_num_queries
):
    customer_client.get(PRODUCTS)

    with django_assert_num_queries(2):
        assert customer_client.get(PRODUCTS).status_code == 200


@pytest.mark.parametrize("count", [1, 20])
def test_a_page_costs_the_same_on_a_miss_and_on_a_hit_whatever_its_size(
    anon_client, make_product, django_assert_num_queries, count
):
    for _ in range(count):
        make_product()

    with django_assert_num_queries(5):
        assert len(anon_client.get(PRODUCTS).json()["results"]) == count
    with django_assert_num_queries(1):
        assert len(anon_client.get(PRODUCTS).json()["results"]) == count


@pytest.mark.parametrize("count", [1, 20])
def test_a_page_of_categories_costs_one_query_on_a_hit(
    anon_client, make_category, django_assert_num_queries, count
):
    for _ in range(count):
        make_category()
    anon_client.get(CATEGORIES)

    with django_assert_num_queries(1):
        assert anon_client.get(CATEGORIES).json()["count"] == count


def test_a_price_change_shows_at_once_although_the_old_page_is_still_cached(anon_client, shelf):
    _, (product, *_) = shelf
    before = _prices(anon_client)
    cached_entries = len(caches["default"]._cache)

    services.update_product(product=product, data={"price": Decimal("12.34")})

    after = _prices(anon_client)
    assert before[product.id] == "10.00"
    assert after[product.id] == "12.34"
    # Nothing was deleted: the old page is simply never asked for again.
    assert len(caches["default"]._cache) > cached_entries


def _reserve(products):
    services.reserve_stock(lines=[StockLine(quantity=2, product_id=products[0].id)])


def _release(products):
    (variant_id,) = services.get_products(ids=[products[0].id])[products[0].id].variant_ids
    services.release_stock(lines=[(variant_id, 2)])


def _create(products):
    services.create_product(sku="NEW-1", name="New mug", price=Decimal("3.00"), stock=1)


def _update(products):
    services.update_product(product=products[0], data={"name": "Renamed mug"})


def _deactivate(products):
    services.set_products_active(product_ids=[products[0].id], is_active=False)


def _delete(products):
    services.delete_product(product=products[0])


def _rename_category(products):
    services.update_category(category=products[0].category, data={"name": "Cups"})


def _delete_category(products):
    services.delete_category(category=products[0].category)


@pytest.mark.parametrize(
    "write",
    [
        _reserve,
        _release,
        _create,
        _update,
        _deactivate,
        _delete,
        _rename_category,
        _delete_category,
    ],
)
def test_no_list_is_stale_after_any_catalog_write_commits(anon_client, shelf, write):
    _, products = shelf
    stale = anon_client.get(PRODUCTS).json()

    write(products)

    fresh = anon_client.get(PRODUCTS).json()
    assert fresh != stale
    # The same products under another key (a page size of its own), so certainly read from the
    # database now.
    assert fresh["results"] == anon_client.get(PRODUCTS, {"page_size": 19}).json()["results"]


def test_no_category_list_is_stale_after_a_category_write_commits(anon_client, make_category):
    category = make_category(name="Mugs")
    assert [c["name"] for c in anon_client.get(CATEGORIES).json()["results"]] == ["Mugs"]

    services.update_category(category=category, data={"name": "Cups"})

    assert [c["name"] for c in anon_client.get(CATEGORIES).json()["results"]] == ["Cups"]


def test_placing_an_order_through_the_api_shows_in_the_stock_at_once(
    anon_client, customer_client, shelf
):
    _, (product, *_) = shelf
    stock = {p["id"]: p["stock"] for p in anon_client.get(PRODUCTS).json()["results"]}

    response = customer_client.post(
        "/api/v1/orders/", {"items": [{"product_id": product.id, "quantity": 3}]}
    )

    assert response.status_code == 201
    after = {p["id"]: p["stock"] for p in anon_client.get(PRODUCTS).json()["results"]}
    assert after[product.id] == stock[product.id] - 3


def test_a_write_by_another_worker_is_seen_through_the_shared_version(anon_client, shelf):
    """Another gunicorn worker has its own local cache: it commits the write and replaces the
    token in the database, and this worker's cached page is not served again."""
    _, (product, *_) = shelf
    anon_client.get(PRODUCTS)

    Product.objects.filter(pk=product.pk).update(price=Decimal("99.00"))
    CatalogVersion.objects.filter(pk=1).update(token="set-by-the-other-worker")

    assert _prices(anon_client)[product.id] == "99.00"


def test_a_write_rolled_back_leaves_the_cache_in_use(anon_client, shelf, django_assert_num_queries):
    _, (product, *_) = shelf
    anon_client.get(PRODUCTS)

    with transaction.atomic():
        services.update_product(product=product, data={"price": Decimal("55.00")})
        transaction.set_rollback(True)

    with django_assert_num_queries(1):
        assert _prices(anon_client)[product.id] == "10.00"


def test_reads_inside_a_transaction_neither_use_nor_fill_the_cache(anon_client, shelf):
    _, (product, *_) = shelf
    anon_client.get(PRODUCTS)

    with transaction.atomic():
        Product.objects.filter(pk=product.pk).update(price=Decimal("77.00"))
        inside = _prices(anon_client)
        transaction.set_rollback(True)

    assert inside[product.id] == "77.00"
    assert _prices(anon_client)[product.id] == "10.00"


def test_staff_and_customers_are_cached_apart(anon_client, staff, shelf):
    _, (product, *_) = shelf
    services.set_products_active(product_ids=[product.id], is_active=False)
    staff_client = client_for(staff)

    assert product.id in _prices(staff_client)
    assert product.id not in _prices(anon_client)
    assert product.id in _prices(staff_client)


def test_the_absolute_links_of_a_page_follow_the_host_asked_for(
    anon_client, make_product, settings
):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    for _ in range(3):
        make_product()

    first = anon_client.get(PRODUCTS, {"page_size": 1}, HTTP_HOST="localhost")
    second = anon_client.get(PRODUCTS, {"page_size": 1}, HTTP_HOST="127.0.0.1")

    assert first.json()["next"].startswith("http://localhost/")
    assert second.json()["next"].startswith("http://127.0.0.1/")


def test_an_invalid_query_is_refused_every_time(anon_client, shelf):
    for _ in range(2):
        response = anon_client.get(PRODUCTS, {"category": "no-such-category"})
        assert response.status_code == 400


def test_a_lost_version_row_is_made_again(anon_client, shelf):
    _, (product, *_) = shelf
    anon_client.get(PRODUCTS)
    CatalogVersion.objects.all().delete()
    Product.objects.filter(pk=product.pk).update(price=Decimal("42.00"))

    assert _prices(anon_client)[product.id] == "42.00"
    assert CatalogVersion.objects.count() == 1


def test_deleting_a_category_shows_its_products_without_one(anon_client, shelf):
    category, _ = shelf
    anon_client.get(PRODUCTS)

    services.delete_category(category=Category.objects.get(pk=category.pk))

    assert {p["category"] for p in anon_client.get(PRODUCTS).json()["results"]} == {None}
