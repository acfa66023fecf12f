"""The API renders orders from plain rows (`orders.selectors.OrderRows`) with a hand-built
`OrderSerializer.to_representation`; it must match DRF's rendering of the model, byte for
byte, on every backend."""

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from orders import selectors
from orders.serializers import OrderSerializer

pytestmark = pytest.mark.django_db

ADDRESS = {"name": "Ada", "line1": "1 Main St", "city": "Springfield", "country": "us"}


def _drf(order) -> bytes:
    generic = serializers.ModelSerializer.to_representation(OrderSerializer(), order)
    return JSONRenderer().render(generic)


@pytest.mark.parametrize("status", ["pending", "paid", "shipped", "delivered", "cancelled"])
@pytest.mark.parametrize("address", [None, ADDRESS])
def test_an_order_row_renders_as_drf_renders_the_model(
    customer, make_product, make_order, status, address
):
    lines = [
        (make_product(price=price), quantity)
        for price, quantity in [("0.01", 3), ("12.5", 1), ("99999.99", 2)]
    ]
    order_id = make_order(customer, items=lines, status=status, shipping_address=address)

    row = selectors.order_row(user=customer, order_id=order_id)
    model = selectors.order_detail(user=customer, order_id=order_id)

    rendered = JSONRenderer().render(OrderSerializer(row).data)
    assert rendered == _drf(model)
    assert rendered == _drf(row)
