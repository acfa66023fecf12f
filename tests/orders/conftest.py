"""Fixtures for the orders tests: products straight in the catalog's table, and placed orders."""

import itertools
from decimal import Decimal

import pytest

from catalog.models import Product
from orders import services
from tests.addresses import ADDRESS

_skus = itertools.count(1)


@pytest.fixture
def make_product(db):
    """Create an active product; `make_product(price="9.99", stock=3, is_active=False)`."""

    def make(*, price: str = "10.00", stock: int = 100, **fields) -> Product:
        n = next(_skus)
        fields.setdefault("sku", f"SKU-{n:05d}")
        fields.setdefault("name", f"Product {n}")
        fields.setdefault("slug", f"product-{n}")
        return Product.objects.create(price=Decimal(price), stock=stock, **fields)

    return make


@pytest.fixture
def product(make_product) -> Product:
    return make_product(name="Blue mug", price="12.50", stock=10)


@pytest.fixture
def place(customer):
    """Place an order through the service: `place((product, quantity), ..., customer=...)`;
    it ships to `ADDRESS` unless `shipping_address=` says otherwise."""

    def place_lines(*lines: tuple[Product, int], customer=customer, **kwargs) -> int:
        kwargs.setdefault("shipping_address", ADDRESS)
        summary = services.place_order(
            customer_id=customer.pk,
            items=[(product.pk, quantity) for product, quantity in lines],
            **kwargs,
        )
        return summary.id

    return place_lines


@pytest.fixture
def order_in(place, product, customer):
    """An order of one `product`, brought to `status` through the services."""

    def make(status: str) -> int:
        order_id = place((product, 1))
        if status == "cancelled":
            services.cancel_order(order_id=order_id, actor_id=customer.pk)
        if status in {"paid", "shipped", "delivered"}:
            services.mark_paid(order_id=order_id)
        if status in {"shipped", "delivered"}:
            services.ship_order(order_id=order_id, carrier="DHL", tracking_number="JD0001")
        if status == "delivered":
            services.deliver_order(order_id=order_id)
        return order_id

    return make
