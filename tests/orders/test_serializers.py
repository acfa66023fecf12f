"""The API renders orders from plain rows (`orders.selectors.OrderRows`) with a hand-built
`OrderSerializer.to_representation`; it must match DRF's rendering of the model, byte for
byte, on every backend."""

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from orders import selectors, services
from orders.serializers import OrderSerializer

pytestmark = pytest.mark.django_db

ADDRESS = {
    "name": "Ada",
    "line1": "1 Main St",
    "line2": "",
    "city": "Springfield",
    "region": "",
    "postal_code": "62701",
    "country": "US",
    "phone": "",
}
# An order without a shipping address cannot be shipped, so it is never shipped or delivered.
SHAPES = [
    *(pytest.param(None, status, id=f"no-address-{status}") for status in ("pending", "paid")),
    pytest.param(None, "cancelled", id="no-address-cancelled"),
    *(
        pytest.param(ADDRESS, status, id=f"address-{status}")
        for status in ("pending", "paid", "shipped", "delivered", "cancelled")
    ),
]


def _drf(order) -> bytes:
    generic = serializers.ModelSerializer.to_representation(OrderSerializer(), order)
    return JSONRenderer().render(generic)


@pytest.mark.parametrize(("address", "status"), SHAPES)
def test_an_order_row_renders_as_drf_renders_the_model(
    customer, make_product, place, status, address
):
    lines = [
        (make_product(price=price), quantity)
        for price, quantity in [("0.01", 3), ("12.5", 1), ("99999.99", 2)]
    ]
    order_id = place(*lines, shipping_address=address)
    if status == "cancelled":
        services.cancel_order(order_id=order_id, actor_id=customer.pk)
    if status in {"paid", "shipped", "delivered"}:
        services.mark_paid(order_id=order_id)
    if status in {"shipped", "delivered"}:
        services.ship_order(order_id=order_id, carrier="DHL", tracking_number="JD0001")
    if status == "delivered":
        services.deliver_order(order_id=order_id)

    row = selectors.order_row(user=customer, order_id=order_id)
    model = selectors.order_detail(user=customer, order_id=order_id)

    rendered = JSONRenderer().render(OrderSerializer(row).data)
    assert rendered == _drf(model)
    assert rendered == _drf(row)
