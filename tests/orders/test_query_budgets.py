"""Query budgets: placing, listing and reading orders cost the same however many lines.

The counts are exact. Inside a test the outermost `atomic` is a savepoint, so every
`transaction.atomic` shows up as a SAVEPOINT and a RELEASE.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders import services
from orders.dtos import OrderItem
from tests.conftest import client_for
from tests.factories import make_order, variant_id_of

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"

# reserve_stock: savepoint, SELECT … FOR UPDATE of the variants, one UPDATE, release; the
# order's INSERT in a savepoint of its own (so a clashing number can be drawn again); one INSERT
# for every line; the first event; the outbox's `order.placed` (one INSERT: its data is built
# from what was just written); the outer savepoint. Items named by `variant_id`, the email
# given (as the API gives the signed-in customer's).
PLACE_ORDER_QUERIES = 12
# Without an email the customer's is read from accounts: one query.
CUSTOMER_EMAIL_QUERIES = 1
# Items named by `product_id` add one query, for every item: their products' variants.
BY_PRODUCT_QUERIES = 1
# + the user (JWT), and the order, its lines and its events read back for the response.
POST_ORDER_QUERIES = PLACE_ORDER_QUERIES + 4
# + claiming the key (savepoint, INSERT, release), the atomic around the work, the stored response.
POST_ORDER_WITH_KEY_QUERIES = POST_ORDER_QUERIES + 6
# The user, the count, the page of orders, their lines, their events.
LIST_QUERIES = 5
# The user, the order, its lines, its events.
DETAIL_QUERIES = 4
# The user; their permissions (Django's ModelBackend: the user's own, their groups'); savepoint,
# SELECT … FOR UPDATE, UPDATE, the event's INSERT; the outbox event (the order's lines and
# history read for its data, then its INSERT); release; the read-back.
STAFF_TRANSITION_QUERIES = 14


@pytest.fixture
def products(make_product):
    return [make_product(stock=100) for _ in range(20)]


@pytest.fixture
def client(customer):
    return client_for(customer)


# Each item names a variant, or the product of one variant (one query more).
KINDS = [
    pytest.param("variant_id", 0, id="by-variant"),
    pytest.param("product_id", 1, id="by-product"),
]


def _ids(products, count: int, kind: str) -> list[int]:
    return [
        variant_id_of(product) if kind == "variant_id" else product.pk
        for product in products[:count]
    ]


def _items(products, count: int, kind: str) -> list[dict]:
    return [{kind: id_, "quantity": 1} for id_ in _ids(products, count, kind)]


@pytest.mark.parametrize("given_email", [True, False], ids=["email-given", "customer-email"])
@pytest.mark.parametrize("lines", [1, 20])
@pytest.mark.parametrize(("kind", "extra"), KINDS)
def test_place_order_takes_the_same_queries_for_1_and_20_lines(
    customer, products, lines, kind, extra, given_email, django_assert_num_queries
):
    items = [OrderItem(quantity=2, **{kind: id_}) for id_ in _ids(products, lines, kind)]
    email = {"email": "buyer@example.com"} if given_email else {}
    queries = PLACE_ORDER_QUERIES + (0 if given_email else CUSTOMER_EMAIL_QUERIES)

    with django_assert_num_queries(queries + extra * BY_PRODUCT_QUERIES):
        services.place_order(customer_id=customer.pk, items=items, **email)


@pytest.mark.parametrize("lines", [1, 20])
@pytest.mark.parametrize(("kind", "extra"), KINDS)
def test_post_orders_takes_the_same_queries_for_1_and_20_lines(
    client, products, lines, kind, extra, django_assert_num_queries
):
    items = _items(products, lines, kind)

    with django_assert_num_queries(POST_ORDER_QUERIES + extra * BY_PRODUCT_QUERIES):
        response = client.post(ORDERS, {"items": items})

    assert response.status_code == 201
    assert len(response.json()["items"]) == lines


@pytest.mark.parametrize("lines", [1, 20])
@pytest.mark.parametrize(("kind", "extra"), KINDS)
def test_post_orders_with_an_idempotency_key_takes_the_same_queries_for_1_and_20_lines(
    client, products, lines, kind, extra, django_assert_num_queries
):
    items = _items(products, lines, kind)

    with django_assert_num_queries(POST_ORDER_WITH_KEY_QUERIES + extra * BY_PRODUCT_QUERIES):
        response = client.post(ORDERS, {"items": items}, headers={"Idempotency-Key": "k"})

    assert response.status_code == 201


def _order(customer, products, *, lines: int, events: int) -> int:
    """An order of `lines` lines whose history has `events` entries (1 to 4)."""
    status = ("pending", "paid", "shipped", "delivered")[events - 1]
    return make_order(customer, items=[(product, 1) for product in products[:lines]], status=status)


SHAPES = [
    pytest.param(1, 1, id="1-line-1-event"),
    pytest.param(20, 1, id="20-lines-1-event"),
    pytest.param(1, 4, id="1-line-4-events"),
    pytest.param(20, 4, id="20-lines-4-events"),
]


@pytest.mark.parametrize(("lines", "events"), SHAPES)
def test_the_detail_takes_the_same_queries_whatever_the_lines_and_events(
    client, customer, products, lines, events, django_assert_num_queries
):
    order_id = _order(customer, products, lines=lines, events=events)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(f"{ORDERS}{order_id}/")

    assert len(response.json()["items"]) == lines
    assert len(response.json()["events"]) == events


@pytest.mark.parametrize(("lines", "events"), SHAPES)
@pytest.mark.parametrize("orders", [1, 5])
def test_the_list_takes_the_same_queries_whatever_the_orders_lines_and_events(
    client, customer, products, orders, lines, events, django_assert_num_queries
):
    for _ in range(orders):
        _order(customer, products, lines=lines, events=events)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(ORDERS)

    results = response.json()["results"]
    assert len(results) == orders
    assert {len(order["items"]) for order in results} == {lines}
    assert {len(order["events"]) for order in results} == {events}


@pytest.mark.parametrize("lines", [1, 20])
@pytest.mark.parametrize(("action", "events"), [("ship", 2), ("deliver", 3)])
def test_shipping_and_delivering_take_the_same_queries_for_1_and_20_lines(
    customer, staff, products, action, events, lines, django_assert_num_queries
):
    order_id = _order(customer, products, lines=lines, events=events)
    client = client_for(staff)

    with django_assert_num_queries(STAFF_TRANSITION_QUERIES):
        response = client.post(f"{ORDERS}{order_id}/{action}/")

    assert response.status_code == 200


def test_cancelling_takes_the_same_queries_for_1_and_20_lines(client, customer, products):
    """Cancelling also runs payments' receiver, so compare the counts rather than fix them."""
    counts = []
    for lines in (1, 20):
        order_id = _order(customer, products, lines=lines, events=2)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(f"{ORDERS}{order_id}/cancel/")
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


@pytest.mark.parametrize("lines", [1, 20])
@pytest.mark.parametrize("orders", [1, 20])
def test_a_page_of_1_or_20_orders_of_1_or_20_lines_costs_the_same(
    client, customer, products, orders, lines, django_assert_num_queries
):
    for _ in range(orders):
        _order(customer, products, lines=lines, events=1)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(ORDERS)

    results = response.json()["results"]
    assert len(results) == orders
    assert {len(order["items"]) for order in results} == {lines}
