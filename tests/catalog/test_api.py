"""The catalog endpoints, per the API contract: who may do what, and what they get back."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Category, Product

pytestmark = pytest.mark.django_db

CATEGORIES = "/api/v1/categories/"
PRODUCTS = "/api/v1/products/"
PRODUCT_FIELDS = {
    "id",
    "sku",
    "name",
    "slug",
    "description",
    "category",
    "price",
    "currency",
    "stock",
    "in_stock",
    "is_active",
    "created_at",
    "updated_at",
    "thumbnail",
    "variants",
}
# One product's own URL (and every write's response) also has its options and images.
DETAIL_FIELDS = PRODUCT_FIELDS | {"options", "images"}


def product_url(product_id: int) -> str:
    return f"{PRODUCTS}{product_id}/"


def category_url(slug: str) -> str:
    return f"{CATEGORIES}{slug}/"


def skus(response) -> list[str]:
    return [product["sku"] for product in response.json()["results"]]


def age(product: Product, *, days: int) -> None:
    """Make `product` look `days` old (created_at is set on insert, so it is moved afterwards)."""
    Product.objects.filter(pk=product.pk).update(created_at=timezone.now() - timedelta(days=days))


# Categories


def test_anyone_can_list_categories_paginated_by_name(anon_client, make_category):
    make_category(name="Tea", description="Leaves.")
    make_category(name="Coffee")

    response = anon_client.get(CATEGORIES)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert [c["name"] for c in body["results"]] == ["Coffee", "Tea"]
    assert set(body["results"][0]) == {"id", "name", "slug", "description", "parent"}


def test_anyone_can_get_a_category_by_slug(anon_client, make_category):
    category = make_category(name="Tea", description="Leaves.")

    response = anon_client.get(category_url("tea"))

    assert response.status_code == 200
    assert response.json() == {
        "id": category.pk,
        "name": "Tea",
        "slug": "tea",
        "description": "Leaves.",
        "parent": None,
        "path": [{"id": category.pk, "name": "Tea", "slug": "tea"}],
    }


def test_an_unknown_category_is_404(anon_client):
    response = anon_client.get(category_url("nope"))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_staff_create_a_category_with_a_slug_made_from_the_name(staff_client):
    response = staff_client.post(CATEGORIES, {"name": "Green Tea", "description": "Sencha."})

    assert response.status_code == 201
    category = Category.objects.get()
    assert response.json() == {
        "id": category.pk,
        "name": "Green Tea",
        "slug": "green-tea",
        "description": "Sencha.",
        "parent": None,
        "path": [{"id": category.pk, "name": "Green Tea", "slug": "green-tea"}],
    }


def test_a_category_slug_that_is_taken_is_a_400_on_slug(staff_client, make_category):
    make_category(name="Tea")

    response = staff_client.post(CATEGORIES, {"name": "Tea"})

    assert response.status_code == 400
    assert list(response.json()) == ["slug"]
    assert Category.objects.count() == 1


def test_staff_change_a_category(staff_client, make_category):
    make_category(name="Tea")

    response = staff_client.patch(category_url("tea"), {"description": "Leaves.", "slug": "teas"})

    assert response.status_code == 200
    assert response.json()["slug"] == "teas"
    assert Category.objects.get().description == "Leaves."


def test_staff_delete_a_category_and_its_products_stay(staff_client, make_category, make_product):
    category = make_category(name="Tea")
    product = make_product(category=category)

    response = staff_client.delete(category_url("tea"))

    assert response.status_code == 204
    assert not Category.objects.exists()
    assert staff_client.get(product_url(product.pk)).json()["category"] is None


def test_categories_cannot_be_replaced_with_put(staff_client, make_category):
    make_category(name="Tea")

    response = staff_client.put(category_url("tea"), {"name": "Coffee"})

    assert response.status_code == 405
    assert Category.objects.get().name == "Tea"


@pytest.mark.parametrize(
    ("client_name", "status"), [("customer_client", 403), ("anon_client", 401)]
)
def test_only_staff_write_categories(request, make_category, client_name, status):
    client = request.getfixturevalue(client_name)
    make_category(name="Tea")

    responses = [
        client.post(CATEGORIES, {"name": "Coffee"}),
        client.patch(category_url("tea"), {"name": "Coffee"}),
        client.delete(category_url("tea")),
    ]

    assert [r.status_code for r in responses] == [status] * 3
    assert [c.name for c in Category.objects.all()] == ["Tea"]


# Reading products


def test_a_product_has_every_contract_field(anon_client, make_category, make_product):
    category = make_category(name="Cups")
    product = make_product(
        sku="CUP-1",
        name="Espresso Cup",
        price=Decimal("12.5"),
        stock=3,
        description="Small.",
        category=category,
    )

    response = anon_client.get(product_url(product.pk))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == DETAIL_FIELDS
    assert {key: body[key] for key in DETAIL_FIELDS - {"created_at", "updated_at"}} == {
        "id": product.pk,
        "sku": "CUP-1",
        "name": "Espresso Cup",
        "slug": "espresso-cup",
        "description": "Small.",
        "category": {"id": category.pk, "name": "Cups", "slug": "cups"},
        "price": "12.50",
        "currency": "USD",
        "stock": 3,
        "in_stock": True,
        "is_active": True,
        "thumbnail": None,
        "images": [],
        "options": [],
        "variants": [
            {
                "id": product.variants.get().pk,
                "sku": "CUP-1",
                "name": "",
                "options": {},
                "price": "12.50",
                "currency": "USD",
                "stock": 3,
                "in_stock": True,
                "position": 0,
            }
        ],
    }
    assert body["created_at"].endswith("Z")
    assert body["updated_at"].endswith("Z")


def test_a_product_without_category_or_stock(anon_client, make_product):
    product = make_product(stock=0)

    body = anon_client.get(product_url(product.pk)).json()

    assert (body["category"], body["in_stock"]) == (None, False)


def test_customers_and_anonymous_never_see_inactive_products(
    anon_client, customer_client, make_product
):
    make_product(sku="ACTIVE")
    inactive = make_product(sku="INACTIVE", is_active=False)

    for client in (anon_client, customer_client):
        assert skus(client.get(PRODUCTS)) == ["ACTIVE"]
        response = client.get(product_url(inactive.pk))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_staff_see_inactive_products(staff_client, make_product):
    make_product(sku="ACTIVE")
    inactive = make_product(sku="INACTIVE", is_active=False)

    assert sorted(skus(staff_client.get(PRODUCTS))) == ["ACTIVE", "INACTIVE"]
    response = staff_client.get(product_url(inactive.pk))
    assert response.status_code == 200
    assert response.json()["is_active"] is False


def test_the_product_list_is_paginated_newest_first(anon_client, make_product):
    for days, sku in [(3, "OLD"), (1, "NEW"), (2, "MID")]:
        age(make_product(sku=sku), days=days)

    response = anon_client.get(PRODUCTS, {"page_size": 2})

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert body["previous"] is None
    assert body["next"].endswith("/api/v1/products/?page=2&page_size=2")
    assert skus(response) == ["NEW", "MID"]
    assert set(body["results"][0]) == PRODUCT_FIELDS
    second = anon_client.get(PRODUCTS, {"page_size": 2, "page": 2})
    assert skus(second) == ["OLD"]
    assert second.json()["next"] is None


def test_a_page_has_20_products_by_default_and_at_most_100(anon_client, make_product):
    for _ in range(101):
        make_product()

    assert len(anon_client.get(PRODUCTS).json()["results"]) == 20
    assert len(anon_client.get(PRODUCTS, {"page_size": 100000}).json()["results"]) == 100
    assert len(anon_client.get(PRODUCTS, {"page_size": 7}).json()["results"]) == 7


def test_a_page_beyond_the_last_is_404(anon_client, make_product):
    make_product()

    response = anon_client.get(PRODUCTS, {"page": 2})

    assert response.status_code == 404


# Filters, search and ordering


def test_search_matches_name_description_and_sku_case_insensitively(anon_client, make_product):
    make_product(sku="A", name="Blue Teapot")
    make_product(sku="B", name="Mug", description="Goes with any TEAPOT.")
    make_product(sku="TEAPOT-LID", name="Lid")
    make_product(sku="C", name="Saucer")

    response = anon_client.get(PRODUCTS, {"search": "teapot", "ordering": "name"})

    assert skus(response) == ["A", "TEAPOT-LID", "B"]


def test_filtering_by_category_slug(anon_client, make_category, make_product):
    cups, pots = make_category(name="Cups"), make_category(name="Pots")
    make_product(sku="CUP", category=cups)
    make_product(sku="POT", category=pots)
    make_product(sku="NONE")

    assert skus(anon_client.get(PRODUCTS, {"category": "cups"})) == ["CUP"]


def test_filtering_by_price_range_includes_both_ends(anon_client, make_product):
    for sku, price in [("P5", "5.00"), ("P10", "10.00"), ("P15", "15.00"), ("P20", "20.00")]:
        make_product(sku=sku, price=price)

    response = anon_client.get(
        PRODUCTS, {"min_price": "10", "max_price": "15.00", "ordering": "price"}
    )

    assert skus(response) == ["P10", "P15"]
    assert skus(anon_client.get(PRODUCTS, {"min_price": "15.5"})) == ["P20"]


@pytest.mark.parametrize(
    ("value", "expected"), [("true", ["FULL"]), ("false", ["EMPTY"]), ("TRUE", ["FULL"])]
)
def test_filtering_by_stock(anon_client, make_product, value, expected):
    make_product(sku="FULL", stock=1)
    make_product(sku="EMPTY", stock=0)

    assert skus(anon_client.get(PRODUCTS, {"in_stock": value})) == expected


def test_filters_combine(anon_client, make_category, make_product):
    cups = make_category(name="Cups")
    make_product(sku="MATCH", name="Red Cup", price="8.00", stock=2, category=cups)
    make_product(sku="EMPTY", name="Red Cup", price="8.00", stock=0, category=cups)
    make_product(sku="PRICEY", name="Red Cup", price="80.00", stock=2, category=cups)
    make_product(sku="OTHER", name="Red Cup", price="8.00", stock=2)

    response = anon_client.get(
        PRODUCTS, {"search": "red", "category": "cups", "max_price": "10", "in_stock": "true"}
    )

    assert skus(response) == ["MATCH"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("price", ["CHEAP", "MID-A", "MID-B", "DEAR"]),
        ("-price", ["DEAR", "MID-B", "MID-A", "CHEAP"]),
        ("name", ["DEAR", "MID-A", "MID-B", "CHEAP"]),
        ("-name", ["CHEAP", "MID-B", "MID-A", "DEAR"]),
        ("created_at", ["MID-B", "DEAR", "CHEAP", "MID-A"]),
        ("-created_at", ["MID-A", "CHEAP", "DEAR", "MID-B"]),
    ],
)
def test_ordering_with_id_breaking_ties(anon_client, make_product, ordering, expected):
    """MID-A and MID-B share price and name: their order is the id's, in the same direction."""
    age(make_product(sku="MID-A", name="Kettle", price="20.00"), days=1)
    age(make_product(sku="MID-B", name="Kettle", price="20.00"), days=4)
    age(make_product(sku="CHEAP", name="Spoon", price="2.00"), days=2)
    age(make_product(sku="DEAR", name="Espresso Machine", price="900.00"), days=3)

    assert skus(anon_client.get(PRODUCTS, {"ordering": ordering})) == expected


def test_equal_prices_paginate_without_repeats_or_gaps(anon_client, make_product):
    created = {make_product(price="5.00").sku for _ in range(7)}

    seen = []
    for page in (1, 2, 3):
        seen += skus(anon_client.get(PRODUCTS, {"ordering": "price", "page_size": 3, "page": page}))

    assert sorted(seen) == sorted(created)


# Writing products


NEW_PRODUCT = {"sku": "CUP-1", "name": "Espresso Cup", "price": "12.50"}


def test_staff_create_a_product_and_get_its_full_representation(staff_client, make_category):
    category = make_category(name="Cups")

    response = staff_client.post(
        PRODUCTS,
        {**NEW_PRODUCT, "description": "Small.", "category": category.pk, "stock": 4},
    )

    assert response.status_code == 201
    body = response.json()
    product = Product.objects.get()
    assert set(body) == DETAIL_FIELDS
    assert body["id"] == product.pk
    assert body["slug"] == "espresso-cup"
    assert body["category"] == {"id": category.pk, "name": "Cups", "slug": "cups"}
    assert (body["price"], body["currency"], body["stock"], body["in_stock"]) == (
        "12.50",
        "USD",
        4,
        True,
    )
    variant = product.variants.get()
    assert (product.price, product.is_active) == (Decimal("12.50"), True)
    assert (variant.sku, variant.price, variant.stock, variant.options) == (
        "CUP-1",
        Decimal("12.50"),
        4,
        {},
    )
    assert body["variants"][0]["id"] == variant.pk


def test_a_new_product_defaults_to_no_stock_no_category_and_active(staff_client):
    body = staff_client.post(PRODUCTS, NEW_PRODUCT).json()

    assert (body["stock"], body["category"], body["is_active"], body["description"]) == (
        0,
        None,
        True,
        "",
    )


def test_a_taken_sku_is_a_400_on_sku(staff_client, make_product):
    make_product(sku="CUP-1")

    response = staff_client.post(PRODUCTS, NEW_PRODUCT)

    assert response.status_code == 400
    assert list(response.json()) == ["sku"]
    assert Product.objects.count() == 1


def test_a_taken_slug_is_a_400_on_slug(staff_client, make_product):
    make_product(slug="cup")

    response = staff_client.post(PRODUCTS, {**NEW_PRODUCT, "slug": "cup"})

    assert response.status_code == 400
    assert list(response.json()) == ["slug"]


def test_staff_replace_a_product_with_put(staff_client, make_product, make_category):
    product = make_product(sku="OLD", name="Old", price="1.00", stock=1)
    category = make_category()

    response = staff_client.put(
        product_url(product.pk),
        {"sku": "NEW", "name": "New", "price": "2.00", "stock": 9, "category": category.pk},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["sku"], body["name"], body["price"], body["stock"]) == ("NEW", "New", "2.00", 9)
    assert body["category"]["id"] == category.pk
    product.refresh_from_db()
    assert (product.sku, product.price, product.category) == ("NEW", Decimal("2.00"), category)


def test_put_needs_every_required_field(staff_client, make_product):
    product = make_product(sku="OLD")

    response = staff_client.put(product_url(product.pk), {"name": "New"})

    assert response.status_code == 400
    assert set(response.json()) == {"sku", "price"}
    assert Product.objects.get().name != "New"


def test_staff_change_a_product_with_patch(staff_client, make_category, make_product):
    product = make_product(price="1.00", category=make_category())

    response = staff_client.patch(product_url(product.pk), {"price": "3.99", "category": None})

    assert response.status_code == 200
    assert (response.json()["price"], response.json()["category"]) == ("3.99", None)
    product.refresh_from_db()
    assert (product.price, product.category) == (Decimal("3.99"), None)


def test_staff_deactivate_a_product_and_customers_lose_sight_of_it(
    staff_client, customer_client, make_product
):
    product = make_product()

    staff_client.patch(product_url(product.pk), {"is_active": False})

    assert customer_client.get(product_url(product.pk)).status_code == 404
    assert customer_client.get(PRODUCTS).json()["count"] == 0


def test_staff_delete_a_product_and_it_is_gone(staff_client, customer_client, make_product):
    product = make_product()

    response = staff_client.delete(product_url(product.pk))

    assert response.status_code == 204
    assert not Product.objects.exists()
    assert customer_client.get(product_url(product.pk)).status_code == 404
    assert staff_client.delete(product_url(product.pk)).status_code == 404


@pytest.mark.parametrize(
    ("client_name", "status", "code"),
    [("customer_client", 403, "permission_denied"), ("anon_client", 401, "not_authenticated")],
)
def test_only_staff_write_products(request, make_product, client_name, status, code):
    client = request.getfixturevalue(client_name)
    product = make_product(sku="KEEP", price="1.00")

    responses = [
        client.post(PRODUCTS, NEW_PRODUCT),
        client.put(product_url(product.pk), {**NEW_PRODUCT, "sku": "KEEP"}),
        client.patch(product_url(product.pk), {"price": "2.00"}),
        client.delete(product_url(product.pk)),
    ]

    assert [r.status_code for r in responses] == [status] * 4
    assert {r.json()["code"] for r in responses} == {code}
    assert [(p.sku, p.price) for p in Product.objects.all()] == [("KEEP", Decimal("1.00"))]


def test_an_anonymous_write_is_told_how_to_authenticate(anon_client):
    response = anon_client.post(PRODUCTS, NEW_PRODUCT)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("client_name", ["anon_client", "staff_client"])
def test_the_browsable_api_renders_every_catalog_page(
    request, make_category, make_product, client_name
):
    client = request.getfixturevalue(client_name)
    product = make_product(category=make_category(name="Cups"))

    for url in [PRODUCTS, product_url(product.pk), CATEGORIES, category_url("cups")]:
        response = client.get(url, HTTP_ACCEPT="text/html")

        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")


def test_the_browsable_api_filter_form_labels_every_filter(anon_client):
    response = anon_client.get(PRODUCTS, HTTP_ACCEPT="text/html")

    html = response.content.decode()
    assert "[invalid name]" not in html
    for name, label in [("search", "Search"), ("in_stock", "In stock"), ("ordering", "Ordering")]:
        assert f'<label for="id_{name}">{label}:</label>' in html
    assert '<option value="true">Yes</option>' in html


def test_the_filter_forms_blank_fields_filter_nothing_and_its_no_means_sold_out(
    anon_client, make_product
):
    make_product(sku="FULL", stock=3)
    make_product(sku="EMPTY", stock=0)

    blank = anon_client.get(PRODUCTS, {"in_stock": "", "search": "", "ordering": ""})
    no = anon_client.get(PRODUCTS, {"in_stock": "false"})

    assert sorted(skus(blank)) == ["EMPTY", "FULL"]
    assert skus(no) == ["EMPTY"]
