from decimal import Decimal

import pytest

from accounts.models import User
from catalog import selectors as catalog_selectors
from catalog import services as catalog_services


@pytest.fixture
def marketer(make_staff) -> User:
    """Staff in the `Marketing` group (shipping methods, tax rates, vouchers)."""
    return make_staff("Marketing", first_name="Mark", last_name="Eting")


@pytest.fixture
def shirt(make_product):
    """A "Linen shirt" in S (5 at 20.00) and M (3 at 22.00): `(product, {size: variant_id})`."""
    product = make_product(sku="SHIRT-S", name="Linen shirt", price="20.00", stock=5)
    small = catalog_selectors.product_variants_to_change(product_id=product.pk).get()
    catalog_services.update_variant(variant=small, data={"options": {"size": "S"}})
    medium = catalog_services.create_variant(
        product=product, sku="SHIRT-M", price=Decimal("22.00"), options={"size": "M"}, stock=3
    )
    return product, {"S": small.pk, "M": medium.pk}
