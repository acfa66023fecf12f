"""Fixtures for the payments tests: orders of two teapots (`ORDER_TOTAL`), placed through the
public services (tests/factories.py)."""

import pytest


@pytest.fixture
def teapot(make_product):
    """A product at 12.50 with stock enough for every order a payments test places."""
    return make_product(name="Teapot", price="12.50", stock=1000)


@pytest.fixture
def place_order(make_order, teapot):
    """Place a pending order of two teapots (25.00) for `customer`; its id."""

    def place(customer) -> int:
        return make_order(customer, items=[(teapot, 2)])

    return place


@pytest.fixture
def order_id(place_order, customer) -> int:
    return place_order(customer)
