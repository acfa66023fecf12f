"""A product's page and the catalog's version token are ORM queries compiled once
(`kernel.db.CompiledQuery`): after the first read, they are not compiled again."""

from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler

from catalog import cache
from catalog.models import CatalogVersion, Product

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
