"""The order list is paged by explicit queries (`PageNumberPagination.paginate_rows`): its pages,
links, limits and errors are those of a list paged from a queryset, the product list's."""

from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler

from orders.models import Order, OrderEvent, OrderLine

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
PRODUCTS = "/api/v1/products/"


@pytest.fixture
def three_orders(place, product) -> list[int]:
    return [place((product, 1)) for _ in range(3)]


def test_pages_and_links(customer_client, three_orders):
    first = customer_client.get(ORDERS, {"page_size": 2}).json()
    second = customer_client.get(ORDERS, {"page_size": 2, "page": 2}).json()

    assert (first["count"], first["previous"]) == (3, None)
    assert [order["id"] for order in first["results"]] == three_orders[:0:-1]
    assert first["next"] == "http://testserver/api/v1/orders/?page=2&page_size=2"
    assert (second["next"], second["previous"]) == (
        None,
        "http://testserver/api/v1/orders/?page_size=2",
    )
    assert [order["id"] for order in second["results"]] == three_orders[:1]


def test_the_page_size_is_capped_at_100(customer_client, three_orders):
    body = customer_client.get(ORDERS, {"page_size": 100000}).json()

    assert len(body["results"]) == 3
    assert body["next"] is None


def test_no_orders_is_an_empty_first_page(customer_client):
    response = customer_client.get(ORDERS)

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("params", [{"page": 3}, {"page": 2, "page_size": 3}])
def test_a_page_beyond_the_last_is_the_same_404_as_the_product_lists(
    customer_client, anon_client, three_orders, params
):
    orders = customer_client.get(ORDERS, params)
    products = anon_client.get(PRODUCTS, params)

    assert orders.status_code == products.status_code == 404
    assert orders.json() == products.json()


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 0}, {"page_size": "x"}])
def test_a_malformed_page_is_the_same_400_as_the_product_lists(
    customer_client, anon_client, params
):
    orders = customer_client.get(ORDERS, params)
    products = anon_client.get(PRODUCTS, params)

    assert orders.status_code == products.status_code == 400
    assert orders.json() == products.json()


def test_reads_after_the_first_compile_no_order_query(customer_client, three_orders):
    """The list's and an order's queries are compiled once (`kernel.db.CompiledQuery`)."""
    urls = [ORDERS, f"{ORDERS}?status=pending", f"{ORDERS}{three_orders[0]}/"]
    for url in urls:
        customer_client.get(url)
    compiled = []
    as_sql = SQLCompiler.as_sql

    def spy(compiler, *args, **kwargs):
        compiled.append(compiler.query.model)
        return as_sql(compiler, *args, **kwargs)

    with mock.patch.object(SQLCompiler, "as_sql", spy):
        for url in urls:
            assert customer_client.get(url).status_code == 200

    assert not {Order, OrderLine, OrderEvent} & set(compiled)
