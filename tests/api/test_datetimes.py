"""Every app renders times one way (`kernel.api.serializers.iso_datetime`): ISO 8601 in the
current time zone, `Z` for UTC."""

import re
from decimal import Decimal

import pytest

from catalog import services as catalog_services
from orders import services as order_services
from orders.dtos import OrderItem
from tests.factories import ADDRESS

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def order_of_a_product(customer):
    product = catalog_services.create_product(
        sku="CLK-1", name="Clock", price=Decimal("20.00"), stock=5
    )
    order = order_services.place_order(
        customer_id=customer.pk,
        items=[OrderItem(product_id=product.pk, quantity=1)],
        shipping_address=ADDRESS,
    )
    return product.pk, order.id


def _times(customer_client, product_id: int, order_id: int) -> list[str]:
    product = customer_client.get(f"{API}/products/{product_id}/").json()
    listed = customer_client.get(f"{API}/products/").json()["results"][0]
    order = customer_client.get(f"{API}/orders/{order_id}/").json()
    return [
        product["created_at"],
        product["updated_at"],
        listed["created_at"],
        order["created_at"],
        order["updated_at"],
        order["events"][0]["created_at"],
    ]


def test_products_and_orders_render_times_in_utc_with_z(customer_client, order_of_a_product):
    times = _times(customer_client, *order_of_a_product)

    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", time) for time in times)


def test_products_and_orders_render_times_in_the_current_time_zone(
    customer_client, order_of_a_product, settings
):
    settings.TIME_ZONE = "Asia/Kolkata"

    times = _times(customer_client, *order_of_a_product)

    assert all(time.endswith("+05:30") for time in times), times
