"""A product's page and the catalog's version token are ORM queries compiled once
(`kernel.db.CompiledQuery`): after the first read, they are not compiled again; and a compiled
product query gives the values the ORM gives (decimals, booleans, a joined column)."""

from decimal import Decimal
from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler

from catalog import cache
from catalog.models import CatalogVersion, Category, Product, ProductVariant
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

    assert cache.current_version() == token
    assert CatalogVersion not in compiled


VARIANT_FIELDS = (
    "id",
    "sku",
    "price",
    "stock",
    "product__is_active",
    "created_at",
    "product__category__name",
)


@pytest.fixture
def variants() -> list[ProductVariant]:
    category = Category.objects.create(name="Tea", slug="tea")
    made = []
    for sku, price, stock, on in [
        ("A", Decimal("12.35"), 3, True),
        ("B", Decimal("10.00"), 0, False),
        ("C", Decimal("0.01"), 9, True),
    ]:
        product = Product.objects.create(
            sku=sku, name=sku, slug=sku, category=category, price=price, is_active=on
        )
        made.append(
            ProductVariant.objects.create(product=product, sku=sku, price=price, stock=stock)
        )
    return made


def test_decimals_booleans_and_joined_columns_are_what_the_orm_gives(variants):
    queryset = ProductVariant.objects.order_by("sku").values(*VARIANT_FIELDS)
    query = CompiledQuery(queryset.filter, stock__gte=int)

    rows = query.rows(stock__gte=0)

    expected = list(queryset.filter(stock__gte=0))
    assert rows == expected
    for row, orm_row in zip(rows, expected, strict=True):
        for name in VARIANT_FIELDS:
            assert type(row[name]) is type(orm_row[name]), name
        assert str(row["price"]) == str(orm_row["price"])
    assert [(row["price"], row["product__is_active"]) for row in rows] == [
        (Decimal("12.35"), True),
        (Decimal("10.00"), False),
        (Decimal("0.01"), True),
    ]
    assert [row["product__category__name"] for row in rows] == ["Tea"] * 3
