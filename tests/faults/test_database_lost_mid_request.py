"""The database goes away in the middle of a request that carries an `Idempotency-Key`.

The server cannot release the key then (the database is gone), so whatever the request wrote
must vanish with its transaction, the claim on the key included: once the database is back,
the client's retry with the same key is processed afresh, not refused as still in progress.
"""

import pytest
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper

from orders import services
from tests.factories import stock_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_order_whose_database_went_away_is_placed_once_by_the_retry_with_its_key(
    customer_client, product, monkeypatch
):
    place_order = services.place_order

    def place_then_lose_the_database(**kwargs):
        place_order(**kwargs)

        def ensure_connection(self):
            raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")

        monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", ensure_connection)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "place_order", place_then_lose_the_database)
    body = {"items": [{"product_id": product.pk, "quantity": 2}]}
    headers = {"Idempotency-Key": "order-1"}

    lost = customer_client.post("/api/v1/orders/", body, format="json", headers=headers)

    assert lost.status_code == 503
    monkeypatch.undo()
    connection.close()  # as the server discards a connection that broke (its health check)
    assert stock_of(product) == 10

    retried = customer_client.post("/api/v1/orders/", body, format="json", headers=headers)
    replayed = customer_client.post("/api/v1/orders/", body, format="json", headers=headers)

    assert retried.status_code == 201
    assert (replayed.status_code, replayed.json()) == (201, retried.json())
    assert replayed["Idempotent-Replayed"] == "true"
    assert stock_of(product) == 8
