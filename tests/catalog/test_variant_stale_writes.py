"""A staff write to a variant starts from a copy loaded before it locks the product; another
write may have committed in between. What that one changed must stay: the copy is read again
under the lock, and only the fields given are written."""

from decimal import Decimal

import pytest

from catalog import selectors, services
from catalog.dtos import StockLine
from catalog.exceptions import VariantNotFound

pytestmark = pytest.mark.django_db


def _copy(product):
    """A staff write's copy of the product's one variant, as the API loads it."""
    return selectors.product_variants_to_change(product_id=product.pk).get()


def _variant(product) -> dict:
    [row] = selectors.product_variants(product_id=product.pk)
    return row


def test_a_stale_copy_puts_back_neither_another_writes_name_nor_a_reservation(make_product):
    product = make_product(price="10.00", stock=10)
    stale = _copy(product)
    services.update_variant(variant=_copy(product), data={"name": "Small"})
    services.reserve_stock(lines=[StockLine(quantity=4, variant_id=stale.pk)])

    services.update_variant(variant=stale, data={"price": Decimal("12.00")})

    row = _variant(product)
    assert (row["name"], row["price"], row["stock"]) == ("Small", Decimal("12.00"), 6)


def test_options_written_from_a_stale_copy_keep_another_writes_name(make_product):
    product = make_product(stock=10)
    stale = _copy(product)
    services.update_variant(variant=_copy(product), data={"name": "Classic"})

    services.update_variant(variant=stale, data={"options": {"size": "M"}})

    row = _variant(product)
    assert (row["name"], row["options"]) == ("Classic", {"size": "M"})


def test_a_variant_deleted_since_it_was_loaded_is_not_found(make_product):
    product = make_product()
    stale = _copy(product)
    services.update_variant(variant=_copy(product), data={"options": {"size": "S"}})
    services.create_variant(
        product=product, sku="TEE-M", price=Decimal("3.00"), options={"size": "M"}
    )
    deleting = selectors.product_variants_to_change(product_id=product.pk).get(pk=stale.pk)
    services.delete_variant(variant=deleting)

    with pytest.raises(VariantNotFound):
        services.update_variant(variant=stale, data={"price": Decimal("12.00")})

    assert [row["sku"] for row in selectors.product_variants(product_id=product.pk)] == ["TEE-M"]
