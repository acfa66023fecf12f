"""The catalog's services: category and product writes, and the stock interface orders use."""

from decimal import Decimal

import pytest

from catalog import services
from catalog.dtos import ProductSnapshot, Shortage, StockLine
from catalog.exceptions import (
    CategoryNotFound,
    DuplicateValue,
    InvalidStockLines,
    InvalidValue,
    ProductNotFound,
    ReservationFailed,
)
from catalog.models import MAX_STOCK, Category, Product, ProductVariant

pytestmark = pytest.mark.django_db


def _variant(product: Product) -> ProductVariant:
    """The product's one variant (a product `create_product` made has exactly one)."""
    return ProductVariant.objects.get(product_id=product.pk)


def _stock(product: Product) -> int:
    return _variant(product).stock


def _lines(*pairs: tuple[Product, int]) -> list[StockLine]:
    """`(product, quantity)` pairs as stock lines naming each product's one variant."""
    return [StockLine(quantity=quantity, variant_id=_variant(p).pk) for p, quantity in pairs]


# Categories


def test_creating_a_category_makes_its_slug_from_the_name():
    category = services.create_category(name="Kitchen & Dining", description="Pots.")

    stored = Category.objects.get(pk=category.pk)
    assert (stored.name, stored.slug, stored.description) == (
        "Kitchen & Dining",
        "kitchen-dining",
        "Pots.",
    )


def test_creating_a_category_keeps_a_given_slug():
    category = services.create_category(name="Books", slug="reading")

    assert Category.objects.get(pk=category.pk).slug == "reading"


def test_a_category_slug_that_is_taken_is_refused(make_category):
    make_category(name="Books")

    with pytest.raises(DuplicateValue) as error:
        services.create_category(name="Books")

    assert error.value.field == "slug"
    assert Category.objects.count() == 1


def test_a_name_without_any_slug_characters_needs_an_explicit_slug():
    with pytest.raises(InvalidValue) as error:
        services.create_category(name="!!!")

    assert error.value.field == "slug"
    assert services.create_category(name="!!!", slug="bangs").slug == "bangs"


def test_updating_a_category_changes_only_the_given_fields(make_category):
    category = make_category(name="Books", description="Paper.")

    services.update_category(category=category, data={"description": "Paper and ink."})

    stored = Category.objects.get(pk=category.pk)
    assert (stored.name, stored.slug, stored.description) == ("Books", "books", "Paper and ink.")


def test_updating_a_category_with_a_blank_slug_makes_it_from_the_new_name(make_category):
    category = make_category(name="Books")

    services.update_category(category=category, data={"name": "Comics", "slug": ""})

    assert Category.objects.get(pk=category.pk).slug == "comics"


def test_updating_a_category_to_a_taken_slug_is_refused_and_changes_nothing(make_category):
    make_category(name="Books")
    category = make_category(name="Comics")

    with pytest.raises(DuplicateValue):
        services.update_category(category=category, data={"name": "New", "slug": "books"})

    stored = Category.objects.get(pk=category.pk)
    assert (stored.name, stored.slug) == ("Comics", "comics")


def test_updating_a_deleted_category_is_not_found(make_category):
    category = make_category()
    Category.objects.filter(pk=category.pk).delete()

    with pytest.raises(CategoryNotFound):
        services.update_category(category=category, data={"name": "Gone"})


def test_deleting_a_category_keeps_its_products_without_a_category(make_category, make_product):
    category = make_category()
    product = make_product(category=category)

    services.delete_category(category=category)

    assert not Category.objects.filter(pk=category.pk).exists()
    assert Product.objects.get(pk=product.pk).category is None


# Products


def test_creating_a_product_stores_every_field(make_category):
    category = make_category(name="Cups")

    product = services.create_product(
        sku="CUP-1",
        name="Espresso Cup",
        price=Decimal("12.50"),
        description="Small.",
        category=category,
        stock=7,
        is_active=False,
    )

    stored = Product.objects.get(pk=product.pk)
    assert (stored.sku, stored.name, stored.slug, stored.description) == (
        "CUP-1",
        "Espresso Cup",
        "espresso-cup",
        "Small.",
    )
    assert (stored.category, stored.price, stored.is_active) == (category, Decimal("12.50"), False)
    variant = _variant(product)
    assert (variant.sku, variant.name, variant.options, variant.price, variant.stock) == (
        "CUP-1",
        "",
        {},
        Decimal("12.50"),
        7,
    )


def test_products_with_the_same_name_get_numbered_slugs(make_product):
    slugs = [make_product(name="Mug").slug for _ in range(3)]

    assert slugs == ["mug", "mug-2", "mug-3"]


def test_a_made_up_slug_skips_only_numbered_variants_of_the_name(make_product):
    make_product(name="Mug")
    make_product(name="Mug Large")

    assert make_product(name="Mug").slug == "mug-2"


def test_a_name_without_slug_characters_gets_a_generic_slug(make_product):
    assert make_product(name="???").slug == "product"
    assert make_product(name="!!!").slug == "product-2"


def test_a_taken_sku_is_refused(make_product):
    make_product(sku="CUP-1")

    with pytest.raises(DuplicateValue) as error:
        services.create_product(sku="CUP-1", name="Other", price=Decimal("1.00"))

    assert error.value.field == "sku"
    assert Product.objects.count() == 1


def test_a_taken_explicit_slug_is_refused(make_product):
    make_product(slug="mug")

    with pytest.raises(DuplicateValue) as error:
        services.create_product(sku="OTHER", name="Mug", slug="mug", price=Decimal("1.00"))

    assert error.value.field == "slug"


def test_a_duplicate_that_slips_past_the_check_is_still_a_field_error(make_product, monkeypatch):
    """Two requests may both pass the check; the unique constraint then decides."""
    make_product(sku="CUP-1")
    monkeypatch.setattr(services, "value_taken", lambda *args, **kwargs: False)

    with pytest.raises(DuplicateValue) as error:
        services.create_product(sku="CUP-1", name="Other", price=Decimal("1.00"))

    assert error.value.field == "sku"
    assert Product.objects.count() == 1


def test_a_made_up_slug_that_loses_a_race_is_made_again(make_product, monkeypatch):
    make_product(name="Mug")
    real_taken = services.value_taken
    monkeypatch.setattr(
        services,
        "value_taken",
        lambda model, **lookup: False if "slug" in lookup else real_taken(model, **lookup),
    )
    free_slugs = iter(["mug", "mug-2"])
    monkeypatch.setattr(services, "_free_product_slug", lambda product: next(free_slugs))

    assert make_product(name="Mug").slug == "mug-2"


@pytest.mark.parametrize(
    ("price", "reason"),
    [
        (Decimal("0"), "zero"),
        (Decimal("-1.00"), "negative"),
        (Decimal("1.001"), "three decimals"),
        (Decimal("10000000000.00"), "too many digits"),
        (Decimal("NaN"), "not a number"),
    ],
)
def test_a_bad_price_is_refused(price, reason):
    with pytest.raises(InvalidValue) as error:
        services.create_product(sku="X", name="X", price=price)

    assert error.value.field == "price", reason
    assert not Product.objects.exists()


@pytest.mark.parametrize("stock", [-1, MAX_STOCK + 1])
def test_a_stock_out_of_range_is_refused(stock):
    with pytest.raises(InvalidValue) as error:
        services.create_product(sku="X", name="X", price=Decimal("1.00"), stock=stock)

    assert error.value.field == "stock"


def test_the_database_refuses_a_zero_price_that_slips_past_the_service(monkeypatch):
    monkeypatch.setattr(services, "_check_variant_values", lambda variant: None)

    with pytest.raises(InvalidValue) as error:
        services.create_product(sku="X", name="X", price=Decimal("0.00"))

    assert error.value.field == "price"
    assert not Product.objects.exists()


def test_a_category_deleted_since_it_was_loaded_is_refused(make_category, make_product):
    category = make_category()
    product = make_product()
    Category.objects.filter(pk=category.pk).delete()

    with pytest.raises(InvalidValue) as creating:
        services.create_product(sku="X", name="X", price=Decimal("1.00"), category=category)
    with pytest.raises(InvalidValue) as updating:
        services.update_product(product=product, data={"category": category})

    assert (creating.value.field, updating.value.field) == ("category", "category")
    assert Product.objects.get().category is None


def test_updating_a_product_changes_only_the_given_fields(make_product, make_category):
    product = make_product(name="Mug", price=Decimal("5.00"), stock=3)
    category = make_category()

    services.update_product(product=product, data={"price": Decimal("6.50"), "category": category})

    stored = Product.objects.get(pk=product.pk)
    assert (stored.name, stored.price, _stock(product), stored.category) == (
        "Mug",
        Decimal("6.50"),
        3,
        category,
    )
    assert _variant(product).price == Decimal("6.50")


def test_updating_a_product_never_overwrites_stock_reserved_meanwhile(make_product):
    product = make_product(stock=10)
    stale_copy = Product.objects.get(pk=product.pk)
    services.reserve_stock(lines=_lines((product, 4)))

    services.update_product(product=stale_copy, data={"price": Decimal("99.00")})

    assert (_stock(product), Product.objects.get(pk=product.pk).price) == (6, Decimal("99.00"))


def test_renaming_a_product_keeps_its_slug_unless_a_blank_one_is_given(make_product):
    product = make_product(name="Mug")

    services.update_product(product=product, data={"name": "Cup"})
    assert Product.objects.get(pk=product.pk).slug == "mug"

    services.update_product(product=product, data={"slug": ""})
    assert Product.objects.get(pk=product.pk).slug == "cup"


def test_updating_a_product_to_a_taken_sku_changes_nothing(make_product):
    make_product(sku="A")
    product = make_product(sku="B", price=Decimal("5.00"))

    with pytest.raises(DuplicateValue):
        services.update_product(product=product, data={"sku": "A", "price": Decimal("7.00")})

    stored = Product.objects.get(pk=product.pk)
    assert (stored.sku, stored.price) == ("B", Decimal("5.00"))


def test_updating_a_product_with_a_bad_price_is_refused(make_product):
    product = make_product(price=Decimal("5.00"))

    with pytest.raises(InvalidValue):
        services.update_product(product=product, data={"price": Decimal("0.00")})

    assert Product.objects.get(pk=product.pk).price == Decimal("5.00")


def test_updating_an_unknown_field_is_a_programming_error(make_product):
    with pytest.raises(TypeError):
        services.update_product(product=make_product(), data={"id": 5})


def test_updating_a_deleted_product_is_not_found(make_product):
    product = make_product()
    Product.objects.filter(pk=product.pk).delete()

    with pytest.raises(ProductNotFound):
        services.update_product(product=product, data={"name": "Gone"})


def test_a_deleted_product_is_gone_while_snapshots_taken_before_stay(make_product):
    product = make_product(name="Mug", price=Decimal("5.00"))
    [snapshot] = services.reserve_stock(lines=_lines((product, 1)))

    services.delete_product(product=product)

    assert not Product.objects.filter(pk=product.pk).exists()
    assert services.get_products(ids=[product.pk]) == {}
    assert services.get_variants(ids=[snapshot.id]) == {}
    assert (snapshot.product_name, snapshot.price) == ("Mug", Decimal("5.00"))


def test_setting_products_active_reports_how_many_changed(make_product):
    active = make_product()
    inactive = make_product(is_active=False)

    changed = services.set_products_active(product_ids=[active.pk, inactive.pk], is_active=False)

    assert changed == 1
    assert not Product.objects.filter(is_active=True).exists()
    assert services.set_products_active(product_ids=[inactive.pk], is_active=True) == 1
    assert Product.objects.get(pk=inactive.pk).is_active


# The interface the orders app uses


def test_get_products_returns_snapshots_of_existing_products_active_or_not(make_product):
    active = make_product(sku="A", name="Mug", price=Decimal("5.00"), stock=2)
    inactive = make_product(sku="B", is_active=False)

    snapshots = services.get_products(ids=[active.pk, inactive.pk, 999_999])

    assert set(snapshots) == {active.pk, inactive.pk}
    assert snapshots[active.pk] == ProductSnapshot(
        id=active.pk,
        sku="A",
        name="Mug",
        price=Decimal("5.00"),
        currency="USD",
        stock=2,
        is_active=True,
        variant_ids=(_variant(active).pk,),
    )
    assert snapshots[inactive.pk].is_active is False


def test_reserving_stock_takes_every_line_and_returns_snapshots_in_line_order(make_product):
    first, second = make_product(stock=5), make_product(stock=3)

    snapshots = services.reserve_stock(lines=_lines((second, 3), (first, 2)))

    assert [(s.id, s.product_id, s.stock) for s in snapshots] == [
        (_variant(second).pk, second.pk, 0),
        (_variant(first).pk, first.pk, 3),
    ]
    assert (_stock(first), _stock(second)) == (3, 0)


def test_one_short_line_among_several_reserves_nothing(make_product):
    plenty, short, also_short = make_product(stock=10), make_product(stock=1), make_product(stock=0)

    with pytest.raises(ReservationFailed) as error:
        services.reserve_stock(lines=_lines((plenty, 2), (short, 2), (also_short, 1)))

    assert error.value.status_code == 409
    assert error.value.code == "insufficient_stock"
    assert error.value.shortages == (
        Shortage(product_id=short.pk, variant_id=_variant(short).pk, requested=2, available=1),
        Shortage(
            product_id=also_short.pk, variant_id=_variant(also_short).pk, requested=1, available=0
        ),
    )
    assert [_stock(p) for p in (plenty, short, also_short)] == [10, 1, 0]


def test_a_failed_reservation_names_every_unknown_inactive_and_short_product(make_product):
    plenty, short, inactive = (
        make_product(stock=10),
        make_product(stock=1),
        make_product(is_active=False),
    )
    unknown = inactive.pk + 1000
    unknown_variant = _variant(inactive).pk + 1000

    with pytest.raises(ReservationFailed) as error:
        services.reserve_stock(
            lines=[
                *_lines((plenty, 1), (short, 5)),
                StockLine(quantity=1, product_id=inactive.pk),
                StockLine(quantity=1, product_id=unknown),
                StockLine(quantity=1, variant_id=unknown_variant),
            ]
        )

    assert error.value.status_code == 400
    assert error.value.code == "product_unavailable"
    assert error.value.unavailable == tuple(sorted([inactive.pk, unknown]))
    assert error.value.unavailable_variants == (unknown_variant,)
    assert error.value.shortages == (
        Shortage(product_id=short.pk, variant_id=_variant(short).pk, requested=5, available=1),
    )
    assert error.value.extra["unavailable_product_ids"] == sorted([inactive.pk, unknown])
    assert error.value.extra["unavailable_variant_ids"] == [unknown_variant]
    assert _stock(plenty) == 10


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_quantity_below_one_is_refused(make_product, quantity):
    product = make_product(stock=5)

    with pytest.raises(InvalidStockLines):
        services.reserve_stock(lines=_lines((product, quantity)))

    assert _stock(product) == 5


@pytest.mark.parametrize("by", ["variant twice", "product and variant", "product twice"])
def test_a_repeated_variant_is_refused(make_product, by):
    product = make_product(stock=5)
    by_variant = StockLine(quantity=1, variant_id=_variant(product).pk)
    by_product = StockLine(quantity=1, product_id=product.pk)
    lines = {
        "variant twice": [by_variant, by_variant],
        "product and variant": [by_product, by_variant],
        "product twice": [by_product, by_product],
    }[by]

    with pytest.raises(InvalidStockLines):
        services.reserve_stock(lines=lines)

    assert _stock(product) == 5


def test_releasing_stock_puts_the_units_back(make_product):
    first, second = make_product(stock=5), make_product(stock=0)

    services.release_stock(lines=[(_variant(first).pk, 2), (_variant(second).pk, 3)])

    assert (_stock(first), _stock(second)) == (7, 3)


def test_releasing_stock_skips_products_deleted_since(make_product):
    kept, deleted = make_product(stock=1), make_product(stock=1)
    kept_variant, deleted_variant = _variant(kept).pk, _variant(deleted).pk
    services.delete_product(product=deleted)

    services.release_stock(lines=[(kept_variant, 2), (deleted_variant, 2)])

    assert _stock(kept) == 3
    assert not ProductVariant.objects.filter(pk=deleted_variant).exists()
