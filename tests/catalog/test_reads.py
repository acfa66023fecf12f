"""The fast read paths: `ProductSerializer` builds its JSON by hand and a product's page is read
with hand-written SQL; both must match DRF's own rendering of the model, byte for byte."""

from decimal import Decimal

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from catalog.selectors import product_detail, product_list
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

    row = product_detail(user=admin_user, product_id=created.pk)

    for product in (created, read, row):
        assert JSONRenderer().render(ProductSerializer(product).data) == _drf(read)


def test_an_inactive_product_is_read_for_staff_only(make_product, admin_user, customer):
    product = make_product(is_active=False)

    assert product_detail(user=admin_user, product_id=product.pk).id == product.pk
    assert product_detail(user=customer, product_id=product.pk) is None


@pytest.mark.parametrize("product_id", ["0", "9223372036854775808", "99999999999999999999999"])
def test_a_product_id_out_of_range_is_not_found(anon_client, product_id):
    response = anon_client.get(f"/api/v1/products/{product_id}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
