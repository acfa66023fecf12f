"""Races for one cart on PostgreSQL: real threads, each with its own connection, released
together. A cart's writes lock its row first, so they queue: the same variant added twice at
once makes one line of both quantities, two new lines racing for the last place leave one of
them out, and of two claims one wins."""

import pytest
from rest_framework.test import APIClient

from checkout import services
from checkout.models import CartLine
from orders.services import MAX_LINES
from tests.checkout.carts import CARTS, add_line, new_cart
from tests.concurrency import run_concurrently
from tests.conftest import client_for

pytestmark = [
    pytest.mark.postgres("SQLite serialises all writers, so there is no race to observe"),
    pytest.mark.django_db(transaction=True),
]

ADDRESS = {
    "name": "Ada",
    "line1": "1 Main St",
    "city": "Berlin",
    "postal_code": "1",
    "country": "DE",
}
RACERS = 6


def test_the_same_variant_added_at_once_makes_one_line_of_every_quantity(make_product):
    product = make_product(stock=100)
    cart = new_cart(APIClient())

    statuses = run_concurrently(
        *[
            lambda: add_line(APIClient(), cart["id"], product_id=product.id, quantity=2).status_code
            for _ in range(RACERS)
        ]
    )

    assert statuses == [201] * RACERS
    [line] = APIClient().get(f"{CARTS}{cart['id']}/").json()["lines"]
    assert line["quantity"] == 2 * RACERS


def test_new_lines_racing_for_the_last_place_leave_the_cart_at_its_limit(make_product):
    cart = new_cart(APIClient())
    for _ in range(MAX_LINES - 1):
        add_line(APIClient(), cart["id"], product_id=make_product().id, quantity=1)
    racers = [make_product() for _ in range(RACERS)]

    statuses = run_concurrently(
        *[
            lambda product=product: (
                add_line(APIClient(), cart["id"], product_id=product.id, quantity=1).status_code
            )
            for product in racers
        ]
    )

    assert sorted(statuses) == [201] + [400] * (RACERS - 1)
    assert CartLine.objects.filter(cart_id=cart["id"]).count() == MAX_LINES


def test_of_two_claims_at_once_one_wins(customer, other_customer):
    cart = services.create_cart(customer_id=None)
    clients = [client_for(customer), client_for(other_customer)]

    statuses = run_concurrently(
        *[
            lambda client=client: client.post(f"{CARTS}{cart.pk}/claim/").status_code
            for client in clients
        ]
    )

    assert sorted(statuses) == [200, 404]
    winner = clients[statuses.index(200)]
    assert winner.get(f"{CARTS}{cart.pk}/").status_code == 200
