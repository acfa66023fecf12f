"""`Idempotency-Key` on POST /orders/: an order is placed once however often it is retried."""

import pytest

from catalog import services as catalog_services
from kernel.models import IdempotencyKey
from orders import services
from orders.models import Order
from tests.factories import stock_of

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def _post(client, body, key: str | None):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(ORDERS, body, headers=headers)


@pytest.fixture
def body(product):
    return {"items": [{"product_id": product.pk, "quantity": 2}]}


def test_a_retry_with_the_same_key_and_body_replays_the_first_response(
    customer_client, product, body
):
    first = _post(customer_client, body, "order-1")
    second = _post(customer_client, body, "order-1")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    assert stock_of(product) == 8


def test_the_replay_is_the_first_response_even_after_the_order_moved_on(
    customer_client, customer, product, body
):
    first = _post(customer_client, body, "order-1")
    services.cancel_order(order_id=first.json()["id"], actor_id=customer.pk)

    second = _post(customer_client, body, "order-1")

    assert second.status_code == 201
    assert second.json() == first.json()
    assert stock_of(product) == 10
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_places_nothing(customer_client, product, body):
    _post(customer_client, body, "order-1")

    response = _post(
        customer_client, {"items": [{"product_id": product.pk, "quantity": 3}]}, "order-1"
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1
    assert stock_of(product) == 8


def test_a_twin_arriving_while_the_first_is_processed_is_409(
    customer_client, product, body, monkeypatch
):
    place_order = services.place_order
    twins = []

    def place_while_a_twin_arrives(**kwargs):
        twins.append(_post(customer_client, body, "order-1"))
        return place_order(**kwargs)

    monkeypatch.setattr(services, "place_order", place_while_a_twin_arrives)

    first = _post(customer_client, body, "order-1")

    assert first.status_code == 201
    assert [twin.status_code for twin in twins] == [409]
    assert twins[0].json()["code"] == "idempotency_key_in_progress"
    assert Order.objects.count() == 1
    assert stock_of(product) == 8


def test_an_order_refused_for_stock_is_not_stored_so_its_retry_is_processed_afresh(
    customer_client, product
):
    body = {"items": [{"product_id": product.pk, "quantity": 11}]}

    refused = _post(customer_client, body, "order-1")
    catalog_services.update_product(product=product, data={"stock": 20})
    retried = _post(customer_client, body, "order-1")

    assert refused.status_code == 409
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert stock_of(product) == 9


def test_a_malformed_order_does_not_use_up_its_key(customer_client, product, body):
    refused = _post(customer_client, {"items": []}, "order-1")

    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert _post(customer_client, body, "order-1").status_code == 201


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("", id="empty"),
        pytest.param("k" * 256, id="256-characters"),
        pytest.param("tab\there", id="control-character"),
        pytest.param("naïve", id="non-ascii"),
    ],
)
def test_a_malformed_key_is_400_and_places_nothing(customer_client, product, body, key):
    response = _post(customer_client, body, key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Order.objects.exists()
    assert stock_of(product) == 10


def test_a_key_of_255_printable_characters_is_accepted(customer_client, body):
    assert _post(customer_client, body, "k" * 255).status_code == 201


def test_keys_are_scoped_to_the_customer(customer_client, other_client, product, body):
    mine = _post(customer_client, body, "shared-key")
    theirs = _post(other_client, body, "shared-key")

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert stock_of(product) == 6


def test_without_a_key_every_request_places_an_order(customer_client, product, body):
    _post(customer_client, body, None)
    _post(customer_client, body, None)

    assert Order.objects.count() == 2
    assert stock_of(product) == 6
