"""Every order response is `orders.serializers.order_json` of `orders.selectors` rows, while
`OrderSerializer` documents the shape (OpenAPI, the browsable API). These pin the function to
that documented shape (every key, type and format of the served schema) and to the model's
values: its output is, byte for byte, what `OrderSerializer` renders from the model itself."""

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from orders import selectors, services
from orders.models import Order
from orders.serializers import OrderSerializer, order_json
from tests.conftest import client_for
from tests.openapi_shapes import assert_documented

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
ADDRESS = {
    "name": "Ada",
    "line1": "1 Main St",
    "city": "Springfield",
    "postal_code": "49007",
    "country": "us",
}
STATUSES = ["pending", "paid", "shipped", "delivered", "cancelled", "refunded"]


def _order_json(user, order_id: int) -> dict:
    row = selectors.order_row(user=user, order_id=order_id)
    lines, events = selectors.lines_and_events(order_ids=[order_id])
    return order_json(row, lines[order_id], events[order_id])


def _render(data) -> bytes:
    return JSONRenderer().render(data)


def _assert_documented_and_the_models(user, order_id: int) -> None:
    rendered = _order_json(user, order_id)
    documented = OrderSerializer(Order.objects.get(pk=order_id)).data

    assert_documented(rendered, "Order")
    assert _render(rendered) == _render(documented)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
@pytest.mark.parametrize("status", STATUSES)
def test_an_order_in_any_status_renders_in_its_documented_shape_with_the_models_values(
    customer, order_in, status, zone
):
    order_id = order_in(status)

    with timezone.override(zone):
        _assert_documented_and_the_models(customer, order_id)


@pytest.mark.parametrize("address", [None, ADDRESS])
def test_money_and_the_address_render_as_documented_with_the_models_values(
    customer, make_product, place, address
):
    lines = [
        (make_product(price=price), quantity)
        for price, quantity in [("0.01", 3), ("12.5", 1), ("99999.99", 2)]
    ]
    order_id = place(*lines, shipping_address=address)

    _assert_documented_and_the_models(customer, order_id)
    rendered = _order_json(customer, order_id)
    assert [line["unit_price"] for line in rendered["items"]] == ["0.01", "12.50", "99999.99"]
    assert rendered["total"] == "200012.51"


def test_the_shape_check_refuses_an_undeclared_key_a_wrong_type_and_a_missing_key(
    customer, product, place
):
    rendered = _order_json(customer, place((product, 1)))
    without_total = {key: value for key, value in rendered.items() if key != "total"}

    for wrong in [
        {**rendered, "totl": "1.00"},
        {**rendered, "total": 1},
        {**rendered, "created_at": "yesterday"},
        {**rendered, "items": [{**rendered["items"][0], "quantity": "1"}]},
        without_total,
    ]:
        with pytest.raises(AssertionError):
            assert_documented(wrong, "Order")


def test_every_response_renders_an_order_the_same_way(customer, staff, product):
    client, staff_client = client_for(customer), client_for(staff)

    placed = client.post(
        ORDERS,
        {"items": [{"product_id": product.pk, "quantity": 2}], "shipping_address": ADDRESS},
    ).json()
    order_url = f"{ORDERS}{placed['id']}/"
    services.mark_paid(order_id=placed["id"])
    shipped = staff_client.post(f"{order_url}ship/", {"carrier": "DHL"}).json()

    assert client.get(order_url).json() == shipped
    assert client.get(ORDERS).json()["results"] == [shipped]
    assert staff_client.get(ORDERS).json()["results"] == [shipped]
    assert {key: placed[key] for key in ("id", "number", "items", "total")} == {
        key: shipped[key] for key in ("id", "number", "items", "total")
    }
    assert [event["status"] for event in shipped["events"]] == ["pending", "paid", "shipped"]
    delivered = staff_client.post(f"{order_url}deliver/").json()
    assert client.get(order_url).json() == delivered


def test_a_page_groups_each_orders_lines_and_events_with_it(customer, make_product, place):
    mug, tea = make_product(), make_product()
    first = place((mug, 1))
    second = place((tea, 2), (mug, 3))
    services.mark_paid(order_id=second)

    results = client_for(customer).get(ORDERS).json()["results"]

    assert [order["id"] for order in results] == [second, first]
    assert [[line["product_id"] for line in order["items"]] for order in results] == [
        [tea.pk, mug.pk],
        [mug.pk],
    ]
    assert [[event["status"] for event in order["events"]] for order in results] == [
        ["pending", "paid"],
        ["pending"],
    ]
