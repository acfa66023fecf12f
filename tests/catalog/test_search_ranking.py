"""`?search=` (API.md, "Catalog additions"): full-text and ranked on PostgreSQL, served by the
GIN index of migration 0004; substrings on SQLite."""

import pytest
from django.db import connection

from catalog.models import Product
from catalog.search import INDEX_NAME, search_products

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


def skus(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [product["sku"] for product in response.json()["results"]]


@pytest.fixture
def kettles(make_product):
    """Created so that newest first would be the opposite of the rank's order."""
    make_product(sku="NAME", name="Copper Kettle", description="Whistles.")
    make_product(sku="KETTLE-9", name="Spare lid")
    make_product(sku="DESC", name="Stove", description="Heats a kettle quickly.")
    make_product(sku="NONE", name="Teapot", description="Porcelain.")


@pytest.mark.postgres("full-text search and its ranking are PostgreSQL's")
def test_a_name_match_ranks_above_a_sku_match_above_a_description_match(anon_client, kettles):
    assert skus(anon_client.get(PRODUCTS, {"search": "kettle"})) == ["NAME", "KETTLE-9", "DESC"]


@pytest.mark.postgres("full-text search and its ranking are PostgreSQL's")
def test_an_ordering_replaces_the_rank(anon_client, kettles):
    response = anon_client.get(PRODUCTS, {"search": "kettle", "ordering": "-name"})

    assert skus(response) == ["DESC", "KETTLE-9", "NAME"]


@pytest.mark.postgres("full-text search is PostgreSQL's")
def test_words_are_matched_by_their_stem_in_any_order_and_any_input_is_a_query(
    anon_client, make_product
):
    make_product(sku="HRB-001", name="Chamomile herbal tea bags")
    make_product(sku="OTHER", name="Espresso beans")

    assert skus(anon_client.get(PRODUCTS, {"search": "tea bag"})) == ["HRB-001"]
    assert skus(anon_client.get(PRODUCTS, {"search": "HRB-001"})) == ["HRB-001"]
    for odd in ['"unclosed', "a & | ! (b", "-", "the"]:
        assert anon_client.get(PRODUCTS, {"search": odd}).status_code == 200


@pytest.mark.postgres("the GIN index is PostgreSQL's")
def test_the_search_uses_the_gin_index(make_product):
    for number in range(50):
        make_product(sku=f"P{number}", name=f"Product {number}")
    queryset = search_products(Product.objects.all(), "kettle")

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()

    assert INDEX_NAME in plan


def test_part_of_a_word_matches_as_a_substring_newest_first_on_sqlite_only(anon_client, kettles):
    """SQLite's fallback matches substrings, newest first; PostgreSQL matches whole words."""
    expected = [] if connection.vendor == "postgresql" else ["DESC", "KETTLE-9", "NAME"]

    assert skus(anon_client.get(PRODUCTS, {"search": "ettl"})) == expected
