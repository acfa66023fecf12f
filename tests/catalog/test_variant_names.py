"""A variant's name: made from its option values unless given, and following them when they
change only if it was made from them."""

from decimal import Decimal

from catalog import selectors, services


def test_a_made_name_follows_the_options_and_a_given_one_stays(make_product):
    product = make_product()
    [variant_id] = services.get_products(ids=[product.id])[product.id].variant_ids
    default = selectors.product_variants_to_change(product_id=product.id).get()
    services.update_variant(variant=default, data={"options": {"size": "S"}})
    made = services.create_variant(
        product=product, sku="TEE-M", price=Decimal("10.00"), options={"size": "M"}
    )
    named = services.create_variant(
        product=product, sku="TEE-L", price=Decimal("10.00"), options={"size": "L"}, name="Large"
    )

    services.update_variant(variant=made, data={"options": {"size": "XL"}})
    services.update_variant(variant=named, data={"options": {"size": "XXL"}})

    names = services.get_variants(ids=[variant_id, made.id, named.id])
    assert [names[pk].name for pk in (variant_id, made.id, named.id)] == ["S", "XL", "Large"]
