"""Races on PostgreSQL: real threads, each with its own connection, released together.

SQLite takes one writer at a time for the whole database, so it cannot show these races; the
row locks and unique constraints that decide them are PostgreSQL's.
"""

from collections import Counter

import pytest
from django.db.models import Sum

from orders.models import Order, OrderLine
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import stock_of, variant_id_of

pytestmark = [
    pytest.mark.postgres("SQLite serialises all writers, so there is no race to observe"),
    pytest.mark.django_db(transaction=True),
]

ORDERS = "/api/v1/orders/"


def test_forty_customers_racing_for_the_last_ten_units_leave_exactly_ten_orders(
    make_user, make_product
):
    """Half name the product (of one variant), half its variant: both lock the variant."""
    product = make_product(sku="LAST-10", name="Rare", price="5.00", stock=10)
    variant_id = variant_id_of(product)
    clients = [client_for(make_user()) for _ in range(40)]
    named = [{"variant_id": variant_id}, {"product_id": product.pk}]
    bodies = [{"items": [{**named[n % 2], "quantity": 1}]} for n in range(40)]

    responses = run_concurrently(
        *[
            lambda client=client, body=body: client.post(ORDERS, body, format="json")
            for client, body in zip(clients, bodies, strict=True)
        ]
    )

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 10, 409: 30}
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"insufficient_stock"}
    assert stock_of(product) == 0
    ordered = (
        OrderLine.objects.filter(variant_id=variant_id)
        .exclude(order__status="cancelled")
        .aggregate(units=Sum("quantity"))["units"]
    )
    assert stock_of(product) + ordered == 10
    assert Order.objects.count() == 10


def test_twenty_twins_with_one_idempotency_key_place_one_order(customer, make_product):
    product = make_product(sku="TWIN", name="Twin", price="5.00", stock=50)
    clients = [client_for(customer) for _ in range(20)]
    body = {"items": [{"product_id": product.pk, "quantity": 2}]}

    responses = run_concurrently(
        *[
            lambda client=client: client.post(ORDERS, body, headers={"Idempotency-Key": "twin"})
            for client in clients
        ]
    )

    assert Order.objects.count() == 1
    assert stock_of(product) == 48
    order_id = Order.objects.get().pk
    created = [response for response in responses if response.status_code == 201]
    in_progress = [response for response in responses if response.status_code == 409]
    assert len(created) + len(in_progress) == 20
    assert created
    assert {response.json()["id"] for response in created} == {order_id}
    # Replays come from a JSON column (jsonb orders keys its own way): the same object.
    assert all(response.json() == created[0].json() for response in created)
    assert {response.json()["code"] for response in in_progress} <= {"idempotency_key_in_progress"}


def test_multi_line_orders_locking_products_in_opposite_orders_never_deadlock(
    make_user, make_product
):
    products = [make_product(sku=f"X-{n}", name=f"X {n}", price="3.00", stock=50) for n in range(3)]
    variant_ids = [variant_id_of(product) for product in products]
    forwards = [{"variant_id": variant_id, "quantity": 2} for variant_id in variant_ids]
    # Every customer wants 2 of each; 30 of them want 60 of each, and there are 50.
    bodies = [{"items": forwards if n % 2 else forwards[::-1]} for n in range(30)]
    clients = [client_for(make_user()) for _ in bodies]

    responses = run_concurrently(
        *[
            lambda client=client, body=body: client.post(ORDERS, body, format="json")
            for client, body in zip(clients, bodies, strict=True)
        ]
    )

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 25, 409: 5}
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"insufficient_stock"}
    for product, variant_id in zip(products, variant_ids, strict=True):
        ordered = OrderLine.objects.filter(variant_id=variant_id).aggregate(units=Sum("quantity"))
        assert (stock_of(product), stock_of(product) + ordered["units"]) == (0, 50)
