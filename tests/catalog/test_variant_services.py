"""The variant services (`catalog.services`): what the API's tests cannot reach, a write that
starts from a variant read before another write committed."""

from decimal import Decimal

import pytest

from catalog import services
from catalog.exceptions import VariantNotFound
from catalog.models import ProductVariant

pytestmark = pytest.mark.django_db


@pytest.fixture
def sized(make_product):
    product = make_product(sku="TEE-S", price=Decimal("20.00"), stock=3)
    services.update_variant(variant=product.variants.get(), data={"options": {"size": "S"}})
    services.create_variant(
        product=product, sku="TEE-M", price=Decimal("18.00"), options={"size": "M"}, stock=1
    )
    return product


def test_a_write_from_a_stale_variant_keeps_what_was_written_since(sized):
    stale = ProductVariant.objects.get(sku="TEE-M")
    services.update_variant(
        variant=ProductVariant.objects.get(sku="TEE-M"),
        data={"name": "Medium", "options": {"size": "L"}},
    )

    services.update_variant(variant=stale, data={"price": Decimal("17.00")})

    stored = ProductVariant.objects.get(pk=stale.pk)
    assert (stored.name, stored.options, stored.price, stored.stock) == (
        "Medium",
        {"size": "L"},
        Decimal("17.00"),
        1,
    )


def test_options_are_checked_against_what_the_others_hold_now(sized):
    stale = ProductVariant.objects.get(sku="TEE-M")
    services.update_variant(
        variant=ProductVariant.objects.get(sku="TEE-S"), data={"options": {"size": "XS"}}
    )

    # `stale` was read while the other variant was S: S is free now.
    services.update_variant(variant=stale, data={"options": {"size": "S"}})

    assert sorted(v.name for v in ProductVariant.objects.filter(product=sized)) == ["S", "XS"]


def test_changing_a_variant_deleted_since_is_not_found(sized):
    stale = ProductVariant.objects.get(sku="TEE-M")
    services.delete_variant(variant=ProductVariant.objects.get(sku="TEE-M"))

    with pytest.raises(VariantNotFound):
        services.update_variant(variant=stale, data={"stock": 5})

    assert not ProductVariant.objects.filter(sku="TEE-M").exists()
