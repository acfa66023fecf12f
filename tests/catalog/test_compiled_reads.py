"""A product's page and the catalog's version token are ORM queries compiled once
(`kernel.db.CompiledQuery`): after the first read, they are not compiled again; and a compiled
product query gives the values the ORM gives (decimals, booleans, a joined column)."""

from decimal import Decimal
from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler

from catalog import cache
from catalog.models import CatalogVersion, Category, Product
from kernel.db import CompiledQuery

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiled() -> list:
    """The models of the queries compiled while the test runs."""
    models = []
    as_sql = SQLCompiler.as_sql

    def spy(compiler, *args, **kwargs):
        models.append(compiler.query.model)
        return as_sql(compiler, *args, **kwargs)

    with mock.patch.object(SQLCompiler, "as_sql", spy):
        yield models


def test_a_products_page_compiles_its_query_once(anon_client, make_product, compiled):
    url = f"/api/v1/products/{make_product().pk}/"
    anon_client.get(url)
    compiled.clear()

    assert anon_client.get(url).status_code == 200
    assert anon_client.get(url).status_code == 200
    assert Product not in compiled


def test_the_version_token_is_read_by_a_query_compiled_once(compiled):
    token = cache.new_version()
    cache.current_version()
    compiled.clear()

    assert cache.current_version().catalog == token
    assert CatalogVersion not in compiled


PRODUCT_FIELDS = ("id", "sku", "price", "is_active", "created_at", "category__name")


@pytest.fixture
def products() -> list[Product]:
    category = Category.objects.create(name="Tea", slug="tea")
    return [
        Product.objects.create(
            sku=sku, name=sku, slug=sku, category=category, price=price, is_active=on
        )
        for sku, price, on in [
            ("A", Decimal("12.35"), True),
            ("B", Decimal("10.00"), False),
            ("C", Decimal("0.01"), True),
        ]
    ]


def test_decimals_booleans_and_joined_columns_are_what_the_orm_gives(products):
    queryset = Product.objects.order_by("sku").values(*PRODUCT_FIELDS)
    query = CompiledQuery(queryset.filter, id__gte=int)

    rows = query.rows(id__gte=0)

    expected = list(queryset.filter(id__gte=0))
    assert rows == expected
    for row, orm_row in zip(rows, expected, strict=True):
        for name in PRODUCT_FIELDS:
            assert type(row[name]) is type(orm_row[name]), name
        assert str(row["price"]) == str(orm_row["price"])
    assert [(row["price"], row["is_active"]) for row in rows] == [
        (Decimal("12.35"), True),
        (Decimal("10.00"), False),
        (Decimal("0.01"), True),
    ]
