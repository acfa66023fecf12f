"""Whatever a client sends, the catalog answers with a clear 4xx and changes nothing."""

from decimal import Decimal

import pytest

from catalog.models import Category, Product

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
CATEGORIES = "/api/v1/categories/"
VALID = {"sku": "CUP-1", "name": "Espresso Cup", "price": "12.50"}


@pytest.fixture
def existing(make_category, make_product) -> Product:
    return make_product(
        sku="KEEP", name="Keep", price=Decimal("5.00"), stock=3, category=make_category()
    )


@pytest.fixture
def unchanged(existing):
    """Asserts, after the test, that no product or category was created, changed or deleted."""
    products = list(Product.objects.order_by("id").values())
    categories = list(Category.objects.order_by("id").values())
    yield
    assert list(Product.objects.order_by("id").values()) == products
    assert list(Category.objects.order_by("id").values()) == categories


def test_malformed_json_is_a_400(staff_client, existing, unchanged):
    for method in (staff_client.post, staff_client.put, staff_client.patch):
        url = PRODUCTS if method == staff_client.post else f"{PRODUCTS}{existing.pk}/"
        response = method(url, '{"sku": "X", ', content_type="application/json")

        assert response.status_code == 400
        assert response.json()["code"] == "parse_error"


def test_a_body_that_is_not_an_object_is_a_400(staff_client, unchanged):
    for body in ('[{"sku": "X", "name": "X", "price": "1.00"}]', '"text"', "5", "null"):
        response = staff_client.post(PRODUCTS, body, content_type="application/json")

        assert response.status_code == 400, body
        assert "non_field_errors" in response.json(), body


def test_a_form_encoded_body_is_415(staff_client, unchanged):
    response = staff_client.post(PRODUCTS, VALID, format="multipart")

    assert response.status_code == 415


def test_missing_fields_are_named(staff_client, unchanged):
    response = staff_client.post(PRODUCTS, {})

    assert response.status_code == 400
    assert set(response.json()) == {"sku", "name", "price"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "abc"),
        ("price", True),
        ("price", [1]),
        ("price", "NaN"),
        ("price", "Infinity"),
        ("price", None),
        ("stock", "many"),
        ("stock", 1.5),
        ("stock", True),
        ("stock", None),
        ("is_active", "maybe"),
        ("is_active", None),
        ("category", "abc"),
        ("category", 1.5),
        ("category", True),
        ("category", {"id": 1}),
        ("name", {"first": "x"}),
        ("name", None),
        ("sku", ["x"]),
        ("slug", "not a slug!"),
        ("description", {"a": 1}),
    ],
)
def test_a_value_of_the_wrong_type_is_a_400_on_that_field(staff_client, unchanged, field, value):
    response = staff_client.post(PRODUCTS, {**VALID, field: value}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "0"),
        ("price", "0.00"),
        ("price", "-1.00"),
        ("price", "0.001"),
        ("price", "1.999"),
        ("price", "10000000000"),
        ("price", "1e30"),
        ("price", 10**40),
        ("stock", -1),
        ("stock", 2_147_483_648),
        ("stock", 10**30),
        ("category", 999_999),
        ("category", 0),
        ("category", -1),
        ("category", 10**30),
        ("name", "x" * 201),
        ("name", ""),
        ("name", "   "),
        ("name", "a\x00b"),
        ("sku", "x" * 65),
        ("sku", ""),
        ("slug", "x" * 221),
    ],
)
def test_a_value_out_of_range_is_a_400_on_that_field(staff_client, unchanged, field, value):
    response = staff_client.post(PRODUCTS, {**VALID, field: value}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_longest_allowed_values_are_accepted(staff_client):
    response = staff_client.post(
        PRODUCTS,
        {**VALID, "name": "x" * 200, "sku": "s" * 64, "price": "9999999999.99", "stock": 2**31 - 1},
    )

    assert response.status_code == 201
    assert (response.json()["price"], response.json()["stock"]) == ("9999999999.99", 2**31 - 1)


def test_bad_values_in_an_update_change_nothing(staff_client, existing, unchanged):
    url = f"{PRODUCTS}{existing.pk}/"

    responses = [
        staff_client.patch(url, {"price": "-5"}),
        staff_client.patch(url, {"stock": -1, "name": "Changed"}),
        staff_client.patch(url, {"category": 999_999}),
        staff_client.put(url, {"sku": "KEEP", "name": "x" * 201, "price": "5.00"}),
    ]

    assert [r.status_code for r in responses] == [400] * 4


def test_bad_category_bodies_are_400(staff_client, unchanged):
    for body in ({}, {"name": "x" * 101}, {"name": "Tea", "slug": "not a slug"}, {"name": None}):
        response = staff_client.post(CATEGORIES, body, format="json")

        assert response.status_code == 400, body


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"min_price": "abc"}, "min_price"),
        ({"max_price": "abc"}, "max_price"),
        ({"min_price": "-1"}, "min_price"),
        ({"min_price": "1.001"}, "min_price"),
        ({"min_price": "NaN"}, "min_price"),
        ({"max_price": "1e999"}, "max_price"),
        ({"min_price": "10", "max_price": "5"}, "max_price"),
        ({"ordering": "password"}, "ordering"),
        ({"ordering": "id"}, "ordering"),
        ({"ordering": "price,name"}, "ordering"),
        ({"in_stock": "maybe"}, "in_stock"),
        ({"category": "nope"}, "category"),
        ({"search": "a\x00b"}, "search"),
        ({"page": "-1"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
    ],
)
def test_a_malformed_query_parameter_is_a_400_naming_it(anon_client, existing, params, field):
    response = anon_client.get(PRODUCTS, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert isinstance(response.json()[field], list)


def test_a_huge_page_size_is_capped_at_100(anon_client, make_product):
    for _ in range(101):
        make_product()

    response = anon_client.get(PRODUCTS, {"page_size": "100000"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 100


@pytest.mark.parametrize("product_id", ["999999", "abc", "-1", "1.5", "99999999999999999999999"])
def test_an_unknown_or_malformed_product_id_is_404(staff_client, unchanged, product_id):
    url = f"{PRODUCTS}{product_id}/"

    responses = [
        staff_client.get(url),
        staff_client.put(url, VALID),
        staff_client.patch(url, {"name": "x"}),
        staff_client.delete(url),
    ]

    assert [r.status_code for r in responses] == [404] * 4
    assert {r.json()["code"] for r in responses} == {"not_found"}


@pytest.mark.parametrize("slug", ["nope", "not%20a%20slug", "x" * 300])
def test_an_unknown_or_malformed_category_slug_is_404(staff_client, unchanged, slug):
    url = f"{CATEGORIES}{slug}/"

    responses = [
        staff_client.get(url),
        staff_client.patch(url, {"name": "x"}),
        staff_client.delete(url),
    ]

    assert [r.status_code for r in responses] == [404] * 3


def test_list_filters_do_not_apply_to_one_product(anon_client, existing):
    """A product's URL takes no list filter: it is refused, never used to hide the product."""
    response = anon_client.get(f"{PRODUCTS}{existing.pk}/", {"in_stock": "false"})

    assert response.status_code == 400
    assert response.json() == {"in_stock": ["Unknown query parameter."]}
