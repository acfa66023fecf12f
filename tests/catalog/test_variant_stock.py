"""The catalog's stock interface with variants: a product's stock is its variants' together,
a reservation takes from the variant named (or a product's only one), and a release gives back
to the variant."""

from decimal import Decimal

import pytest

from catalog import selectors, services
from catalog.dtos import StockLine, VariantSnapshot
from catalog.exceptions import ReservationFailed, VariantRequired

pytestmark = pytest.mark.django_db


@pytest.fixture
def shirt(make_product):
    """A shirt in S (5 at 20.00), M (3 at 22.00) and L (0 at 24.00), positioned L, S, M;
    `(product, {size: variant_id})`."""
    product = make_product(sku="SHIRT-S", name="Linen shirt", price="20.00", stock=5)
    small = selectors.product_variants_to_change(product_id=product.pk).get()
    services.update_variant(variant=small, data={"options": {"size": "S"}, "position": 1})
    sizes = {"S": small.pk}
    for size, price, stock, position in (("M", "22.00", 3, 2), ("L", "24.00", 0, 0)):
        sizes[size] = services.create_variant(
            product=product,
            sku=f"SHIRT-{size}",
            price=Decimal(price),
            options={"size": size},
            stock=stock,
            position=position,
        ).pk
    return product, sizes


def _stocks(sizes: dict[str, int]) -> dict[str, int]:
    variants = services.get_variants(ids=sizes.values())
    return {size: variants[variant_id].stock for size, variant_id in sizes.items()}


def test_a_products_snapshot_sums_its_variants_stock_and_lists_them_by_position(shirt):
    product, sizes = shirt

    snapshot = services.get_products(ids=[product.pk])[product.pk]

    assert (snapshot.stock, snapshot.variant_ids) == (8, (sizes["L"], sizes["S"], sizes["M"]))
    assert (snapshot.sku, snapshot.price) == ("SHIRT-L", Decimal("20.00"))


def test_a_variants_snapshot_is_what_an_order_line_copies(shirt):
    product, sizes = shirt

    assert services.get_variants(ids=[sizes["M"], 999_999]) == {
        sizes["M"]: VariantSnapshot(
            id=sizes["M"],
            product_id=product.pk,
            sku="SHIRT-M",
            name="M",
            product_name="Linen shirt",
            price=Decimal("22.00"),
            currency="USD",
            stock=3,
            is_active=True,
        )
    }


def test_a_reservation_takes_from_the_variants_named_only(shirt):
    _, sizes = shirt

    snapshots = services.reserve_stock(
        lines=[
            StockLine(quantity=2, variant_id=sizes["M"]),
            StockLine(quantity=5, variant_id=sizes["S"]),
        ]
    )

    assert [(s.id, s.sku, s.name, s.price, s.stock) for s in snapshots] == [
        (sizes["M"], "SHIRT-M", "M", Decimal("22.00"), 1),
        (sizes["S"], "SHIRT-S", "S", Decimal("20.00"), 0),
    ]
    assert _stocks(sizes) == {"S": 0, "M": 1, "L": 0}


def test_a_product_of_several_variants_is_variant_required_and_nothing_is_reserved(
    shirt, make_product
):
    product, sizes = shirt
    mug = make_product(stock=4)

    with pytest.raises(VariantRequired) as raised:
        services.reserve_stock(
            lines=[
                StockLine(quantity=1, product_id=mug.pk),
                StockLine(quantity=1, product_id=product.pk),
                StockLine(quantity=1, variant_id=sizes["S"]),
            ]
        )

    assert (raised.value.status_code, raised.value.code) == (400, "variant_required")
    assert raised.value.extra == {"product_ids": [product.pk]}
    assert _stocks(sizes) == {"S": 5, "M": 3, "L": 0}
    assert services.get_products(ids=[mug.pk])[mug.pk].stock == 4


def test_a_short_variant_is_named_though_its_siblings_have_plenty(shirt):
    product, sizes = shirt

    with pytest.raises(ReservationFailed) as raised:
        services.reserve_stock(
            lines=[
                StockLine(quantity=1, variant_id=sizes["L"]),
                StockLine(quantity=1, variant_id=sizes["S"]),
            ]
        )

    assert raised.value.code == "insufficient_stock"
    assert raised.value.extra["shortages"] == [
        {"product_id": product.pk, "variant_id": sizes["L"], "requested": 1, "available": 0}
    ]
    assert _stocks(sizes) == {"S": 5, "M": 3, "L": 0}


def test_a_release_gives_back_to_each_variant(shirt):
    _, sizes = shirt

    services.release_stock(lines=[(sizes["L"], 2), (sizes["M"], 1)])

    assert _stocks(sizes) == {"S": 5, "M": 4, "L": 2}
