"""`ProductSerializer` builds its JSON by hand for speed: it must match DRF's own rendering of
the fields it declares, byte for byte."""

from decimal import Decimal

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from catalog.selectors import product_list
from catalog.serializers import ProductSerializer

pytestmark = pytest.mark.django_db


def _drf(product) -> bytes:
    return JSONRenderer().render(
        serializers.Serializer.to_representation(ProductSerializer(), product)
    )


@pytest.mark.parametrize(
    ("price", "stock", "with_category", "is_active"),
    [
        (Decimal("0.01"), 0, True, True),
        (Decimal("12.50"), 5, False, True),
        (Decimal("9999999999.99"), 2_147_483_647, True, False),
        (Decimal("7"), 1, True, True),
    ],
)
def test_the_fast_representation_is_drfs(
    make_category, make_product, admin_user, price, stock, with_category, is_active
):
    category = make_category(name="Tea & Cups", slug="tea") if with_category else None
    created = make_product(price=price, stock=stock, category=category, is_active=is_active)
    read = product_list(user=admin_user).get(pk=created.pk)

    for product in (created, read):
        assert JSONRenderer().render(ProductSerializer(product).data) == _drf(product)
