"""Fixtures for the orders tests: orders of the shared `product`, placed and moved through the
public services (tests/factories.py)."""

import pytest


@pytest.fixture
def place(customer, make_order):
    """Place a pending order: `place((product, quantity), ..., customer=...)`; its id."""

    def place_lines(*lines: tuple, customer=customer, **kwargs) -> int:
        return make_order(customer, items=lines, **kwargs)

    return place_lines


@pytest.fixture
def order_in(make_order, product, customer):
    """An order of one `product`, brought to `status` through the services."""

    def make(status: str) -> int:
        return make_order(customer, items=[(product, 1)], status=status)

    return make
