"""Catalog factories: categories and products made through the catalog's own services."""

import itertools
from decimal import Decimal

import pytest

from catalog import services
from catalog.models import Category, Product

_numbers = itertools.count(1)


@pytest.fixture
def make_category(db):
    """`make_category(name=..., slug=..., description=...)`; every argument optional."""

    def make(*, name: str | None = None, **fields) -> Category:
        return services.create_category(name=name or f"Category {next(_numbers)}", **fields)

    return make


@pytest.fixture
def make_product(db):
    """`make_product(sku=..., price=..., stock=..., is_active=..., category=...)`, all optional.

    Defaults: a fresh SKU and name, price 10.00, stock 10, active, no category.
    """

    def make(
        *,
        sku: str | None = None,
        name: str | None = None,
        price: Decimal | str = Decimal("10.00"),
        stock: int = 10,
        **fields,
    ) -> Product:
        number = next(_numbers)
        return services.create_product(
            sku=sku or f"SKU-{number:05d}",
            name=name or f"Product {number}",
            price=Decimal(price),
            stock=stock,
            **fields,
        )

    return make


@pytest.fixture
def product(make_product) -> Product:
    return make_product(name="Espresso Cup", price=Decimal("12.50"), stock=5)
