"""The catalog cache's keys are the list's validated query, not its URL: equivalent URLs share
one entry, and a URL the list cannot answer (an unknown parameter, an unknown category, an
unknown format) adds none, however many of them there are.

These tests commit for real (`transaction=True`): the cache is never used inside a transaction.
"""

from decimal import Decimal

import pytest
from django.core.cache import caches

from catalog.filters import ProductFilter, ProductListQuerySerializer

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCTS = "/api/v1/products/"
CATEGORIES = "/api/v1/categories/"


def _entries() -> int:
    """How many catalog pages the (local memory) cache holds."""
    return sum(":catalog:" in key for key in caches["default"]._cache)


@pytest.fixture
def shelf(make_category, make_product):
    mugs = make_category(name="Mugs", slug="mugs")
    for price in ("5.00", "10.00", "15.00"):
        make_product(category=mugs, price=Decimal(price), stock=2)


@pytest.mark.parametrize(
    ("path", "equivalents"),
    [
        (
            PRODUCTS,
            [
                "",
                "?page=1",
                "?page_size=20",
                "?page_size=20&page=1",
                "?page=1&page_size=20",
                "?search=&category=&min_price=&max_price=&in_stock=&ordering=",
            ],
        ),
        (PRODUCTS, ["?in_stock=true", "?in_stock=True", "?in_stock=TRUE", "?in_stock=1"]),
        (PRODUCTS, ["?min_price=10", "?min_price=10.0", "?min_price=10.00&page=1"]),
        (PRODUCTS, ["?page_size=100", "?page_size=101", "?page_size=100000"]),
        (
            PRODUCTS,
            [
                "?category=mugs&ordering=price&in_stock=true",
                "?in_stock=true&ordering=price&category=mugs",
                "?ordering=price&category=mugs&in_stock=1&page=1",
            ],
        ),
        (CATEGORIES, ["", "?page=1", "?page_size=20", "?page=1&page_size=20"]),
    ],
)
def test_equivalent_urls_share_one_cache_entry(
    anon_client, shelf, django_assert_num_queries, path, equivalents
):
    first = anon_client.get(path + equivalents[0])
    assert first.status_code == 200

    for query in equivalents[1:]:
        # The catalog's version token only: the page is the cached one.
        with django_assert_num_queries(1):
            response = anon_client.get(path + query)
        assert response.status_code == 200
        assert response.json()["results"] == first.json()["results"]
    assert _entries() == 1


@pytest.mark.parametrize(
    "junk",
    [
        lambda n: {"utm_source": f"campaign-{n}"},
        lambda n: {f"x{n}": "1"},
        lambda n: {"category": f"no-such-category-{n}"},
        lambda n: {"page": "1", "pgae": str(n)},
        lambda n: {"format": f"xyz{n}"},
        lambda n: {"page": str(n + 1000)},
    ],
)
def test_three_hundred_junk_urls_add_no_cache_entry(anon_client, shelf, junk):
    assert anon_client.get(PRODUCTS).status_code == 200
    assert anon_client.get(CATEGORIES).status_code == 200

    statuses = {anon_client.get(PRODUCTS, junk(n)).status_code for n in range(300)}
    statuses |= {anon_client.get(CATEGORIES, junk(n)).status_code for n in range(300)}

    assert statuses <= {400, 404}
    assert _entries() == 2


def test_the_browsable_api_and_json_pages_are_cached_apart(anon_client, make_product):
    """Their `next` links keep the `format` asked for."""
    for _ in range(3):
        make_product()

    browsable = anon_client.get(PRODUCTS, {"page_size": 1, "format": "api"})
    plain = anon_client.get(PRODUCTS, {"page_size": 1, "format": "json"}).json()

    assert "format=api" in browsable.content.decode()
    assert "format=api" not in plain["next"]


def test_the_cache_key_reads_exactly_the_parameters_the_filter_set_applies():
    pages = {"page", "page_size"}

    assert set(ProductListQuerySerializer().fields) == set(ProductFilter.base_filters) | pages


@pytest.mark.parametrize(
    ("canonical", "variant"),
    [
        ({}, {"page": "1.0"}),
        ({}, {"page": "01"}),
        ({}, {"page": " 1"}),
        ({}, {"page_size": "20.0"}),
        ({"category": "mugs"}, {"category": " mugs"}),
        ({"category": "mugs"}, {"category": "MUGS"}),
        ({"min_price": "10"}, {"min_price": "10.000"}),
        ({"min_price": "10"}, {"min_price": " 10 "}),
        ({"min_price": "10"}, {"min_price": "1e1"}),
        ({"search": "mug"}, {"search": " mug "}),
        ({"in_stock": "true"}, {"in_stock": " true"}),
        ({"ordering": "price"}, {"ordering": " price"}),
    ],
)
def test_a_warm_cache_answers_a_query_as_a_cold_one_does(anon_client, shelf, canonical, variant):
    """A key never stands for a spelling that the list itself would answer otherwise."""
    cold = anon_client.get(PRODUCTS, variant)
    caches["default"].clear()
    assert anon_client.get(PRODUCTS, canonical).status_code == 200

    warm = anon_client.get(PRODUCTS, variant)

    assert (warm.status_code, warm.json()) == (cold.status_code, cold.json())
