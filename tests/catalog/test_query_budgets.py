"""Exact query counts: a page of products costs the same however many products it holds, and
however many variants each has.

Anonymous: count + page + the page's first images (thumbnails) + the page's variants.
Authenticated (JWT): + 1 to load the user. The category comes in the page's query; the currency
comes from settings. One product: the product + its variants + its images.
(tests/catalog/test_images.py: the same with images.)
"""

import pytest

from catalog.models import Product
from tests.catalog.variants import sell_in_sizes

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


@pytest.fixture
def catalog_of(make_category, make_product):
    """`catalog_of(n, sizes=1)`: n active products spread over three categories, plus an
    inactive one, each with `sizes` variants."""

    def make(count: int, sizes: int = 1) -> None:
        categories = [make_category() for _ in range(3)]
        for number in range(count):
            product = make_product(category=categories[number % 3])
            if sizes > 1:
                sell_in_sizes(product, sizes)
        make_product(is_active=False, category=categories[0])

    return make


@pytest.mark.parametrize(("page_size", "sizes"), [(1, 1), (20, 1), (100, 1), (1, 3), (20, 3)])
def test_a_page_of_products_costs_four_queries_anonymously(
    anon_client, catalog_of, django_assert_num_queries, page_size, sizes
):
    catalog_of(page_size, sizes)

    with django_assert_num_queries(4):
        response = anon_client.get(PRODUCTS, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
    assert all(len(product["variants"]) == sizes for product in response.json()["results"])
    assert all(product["category"] for product in response.json()["results"])


@pytest.mark.parametrize("page_size", [1, 20, 100])
@pytest.mark.parametrize(
    ("client_name", "queries"),
    # Staff also cost their permissions (Django's ModelBackend: the user's own, their groups'),
    # which decide whether they see inactive products.
    [("customer_client", 5), ("staff_client", 7)],
)
def test_a_page_of_products_costs_a_fixed_budget_with_a_jwt(
    request, catalog_of, django_assert_num_queries, page_size, client_name, queries
):
    client = request.getfixturevalue(client_name)
    catalog_of(page_size)

    with django_assert_num_queries(queries):
        response = client.get(PRODUCTS, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_filters_search_and_ordering_add_no_query(
    anon_client, catalog_of, django_assert_num_queries
):
    catalog_of(30)
    params = {
        "search": "product",
        "min_price": "1",
        "max_price": "100",
        "in_stock": "true",
        "ordering": "-price",
        "page_size": 100,
    }

    with django_assert_num_queries(4):
        response = anon_client.get(PRODUCTS, params)

    assert response.json()["count"] == 30


def test_the_category_filter_adds_one_query_to_check_the_slug(
    anon_client, catalog_of, django_assert_num_queries
):
    catalog_of(30)
    slug = Product.objects.filter(is_active=True).first().category.slug

    with django_assert_num_queries(5):
        response = anon_client.get(PRODUCTS, {"category": slug, "page_size": 100})

    assert response.json()["count"] == 10


@pytest.mark.parametrize("count", [1, 20])
def test_a_page_of_categories_costs_two_queries(
    anon_client, make_category, django_assert_num_queries, count
):
    for _ in range(count):
        make_category()

    with django_assert_num_queries(2):
        response = anon_client.get("/api/v1/categories/", {"page_size": 100})

    assert response.json()["count"] == count


@pytest.mark.parametrize(("count", "sizes"), [(1, 1), (20, 1), (1, 3)])
@pytest.mark.parametrize(("client", "queries"), [("anon_client", 3), ("customer_client", 4)])
def test_one_product_costs_three_queries_anonymously_and_four_with_a_jwt_however_big_the_catalog(
    request, catalog_of, django_assert_num_queries, count, sizes, client, queries
):
    """A JWT costs one query more: the user it names is read."""
    client = request.getfixturevalue(client)
    catalog_of(count, sizes)
    product = Product.objects.filter(is_active=True).first()

    with django_assert_num_queries(queries):
        response = client.get(f"{PRODUCTS}{product.pk}/")

    assert len(response.json()["variants"]) == sizes


@pytest.mark.parametrize("count", [1, 20])
def test_one_category_costs_one_query_however_many_there_are(
    anon_client, make_category, django_assert_num_queries, count
):
    categories = [make_category() for _ in range(count)]

    with django_assert_num_queries(1):
        response = anon_client.get(f"/api/v1/categories/{categories[-1].slug}/")

    assert response.json()["slug"] == categories[-1].slug
