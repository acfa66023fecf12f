"""`?search=` on the product list: ranked full-text search on PostgreSQL, substrings elsewhere.

On PostgreSQL a product's text is one weighted `tsvector` (name A, SKU B, description C, the
`english` configuration), matched against `websearch_to_tsquery` of what was typed (any input
is a valid query, never an error) and, unless an `ordering` is asked for, ranked by
`ts_rank`: a name match comes before a SKU match, which comes before a match in the
description alone. A GIN index on the same expression (migration 0004, PostgreSQL only)
serves the match; an expression index rather than a stored column, as the vector is needed by
no read but this one and the index alone costs no write of its own (docs/ARCHITECTURE.md,
"Search"). `tests/catalog/test_search_ranking.py` pins that the query uses it.

Other databases (SQLite) have no full-text search Django speaks to: there the filter stays a
case-insensitive substring match on the name, the description and any variant's SKU, newest
first. (The full-text vector holds the product's own `sku`, its first variant's: an index on
one table cannot reach the others.)
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from catalog.models import ProductVariant

CONFIG = "english"
# The index's name; migration 0004 builds it on exactly this expression.
INDEX_NAME = "catalog_product_search_idx"


def search_vector() -> SearchVector:
    """The weighted vector: its SQL must stay the one migration 0004 indexed."""
    return (
        SearchVector("name", weight="A", config=CONFIG)
        + SearchVector("sku", weight="B", config=CONFIG)
        + SearchVector("description", weight="C", config=CONFIG)
    )


def search_products(queryset: QuerySet, value: str) -> QuerySet:
    """The products of `queryset` matching `value`; ranked best first on PostgreSQL (an
    `ordering` applied afterwards replaces the rank's)."""
    if connection.vendor != "postgresql":
        skus = ProductVariant.objects.filter(product_id=OuterRef("pk"), sku__icontains=value)
        return queryset.filter(
            Q(name__icontains=value) | Q(description__icontains=value) | Exists(skus)
        )
    query = SearchQuery(value, config=CONFIG, search_type="websearch")
    vector = search_vector()
    return (
        queryset.alias(search_document=vector, search_rank=SearchRank(vector, query))
        .filter(search_document=query)
        .order_by("-search_rank", "-created_at", "-id")
    )
