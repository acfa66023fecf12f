"""Fixtures for the payments tests: products in the catalog and orders placed through
`orders.services` (never straight into orders' tables)."""

import itertools

import pytest

from catalog.models import Product
from orders import services as order_services

_skus = itertools.count(1)


@pytest.fixture
def product(db) -> Product:
    n = next(_skus)
    return Product.objects.create(
        sku=f"PAY-{n:05d}", name=f"Teapot {n}", slug=f"teapot-{n}", price="12.50", stock=1000
    )


@pytest.fixture
def place_order(product):
    """Place a pending order of two teapots (25.00) for `customer` through orders' service."""

    def place(customer) -> int:
        return order_services.place_order(customer_id=customer.pk, items=[(product.pk, 2)]).id

    return place


@pytest.fixture
def order_id(place_order, customer) -> int:
    return place_order(customer)
