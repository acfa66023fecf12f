"""A product's variants in the admin: an inline on its page, written through the services; the
product list edits price and stock in place for a product with one variant only."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import selectors, services
from catalog.admin import ProductVariantFormSet
from catalog.dtos import StockLine
from catalog.models import Product
from tests.catalog.admin_pages import new_row, page_data, prefixes
from tests.factories import stock_of

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:catalog_product_changelist")


@pytest.fixture
def admin_client_for_staff(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def make_sized(make_product):
    """`make_sized({"S": ("5.00", 2), "M": ("6.00", 3)})`: a product with a variant of each
    size (sku `<product sku>-<size>`), made through the services, in that order."""

    def make(sizes: dict[str, tuple[str, int]], **fields) -> Product:
        (first, (price, stock)), *others = sizes.items()
        product = make_product(price=price, stock=stock, **fields)
        base = product.sku
        [variant] = selectors.product_variants_to_change(product_id=product.pk)
        services.update_variant(
            variant=variant, data={"sku": f"{base}-{first}", "options": {"size": first}}
        )
        for size, (price, stock) in others:
            services.create_variant(
                product=product,
                sku=f"{base}-{size}",
                price=Decimal(price),
                stock=stock,
                options={"size": size},
            )
        product.refresh_from_db()
        return product

    return make


def change_url(product: Product) -> str:
    return reverse("admin:catalog_product_change", args=[product.pk])


def product_page(client: Client, product: Product) -> tuple[dict, dict[int, str]]:
    """The product page's POST body as shown, and each variant row's prefix by variant id."""
    response = client.get(change_url(product))
    assert response.status_code == 200
    [variants] = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "variants"
    ]
    return page_data(response), prefixes(variants)


def variants(product: Product) -> list[tuple]:
    """The product's variants as `(sku, name, options, price, stock)`, by position."""
    return [
        (row["sku"], row["name"], row["options"], row["price"], row["stock"])
        for row in selectors.product_variants(product_id=product.pk)
    ]


def variant_ids(product: Product) -> list[int]:
    return [row["id"] for row in selectors.product_variants(product_id=product.pk)]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def formset_errors(response) -> list[str]:
    [variants] = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "variants"
    ]
    return list(variants.non_form_errors()) + [
        f"{name}: {error}"
        for form in variants.forms
        for name, errors in form.errors.items()
        for error in errors
    ]


def test_a_product_page_shows_its_variants_and_its_summaries_read_only(
    admin_client_for_staff, make_sized
):
    product = make_sized({"S": ("5.00", 2), "M": ("6.00", 3)})

    response = admin_client_for_staff.get(change_url(product))

    form = response.context["adminform"].form
    assert {"sku", "price", "stock"}.isdisjoint(form.fields)
    readonly = {
        line.field["field"]: line.contents()
        for fieldset in response.context["adminform"]
        for row in fieldset
        for line in row
        if line.is_readonly
    }
    assert (readonly["sku"], readonly["price"], readonly["stock"]) == (
        f"{product.sku}",
        "5.00",
        "5",
    )
    assert b'value="size=S"' in response.content
    assert b'value="size=M"' in response.content


def test_a_one_variant_product_edits_sku_price_and_stock_on_its_own_form(
    admin_client_for_staff, make_product
):
    product = make_product(sku="MUG-1", price="5.00", stock=4)
    data, row = product_page(admin_client_for_staff, product)
    [variant_id] = variant_ids(product)

    # The variant's row shows them disabled: what a forged POST sends there is ignored.
    response = admin_client_for_staff.post(
        change_url(product),
        data
        | {"sku": "MUG-2", "price": "6.00", "stock": "9"}
        | {f"{row[variant_id]}-price": "1.00", f"{row[variant_id]}-stock": "1"},
    )

    assert response.status_code == 302
    assert variants(product) == [("MUG-2", "", {}, Decimal("6.00"), 9)]


def test_the_add_page_makes_one_variant_and_has_no_variants_inline(admin_client_for_staff):
    response = admin_client_for_staff.get(reverse("admin:catalog_product_add"))
    data = page_data(response)
    assert not any(key.startswith("variants-") for key in data)

    response = admin_client_for_staff.post(
        reverse("admin:catalog_product_add"),
        data | {"sku": "TEE-1", "name": "Tee", "price": "15.00", "stock": "8"},
    )

    assert response.status_code == 302
    [product] = Product.objects.all()
    assert variants(product) == [("TEE-1", "", {}, Decimal("15.00"), 8)]


def test_staff_give_the_only_variant_options_and_add_another_in_one_save(
    admin_client_for_staff, make_product
):
    product = make_product(sku="TEE", price="15.00", stock=4)
    data, row = product_page(admin_client_for_staff, product)
    [first] = variant_ids(product)
    added = new_row(data, "variants")

    response = admin_client_for_staff.post(
        change_url(product),
        data
        | {f"{row[first]}-options": "size=S, colour=red"}
        | {
            f"{added}-sku": "TEE-M",
            f"{added}-options": "size = M , colour=red",
            f"{added}-price": "14.00",
            f"{added}-stock": "6",
        },
    )

    assert response.status_code == 302
    assert variants(product) == [
        ("TEE", "S / red", {"size": "S", "colour": "red"}, Decimal("15.00"), 4),
        ("TEE-M", "M / red", {"size": "M", "colour": "red"}, Decimal("14.00"), 6),
    ]
    product.refresh_from_db()
    assert (product.price, stock_of(product)) == (Decimal("14.00"), 10)


def test_options_may_be_typed_as_json_for_values_with_commas(admin_client_for_staff, make_sized):
    product = make_sized({"S": ("5.00", 2)})
    data, _ = product_page(admin_client_for_staff, product)
    added = new_row(data, "variants")

    response = admin_client_for_staff.post(
        change_url(product),
        data
        | {
            f"{added}-sku": "ODD",
            f"{added}-options": '{"size": "M, long"}',
            f"{added}-price": "5.00",
        },
    )

    assert response.status_code == 302
    assert variants(product)[1][:3] == ("ODD", "M, long", {"size": "M, long"})
    page = admin_client_for_staff.get(change_url(product)).content.decode()
    assert 'value="{&quot;size&quot;: &quot;M, long&quot;}"' in page


def test_staff_change_and_delete_variants_in_the_product_page(admin_client_for_staff, make_sized):
    product = make_sized({"S": ("5.00", 2), "M": ("6.00", 3), "L": ("7.00", 4)})
    small, medium, large = variant_ids(product)
    data, row = product_page(admin_client_for_staff, product)

    response = admin_client_for_staff.post(
        change_url(product),
        data
        | {f"{row[small]}-DELETE": "on"}
        | {f"{row[medium]}-price": "8.00", f"{row[medium]}-stock": "30"}
        # The option the deleted variant had is free for another in the same save.
        | {f"{row[large]}-options": "size=S", f"{row[large]}-name": ""},
    )

    assert response.status_code == 302
    sku = product.sku.removesuffix("-S")
    assert variants(product) == [
        (f"{sku}-M", "M", {"size": "M"}, Decimal("8.00"), 30),
        (f"{sku}-L", "S", {"size": "S"}, Decimal("7.00"), 4),
    ]
    product.refresh_from_db()
    assert (product.sku, product.price) == (f"{sku}-M", Decimal("7.00"))


def test_the_last_variant_cannot_be_deleted_and_nothing_is_saved(
    admin_client_for_staff, make_sized
):
    product = make_sized({"S": ("5.00", 2), "M": ("6.00", 3)})
    small, medium = variant_ids(product)
    data, row = product_page(admin_client_for_staff, product)
    before = variants(product)

    response = admin_client_for_staff.post(
        change_url(product),
        data | {"name": "Renamed", f"{row[small]}-DELETE": "on", f"{row[medium]}-DELETE": "on"},
    )

    assert response.status_code == 200
    assert formset_errors(response) == [
        "A product keeps at least one variant: change the last one instead of deleting it."
    ]
    assert variants(product) == before
    product.refresh_from_db()
    assert product.name != "Renamed"


def test_a_last_variant_only_the_service_sees_is_an_error_message_and_nothing_is_saved(
    admin_client_for_staff, make_sized, monkeypatch
):
    product = make_sized({"S": ("5.00", 2), "M": ("6.00", 3)})
    small, medium = variant_ids(product)
    data, row = product_page(admin_client_for_staff, product)
    monkeypatch.setattr(ProductVariantFormSet, "clean", lambda formset: None)

    response = admin_client_for_staff.post(
        change_url(product),
        data | {"name": "Renamed", f"{row[small]}-DELETE": "on", f"{row[medium]}-DELETE": "on"},
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(product)
    assert messages_of(response) == [
        "Nothing was saved. A product keeps at least one variant: delete the product instead."
    ]
    assert variant_ids(product) == [small, medium]
    product.refresh_from_db()
    assert product.name != "Renamed"


def test_a_variant_deleted_meanwhile_is_a_form_error_and_nothing_is_saved(
    admin_client_for_staff, make_sized
):
    product = make_sized({"S": ("5.00", 2), "M": ("6.00", 3)})
    small, medium = variant_ids(product)
    data, row = product_page(admin_client_for_staff, product)
    [gone] = selectors.product_variants_to_change(product_id=product.pk).filter(pk=medium)
    services.delete_variant(variant=gone)

    response = admin_client_for_staff.post(
        change_url(product), data | {"name": "Renamed", f"{row[small]}-stock": "50"}
    )

    assert response.status_code == 200
    # Django's own answer for a row gone since the page was shown.
    assert "id: Select a valid choice. That choice is not one of the available choices." in (
        formset_errors(response)
    )
    assert variants(product)[0][4] == 2
    product.refresh_from_db()
    assert product.name != "Renamed"


@pytest.mark.parametrize("where", ["changed row", "new row"])
def test_two_variants_with_the_same_options_are_refused_and_nothing_is_saved(
    admin_client_for_staff, make_sized, where
):
    product = make_sized({"S": ("5.00", 2), "M": ("6.00", 3)})
    _, medium = variant_ids(product)
    data, row = product_page(admin_client_for_staff, product)
    added = new_row(data, "variants")
    before = variants(product)
    if where == "changed row":
        edit = {f"{row[medium]}-options": "size=S"}
    else:
        edit = {f"{added}-sku": "NEW", f"{added}-options": "size=M", f"{added}-price": "1.00"}

    response = admin_client_for_staff.post(change_url(product), data | {"name": "Renamed"} | edit)

    assert response.status_code == 200
    [error] = formset_errors(response)
    assert error.startswith("Two variants have the same options (size=")
    assert variants(product) == before
    product.refresh_from_db()
    assert product.name != "Renamed"


def test_options_only_the_service_refuses_are_an_error_message_and_nothing_is_saved(
    admin_client_for_staff, make_sized
):
    product = make_sized({"S": ("5.00", 2), "M": ("6.00", 3)})
    _, medium = variant_ids(product)
    data, row = product_page(admin_client_for_staff, product)
    before = variants(product)

    response = admin_client_for_staff.post(
        change_url(product), data | {"name": "Renamed", f"{row[medium]}-options": "colour=red"}
    )

    assert response.status_code == 302
    assert messages_of(response) == [
        "Nothing was saved. options: Every variant of this product has the same options: size."
    ]
    assert variants(product) == before
    product.refresh_from_db()
    assert product.name != "Renamed"


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("size", "options: 'size' is not name=value."),
        ("size=S, size=M", "options: Option 'size' is given twice."),
        ("size=", "options: Option names and values may not be blank."),
        ("{not json", "options: Not a JSON object."),
        ('{"size": 1}', "options: Option names and values must be strings."),
        ("a=1, b=2, c=3, d=4", "options: At most 3 options."),
    ],
)
def test_options_typed_wrong_are_a_form_error(admin_client_for_staff, make_sized, typed, error):
    product = make_sized({"S": ("5.00", 2)})
    data, _ = product_page(admin_client_for_staff, product)
    added = new_row(data, "variants")

    response = admin_client_for_staff.post(
        change_url(product),
        data | {f"{added}-sku": "NEW", f"{added}-options": typed, f"{added}-price": "1.00"},
    )

    assert response.status_code == 200
    assert formset_errors(response) == [error]
    assert len(variant_ids(product)) == 1


def test_a_taken_sku_in_a_variant_row_is_a_form_error(
    admin_client_for_staff, make_sized, make_product
):
    make_product(sku="TAKEN")
    product = make_sized({"S": ("5.00", 2)})
    data, _ = product_page(admin_client_for_staff, product)
    added = new_row(data, "variants")

    response = admin_client_for_staff.post(
        change_url(product),
        data | {f"{added}-sku": "TAKEN", f"{added}-options": "size=M", f"{added}-price": "1.00"},
    )

    assert response.status_code == 200
    assert formset_errors(response) == ["sku: Product variant with this SKU already exists."]
    assert len(variant_ids(product)) == 1


def test_a_variant_row_leaves_stock_reserved_meanwhile_alone(admin_client_for_staff, make_sized):
    product = make_sized({"S": ("5.00", 10), "M": ("6.00", 10)})
    small, medium = variant_ids(product)
    data, row = product_page(admin_client_for_staff, product)
    services.reserve_stock(lines=[StockLine(quantity=3, variant_id=small)])

    response = admin_client_for_staff.post(
        change_url(product),
        data | {f"{row[small]}-price": "5.50", f"{row[medium]}-stock": "20"},
    )

    assert response.status_code == 302
    assert [(v[3], v[4]) for v in variants(product)] == [
        (Decimal("5.50"), 7),
        (Decimal("6.00"), 20),
    ]


def test_a_catalog_manager_edits_variants_with_the_products_permissions(
    catalog_manager, make_sized
):
    client = Client()
    client.force_login(catalog_manager)
    product = make_sized({"S": ("5.00", 2), "M": ("6.00", 3)})
    small, _ = variant_ids(product)
    data, row = product_page(client, product)
    added = new_row(data, "variants")

    response = client.post(
        change_url(product),
        data
        | {f"{row[small]}-stock": "12"}
        | {f"{added}-sku": "XL", f"{added}-options": "size=XL", f"{added}-price": "9.00"},
    )

    assert response.status_code == 302
    assert [(v[0], v[4]) for v in variants(product)] == [
        (product.sku, 12),
        (product.sku.replace("-S", "-M"), 3),
        ("XL", 0),
    ]


def test_the_list_edits_price_and_stock_of_one_variant_products_only(
    admin_client_for_staff, make_product, make_sized
):
    single = make_product(price="5.00", stock=2)
    several = make_sized({"S": ("7.00", 1), "M": ("8.00", 4)})
    response = admin_client_for_staff.get(CHANGELIST)
    data, row = page_data(response), prefixes(response.context["cl"].formset)
    html = response.content.decode()

    assert f'name="{row[single.pk]}-price"' in html
    assert f'name="{row[single.pk]}-stock"' in html
    assert f'name="{row[several.pk]}-price"' not in html
    assert f'name="{row[several.pk]}-stock"' not in html
    shown = {
        product.pk: (product.price, product.variant_stock)
        for product in response.context["cl"].result_list
    }
    assert shown == {single.pk: (Decimal("5.00"), 2), several.pk: (Decimal("7.00"), 5)}

    # Its activity is still edited in the list.
    del data[f"{row[several.pk]}-is_active"]
    response = admin_client_for_staff.post(
        CHANGELIST, data | {f"{row[single.pk]}-price": "5.50", f"{row[single.pk]}-stock": "9"}
    )

    assert response.status_code == 302
    single.refresh_from_db()
    several.refresh_from_db()
    assert (single.price, stock_of(single)) == (Decimal("5.50"), 9)
    assert (several.price, stock_of(several), several.is_active) == (Decimal("7.00"), 5, False)


def test_a_list_shown_before_a_product_got_a_second_variant_saves_nothing_and_says_why(
    admin_client_for_staff, make_product, make_sized
):
    single, other = make_sized({"S": ("5.00", 2)}), make_product(price="6.00")
    response = admin_client_for_staff.get(CHANGELIST)
    data, row = page_data(response), prefixes(response.context["cl"].formset)
    services.create_variant(
        product=single, sku="SECOND", price=Decimal("9.00"), options={"size": "M"}, stock=1
    )

    response = admin_client_for_staff.post(
        CHANGELIST, data | {f"{row[single.pk]}-price": "5.50", f"{row[other.pk]}-price": "6.50"}
    )

    assert response.status_code == 200
    [form] = [f for f in response.context["cl"].formset if f.instance.pk == single.pk]
    assert form.non_field_errors() == [
        "This product has several variants now: reload its page to edit their price, stock."
    ]
    assert [v[3:] for v in variants(single)] == [(Decimal("5.00"), 2), (Decimal("9.00"), 1)]
    other.refresh_from_db()
    assert other.price == Decimal("6.00")


def test_a_product_page_shown_before_a_second_variant_saves_nothing_and_says_why(
    admin_client_for_staff, make_sized
):
    product = make_sized({"S": ("5.00", 2)})
    data, _ = product_page(admin_client_for_staff, product)
    services.create_variant(
        product=product, sku="MUG-M", price=Decimal("9.00"), options={"size": "M"}
    )

    response = admin_client_for_staff.post(
        change_url(product), data | {"name": "Renamed", "price": "4.00"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "This product has several variants now: reload its page to edit their sku, price, stock."
    ]
    product.refresh_from_db()
    assert product.name != "Renamed"
    assert [v[3] for v in variants(product)] == [Decimal("5.00"), Decimal("9.00")]


def test_staff_sort_the_list_by_stock(admin_client_for_staff, make_product, make_sized):
    make_product(sku="FEW", stock=3)
    make_sized({"S": ("7.00", 1), "M": ("8.00", 4)}, sku="SUM")
    make_product(sku="MANY", stock=9)
    stock_column = list(admin_client_for_staff.get(CHANGELIST).context["cl"].list_display).index(
        "stock"
    )

    response = admin_client_for_staff.get(CHANGELIST, {"o": str(stock_column)})

    assert [p.sku for p in response.context["cl"].result_list] == ["FEW", "SUM-S", "MANY"]


def test_the_category_filter_takes_the_categorys_whole_subtree(
    admin_client_for_staff, make_category, make_product
):
    tea = make_category(name="Tea")
    green = make_category(name="Green", parent=tea)
    sencha = make_category(name="Sencha", parent=green)
    coffee = make_category(name="Coffee")
    make_product(sku="TEA", category=tea)
    make_product(sku="GREEN", category=green)
    make_product(sku="SENCHA", category=sencha)
    make_product(sku="COFFEE", category=coffee)
    make_product(sku="NONE")

    def filtered(**params) -> list[str]:
        response = admin_client_for_staff.get(CHANGELIST, params)
        assert response.status_code == 200
        return sorted(product.sku for product in response.context["cl"].result_list)

    assert filtered(category__id__exact=tea.pk) == ["GREEN", "SENCHA", "TEA"]
    assert filtered(category__id__exact=green.pk) == ["GREEN", "SENCHA"]
    assert filtered(category__id__exact=sencha.pk) == ["SENCHA"]
    assert filtered(category__isnull="True") == ["NONE"]
    assert filtered(category__id__exact=green.pk, _facets="") == ["GREEN", "SENCHA"]
    response = admin_client_for_staff.get(CHANGELIST, {"_facets": ""})
    [category_filter] = [f for f in response.context["cl"].filter_specs if f.title == "category"]
    assert [choice["display"] for choice in category_filter.choices(response.context["cl"])] == [
        "All",
        "Coffee (1)",
        "Tea (3)",
        "— Green (2)",
        "— — Sencha (1)",
        "- (1)",
    ]


def test_the_in_stock_filter_counts_any_variant(admin_client_for_staff, make_product, make_sized):
    make_sized({"S": ("7.00", 0), "M": ("8.00", 4)}, sku="SOME")
    make_sized({"S": ("7.00", 0), "M": ("8.00", 0)}, sku="NONE")
    make_product(sku="ONE", stock=1)

    def filtered(value: str) -> list[str]:
        response = admin_client_for_staff.get(CHANGELIST, {"in_stock": value})
        return sorted(product.sku for product in response.context["cl"].result_list)

    assert filtered("yes") == ["ONE", "SOME-S"]
    assert filtered("no") == ["NONE-S"]


def test_staff_find_a_product_by_any_of_its_variants_skus(admin_client_for_staff, make_sized):
    make_sized({"S": ("7.00", 0), "M": ("8.00", 4), "L": ("9.00", 1)}, sku="TEE")

    found = admin_client_for_staff.get(CHANGELIST, {"q": "TEE-L"})
    none = admin_client_for_staff.get(CHANGELIST, {"q": "MUG"})

    assert [p.sku for p in found.context["cl"].result_list] == ["TEE-S"]
    # A page without rows still renders its (empty) list form.
    assert (none.status_code, list(none.context["cl"].result_list)) == (200, [])


def test_the_list_costs_the_same_queries_for_3_or_30_products_of_several_variants(
    admin_client_for_staff, make_category, make_sized
):
    def queries_for_the_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = admin_client_for_staff.get(CHANGELIST)
            assert response.status_code == 200
        assert len(response.context["cl"].result_list) == Product.objects.count()
        return len(queries)

    for _ in range(3):
        make_sized({"S": ("7.00", 1), "M": ("8.00", 4)}, category=make_category())
    with_three = queries_for_the_list()
    for _ in range(27):
        make_sized({"S": ("7.00", 1), "M": ("8.00", 4), "L": ("9.00", 2)}, category=make_category())

    assert queries_for_the_list() == with_three


def test_staff_who_may_only_view_products_see_their_variants_read_only(make_user, make_sized):
    viewer = make_user(is_staff=True)
    viewer.user_permissions.set(
        Permission.objects.filter(content_type__app_label="catalog", codename="view_product")
    )
    client = Client()
    client.force_login(viewer)
    product = make_sized({"S": ("5.00", 2), "M": ("6.00", 3)})

    response = client.get(change_url(product))

    assert response.status_code == 200
    [variants_shown] = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "variants"
    ]
    assert not variants_shown.has_change_permission
    assert b'name="variants-0-price"' not in response.content
    assert product.sku.replace("-S", "-M") in response.content.decode()
