"""The catalog admin: staff search, filter, edit in the list and run actions; customers can't."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import services
from catalog.admin import ProductAdminForm
from catalog.dtos import StockLine
from catalog.models import Category, Product
from tests.catalog.admin_pages import page_data, prefixes
from tests.factories import stock_of

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:catalog_product_changelist")
ADD = reverse("admin:catalog_product_add")


def change_url(product: Product) -> str:
    return reverse("admin:catalog_product_change", args=[product.pk])


@pytest.fixture
def admin_client_for_staff(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def listed(response) -> list[str]:
    return sorted(product.sku for product in response.context["cl"].result_list)


def list_page(client: Client, **params) -> tuple[dict, dict[int, str]]:
    """The list's POST body as shown, and each row's form prefix by product id."""
    response = client.get(CHANGELIST, params)
    return page_data(response), prefixes(response.context["cl"].formset)


def add_form(**values) -> dict:
    data = {
        "sku": "NEW-1",
        "name": "New Kettle",
        "slug": "",
        "category": "",
        "description": "",
        "price": "30.00",
        "stock": "5",
        "initial-stock": "0",
        "is_active": "on",
        # The images' inline, empty.
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
    }
    return {**data, **values}


def test_staff_see_the_product_list_with_its_columns(admin_client_for_staff, make_product):
    make_product(sku="CUP-1", name="Cup")

    response = admin_client_for_staff.get(CHANGELIST)

    assert response.status_code == 200
    assert listed(response) == ["CUP-1"]
    assert list(response.context["cl"].list_display) == [
        "action_checkbox",
        "sku",
        "name",
        "category",
        "price",
        "stock",
        "is_active",
    ]


def test_the_product_list_costs_the_same_queries_for_3_or_30_products(
    admin_client_for_staff, make_category, make_product
):
    category = make_category()

    def queries_for_the_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client_for_staff.get(CHANGELIST).status_code == 200
        return len(queries)

    for _ in range(3):
        make_product(category=category)
    with_three = queries_for_the_list()
    for _ in range(27):
        make_product(category=make_category())

    assert queries_for_the_list() == with_three


def test_staff_search_products_by_sku_or_name(admin_client_for_staff, make_product):
    make_product(sku="CUP-1", name="Espresso Cup")
    make_product(sku="POT-1", name="Teapot")

    assert listed(admin_client_for_staff.get(CHANGELIST, {"q": "cup-1"})) == ["CUP-1"]
    assert listed(admin_client_for_staff.get(CHANGELIST, {"q": "teapot"})) == ["POT-1"]


def test_staff_filter_products_by_category_activity_and_stock(
    admin_client_for_staff, make_category, make_product
):
    cups = make_category(name="Cups")
    make_product(sku="CUP", category=cups, stock=0)
    make_product(sku="OFF", is_active=False, stock=3)
    make_product(sku="ON", stock=3)

    def filtered(**params) -> list[str]:
        return listed(admin_client_for_staff.get(CHANGELIST, params))

    assert filtered(category__id__exact=cups.pk) == ["CUP"]
    assert filtered(is_active__exact="0") == ["OFF"]
    assert filtered(in_stock="yes") == ["OFF", "ON"]
    assert filtered(in_stock="no") == ["CUP"]


def test_staff_activate_and_deactivate_products_in_bulk(admin_client_for_staff, make_product):
    first, second = make_product(), make_product(is_active=False)
    selected = [first.pk, second.pk]

    response = admin_client_for_staff.post(
        CHANGELIST, {"action": "deactivate", "_selected_action": selected}, follow=True
    )

    assert not Product.objects.filter(is_active=True).exists()
    assert "1 product(s) deactivated." in [str(m) for m in response.context["messages"]]
    admin_client_for_staff.post(CHANGELIST, {"action": "activate", "_selected_action": selected})
    assert Product.objects.filter(is_active=True).count() == 2


def test_staff_change_price_stock_and_activity_in_the_list(admin_client_for_staff, make_product):
    mug, cup = make_product(price="5.00", stock=2), make_product(price="7.00", stock=1)
    data, row = list_page(admin_client_for_staff)
    data |= {f"{row[mug.pk]}-price": "6.50", f"{row[mug.pk]}-stock": "20"}
    del data[f"{row[mug.pk]}-is_active"]

    response = admin_client_for_staff.post(CHANGELIST, data)

    assert response.status_code == 302
    mug.refresh_from_db()
    cup.refresh_from_db()
    assert (mug.price, stock_of(mug), mug.is_active) == (Decimal("6.50"), 20, False)
    assert (cup.price, stock_of(cup), cup.is_active) == (Decimal("7.00"), 1, True)


def test_a_list_edit_leaves_stock_reserved_meanwhile_alone(admin_client_for_staff, make_product):
    product = make_product(price="5.00", stock=10)
    data, row = list_page(admin_client_for_staff)
    services.reserve_stock(lines=[StockLine(quantity=3, product_id=product.pk)])

    admin_client_for_staff.post(CHANGELIST, data | {f"{row[product.pk]}-price": "6.00"})

    product.refresh_from_db()
    assert (product.price, stock_of(product)) == (Decimal("6.00"), 7)


def test_a_bad_value_in_the_list_is_a_form_error_and_saves_no_row(
    admin_client_for_staff, make_product
):
    mug, cup = make_product(price="5.00"), make_product(price="7.00")
    data, row = list_page(admin_client_for_staff)

    response = admin_client_for_staff.post(
        CHANGELIST, data | {f"{row[mug.pk]}-price": "8.00", f"{row[cup.pk]}-price": "0"}
    )

    assert response.status_code == 200
    [cup_form] = [f for f in response.context["cl"].formset if f.instance.pk == cup.pk]
    assert cup_form.errors == {"price": ["Ensure this value is greater than or equal to 0.01."]}
    assert [p.price for p in Product.objects.order_by("id")] == [Decimal("5.00"), Decimal("7.00")]


def test_staff_add_a_product_with_a_slug_made_from_the_name(admin_client_for_staff):
    response = admin_client_for_staff.post(ADD, add_form())

    assert response.status_code == 302
    product = Product.objects.get()
    assert (product.sku, product.slug, product.price, stock_of(product)) == (
        "NEW-1",
        "new-kettle",
        Decimal("30.00"),
        5,
    )


def test_adding_a_taken_sku_is_a_form_error(admin_client_for_staff, make_product):
    make_product(sku="NEW-1")

    response = admin_client_for_staff.post(ADD, add_form())

    assert response.status_code == 200
    assert "sku" in response.context["adminform"].form.errors
    assert Product.objects.count() == 1


def test_a_taken_sku_only_the_database_sees_is_an_error_message_not_a_500(
    admin_client_for_staff, make_product, monkeypatch
):
    make_product(sku="NEW-1")
    monkeypatch.setattr(ProductAdminForm, "validate_unique", lambda form: None)
    monkeypatch.setattr(services, "value_taken", lambda *args, **kwargs: False)

    response = admin_client_for_staff.post(ADD, add_form())

    assert response.status_code == 302
    assert response["Location"] == ADD
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Nothing was saved. sku:")
    assert Product.objects.count() == 1


def test_staff_change_a_product_and_untouched_stock_keeps_reservations(
    admin_client_for_staff, make_product
):
    product = make_product(sku="CUP-1", name="Cup", price="5.00", stock=10)
    data = page_data(admin_client_for_staff.get(change_url(product)))
    services.reserve_stock(lines=[StockLine(quantity=4, product_id=product.pk)])

    response = admin_client_for_staff.post(
        change_url(product), data | {"name": "Big Cup", "price": "9.00"}
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.price, stock_of(product)) == ("Big Cup", Decimal("9.00"), 6)


def test_staff_delete_products_from_the_admin(admin_client_for_staff, make_product):
    single, first, second = make_product(), make_product(), make_product()

    admin_client_for_staff.post(
        reverse("admin:catalog_product_delete", args=[single.pk]), {"post": "yes"}
    )
    admin_client_for_staff.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    assert not Product.objects.exists()


def test_staff_list_search_add_and_delete_categories(admin_client_for_staff, make_product):
    changelist = reverse("admin:catalog_category_changelist")

    response = admin_client_for_staff.post(
        reverse("admin:catalog_category_add"),
        {"name": "Green Tea", "slug": "green-tea", "description": ""},
    )
    assert response.status_code == 302
    category = Category.objects.get()
    make_product(category=category)
    found = admin_client_for_staff.get(changelist, {"q": "green"}).context["cl"].result_list
    assert [(c.name, c.product_count) for c in found] == [("Green Tea", 1)]

    admin_client_for_staff.post(
        reverse("admin:catalog_category_delete", args=[category.pk]), {"post": "yes"}
    )
    assert not Category.objects.exists()
    assert Product.objects.get().category is None


def test_a_taken_category_slug_is_a_form_error(admin_client_for_staff, make_category):
    make_category(name="Tea")

    response = admin_client_for_staff.post(
        reverse("admin:catalog_category_add"), {"name": "Tea", "slug": "tea", "description": ""}
    )

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert Category.objects.count() == 1


@pytest.mark.parametrize("who", ["customer", "anonymous"])
def test_customers_and_strangers_cannot_reach_the_catalog_admin(request, make_product, who):
    client = Client()
    if who == "customer":
        client.force_login(request.getfixturevalue("customer"))
    product = make_product(price="5.00")

    responses = [
        client.get(CHANGELIST),
        client.get(change_url(product)),
        client.post(CHANGELIST, {"action": "deactivate", "_selected_action": [product.pk]}),
    ]

    assert [r.status_code for r in responses] == [302] * 3
    assert all(r["Location"].startswith(reverse("admin:login")) for r in responses)
    assert Product.objects.get().is_active
