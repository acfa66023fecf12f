"""The counterfactual of the outbox's cost (`/bench/orders/`, bench.views.without_outbox) differs
from placing an order in the outbox alone: the same order, stock and response, no event; and the
production route, served by the same process, keeps its outbox."""

import pytest

from kernel.models import OutboxEvent
from tests.factories import stock_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("bench.urls")]


def _placed_events() -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(type="order.placed"))


def _place(client, path, product):
    return client.post(path, {"items": [{"product_id": product.pk, "quantity": 2}]}, format="json")


def test_placing_without_the_outbox_places_the_same_order_and_records_no_event(
    customer_client, make_product
):
    mug = make_product(sku="MUG-1", price="12.50", stock=10)

    without = _place(customer_client, "/bench/orders/", mug)
    assert not _placed_events()
    with_outbox = _place(customer_client, "/api/v1/orders/", mug)

    assert without.status_code == with_outbox.status_code == 201
    assert without.json().keys() == with_outbox.json().keys()
    assert without.json()["items"][0] | {"id": 0} == with_outbox.json()["items"][0] | {"id": 0}
    assert stock_of(mug) == 6
    assert [row.data["id"] for row in _placed_events()] == [with_outbox.json()["id"]]
