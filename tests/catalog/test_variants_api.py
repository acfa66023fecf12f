"""A product's variants through the API (docs/API.md, "Catalog additions"): what staff write
at `products/{id}/variants/`, what every product response shows of them (`variants`, the
detail's `options`, the product's `sku`, `price`, `stock` and `in_stock` summaries), who may
write them, the list's `?in_stock=` over them, the events a variant write records, and the
query budgets, flat however many variants a product has."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from catalog import services
from kernel.models import OutboxEvent
from tests.conftest import client_for
from tests.openapi_shapes import assert_documented

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
VARIANT_FIELDS = {
    "id",
    "sku",
    "name",
    "options",
    "price",
    "currency",
    "stock",
    "in_stock",
    "position",
}


def product_url(product_id: int) -> str:
    return f"{PRODUCTS}{product_id}/"


def variants_url(product_id: int) -> str:
    return f"{PRODUCTS}{product_id}/variants/"


def variant_url(product_id: int, variant_id: int) -> str:
    return f"{PRODUCTS}{product_id}/variants/{variant_id}/"


def detail(client, product_id: int) -> dict:
    response = client.get(product_url(product_id))
    assert response.status_code == 200
    return response.json()


def summary(body: dict) -> tuple:
    return (body["sku"], body["price"], body["stock"], body["in_stock"])


@pytest.fixture
def tee(staff_client) -> dict:
    """A tee created through the API, its one variant given a size and a colour (S / red,
    20.00, 3 in stock), then a second variant M / red (18.00, none in stock): the detail."""
    # A product first, so that no product's id is its variant's (a test that confused the two
    # would pass by luck otherwise).
    staff_client.post(PRODUCTS, {"sku": "OTHER-1", "name": "Other", "price": "1.00"})
    created = staff_client.post(
        PRODUCTS, {"sku": "TEE-S", "name": "Tee", "price": "20.00", "stock": 3}, format="json"
    ).json()
    [first] = created["variants"]
    changed = staff_client.patch(
        variant_url(created["id"], first["id"]),
        {"options": {"size": "S", "colour": "red"}},
        format="json",
    )
    assert changed.status_code == 200
    added = staff_client.post(
        variants_url(created["id"]),
        {"sku": "TEE-M", "options": {"size": "M", "colour": "red"}, "price": "18.00"},
        format="json",
    )
    assert added.status_code == 201
    return detail(staff_client, created["id"])


# Creating a product: one variant without options.


def test_a_new_product_has_one_variant_without_options_that_its_summaries_read(staff_client):
    response = staff_client.post(
        PRODUCTS, {"sku": "MUG-1", "name": "Mug", "price": "4.50", "stock": 7}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    [variant] = body["variants"]
    assert set(variant) == VARIANT_FIELDS
    assert {key: value for key, value in variant.items() if key != "id"} == {
        "sku": "MUG-1",
        "name": "",
        "options": {},
        "price": "4.50",
        "currency": "USD",
        "stock": 7,
        "in_stock": True,
        "position": 0,
    }
    assert summary(body) == ("MUG-1", "4.50", 7, True)
    assert body["options"] == []
    assert detail(staff_client, body["id"]) == body


# Adding a variant.


def test_adding_a_variant_is_201_with_the_variant_its_name_made_from_its_values(staff_client):
    product = staff_client.post(
        PRODUCTS, {"sku": "TEE-S", "name": "Tee", "price": "20.00", "stock": 3}, format="json"
    ).json()
    [first] = product["variants"]
    staff_client.patch(
        variant_url(product["id"], first["id"]),
        {"options": {"size": "S", "colour": "red"}},
        format="json",
    )

    response = staff_client.post(
        variants_url(product["id"]),
        {"sku": "TEE-M", "options": {"size": "M", "colour": "red"}, "price": "18.00", "stock": 4},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == VARIANT_FIELDS
    assert {key: value for key, value in body.items() if key != "id"} == {
        "sku": "TEE-M",
        "name": "M / red",
        "options": {"size": "M", "colour": "red"},
        "price": "18.00",
        "currency": "USD",
        "stock": 4,
        "in_stock": True,
        "position": 1,
    }
    shown = detail(staff_client, product["id"])
    assert shown["variants"][1] == body
    assert [variant["name"] for variant in shown["variants"]] == ["S / red", "M / red"]


def test_a_variant_keeps_a_name_given_to_it(staff_client, tee):
    response = staff_client.post(
        variants_url(tee["id"]),
        {
            "sku": "TEE-L",
            "options": {"size": "L", "colour": "red"},
            "price": "22.00",
            "name": "Large, in red",
        },
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["name"], response.json()["stock"]) == ("Large, in red", 0)


def test_a_variant_with_the_options_of_another_is_400_duplicate_options(staff_client, tee):
    response = staff_client.post(
        variants_url(tee["id"]),
        {"sku": "TEE-M-2", "options": {"colour": "red", "size": "M"}, "price": "18.00"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_options"
    assert detail(staff_client, tee["id"]) == tee


def test_changing_a_variant_to_the_options_of_another_is_400_duplicate_options(staff_client, tee):
    first = tee["variants"][0]

    response = staff_client.patch(
        variant_url(tee["id"], first["id"]),
        {"options": {"size": "M", "colour": "red"}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_options"
    assert detail(staff_client, tee["id"]) == tee


@pytest.mark.parametrize("sku", ["TEE-S", "TEE-M", "OTHER-1"])
def test_a_sku_any_variant_has_is_400_on_sku(staff_client, tee, sku):
    """The product's first variant's, its second's (not the product's summary), another
    product's."""
    response = staff_client.post(
        variants_url(tee["id"]),
        {"sku": sku, "options": {"size": "L", "colour": "red"}, "price": "18.00"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["sku"]
    assert detail(staff_client, tee["id"]) == tee


def test_changing_a_variant_to_a_taken_sku_is_400_on_sku(staff_client, tee):
    second = tee["variants"][1]

    response = staff_client.patch(
        variant_url(tee["id"], second["id"]), {"sku": "OTHER-1"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["sku"]
    assert detail(staff_client, tee["id"]) == tee


@pytest.mark.parametrize(
    "options",
    [
        {"size": "L"},
        {"size": "L", "colour": "red", "fit": "slim"},
        {"size": "L", "color": "red"},
        {},
    ],
    ids=["fewer", "more", "other-name", "none"],
)
def test_option_names_other_than_the_products_other_variants_are_400(staff_client, tee, options):
    response = staff_client.post(
        variants_url(tee["id"]),
        {"sku": "TEE-L", "options": options, "price": "18.00"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["options"]
    assert detail(staff_client, tee["id"]) == tee


@pytest.mark.parametrize(
    "options",
    [
        {"a": "1", "b": "2", "c": "3", "d": "4"},
        {"": "L"},
        {"   ": "L"},
        {"size": ""},
        {"size": "   "},
        {"size": 5},
        {"size": None},
        {"size": ["L"]},
        {"size": {"eu": "42"}},
        {"size": True},
        {"size": "x" * 51},
        {"x" * 51: "L"},
        ["size", "L"],
        "size=L",
        None,
    ],
    ids=[
        "four-options",
        "blank-name",
        "spaces-name",
        "blank-value",
        "spaces-value",
        "int-value",
        "null-value",
        "list-value",
        "object-value",
        "bool-value",
        "long-value",
        "long-name",
        "a-list",
        "a-string",
        "null",
    ],
)
def test_malformed_options_are_400_on_options_and_change_nothing(
    staff_client, make_product, options
):
    product = make_product(sku="CAP-1", stock=2)
    before = detail(staff_client, product.pk)
    [variant] = before["variants"]

    added = staff_client.post(
        variants_url(product.pk),
        {"sku": "CAP-2", "options": options, "price": "5.00"},
        format="json",
    )
    changed = staff_client.patch(
        variant_url(product.pk, variant["id"]), {"options": options}, format="json"
    )

    assert (added.status_code, changed.status_code) == (400, 400)
    assert (list(added.json()), list(changed.json())) == (["options"], ["options"])
    assert detail(staff_client, product.pk) == before


def test_three_options_are_allowed(staff_client, make_product):
    product = make_product(sku="CAP-1")
    [variant] = detail(staff_client, product.pk)["variants"]
    options = {"size": "L", "colour": "red", "fit": "slim"}

    response = staff_client.patch(
        variant_url(product.pk, variant["id"]), {"options": options}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["options"], response.json()["name"]) == (options, "L / red / slim")


@pytest.mark.parametrize(
    "body",
    [
        {"options": {"size": "L", "colour": "red"}, "price": "18.00"},
        {"sku": "TEE-L", "price": "18.00"},
        {"sku": "TEE-L", "options": {"size": "L", "colour": "red"}},
        {"sku": "TEE-L", "options": {"size": "L", "colour": "red"}, "price": "0.00"},
        {"sku": "TEE-L", "options": {"size": "L", "colour": "red"}, "price": "1.001"},
        {"sku": "TEE-L", "options": {"size": "L", "colour": "red"}, "price": "1", "stock": -1},
    ],
    ids=["no-sku", "no-options", "no-price", "zero-price", "three-decimals", "negative-stock"],
)
def test_a_variant_needs_a_sku_options_and_a_valid_price(staff_client, tee, body):
    response = staff_client.post(variants_url(tee["id"]), body, format="json")

    assert response.status_code == 400
    assert detail(staff_client, tee["id"]) == tee


# Changing and deleting a variant.


def test_changing_a_variant_is_200_with_the_variant(staff_client, tee):
    second = tee["variants"][1]

    response = staff_client.patch(
        variant_url(tee["id"], second["id"]),
        {"sku": "TEE-M-RED", "price": "19.50", "stock": 6, "name": "Medium"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {
        **second,
        "sku": "TEE-M-RED",
        "price": "19.50",
        "stock": 6,
        "in_stock": True,
        "name": "Medium",
    }
    assert detail(staff_client, tee["id"])["variants"][1] == response.json()


def test_a_derived_name_follows_the_options_and_a_blank_name_is_derived_again(staff_client, tee):
    second = tee["variants"][1]
    url = variant_url(tee["id"], second["id"])

    recoloured = staff_client.patch(
        url, {"options": {"size": "M", "colour": "blue"}}, format="json"
    )
    named = staff_client.patch(url, {"name": "Medium blue"}, format="json")
    resized = staff_client.patch(url, {"options": {"size": "L", "colour": "blue"}}, format="json")
    blank = staff_client.patch(url, {"name": ""}, format="json")

    assert recoloured.json()["name"] == "M / blue"
    assert named.json()["name"] == "Medium blue"
    assert resized.json()["name"] == "Medium blue"
    assert blank.json()["name"] == "L / blue"


def test_deleting_a_variant_is_204_and_it_is_gone(staff_client, tee):
    first, second = tee["variants"]

    response = staff_client.delete(variant_url(tee["id"], second["id"]))

    assert response.status_code == 204
    assert detail(staff_client, tee["id"])["variants"] == [first]
    assert staff_client.patch(variant_url(tee["id"], second["id"]), {"stock": 1}).status_code == 404


def test_deleting_the_last_variant_is_409_last_variant(staff_client, make_product):
    product = make_product(sku="CAP-1")
    before = detail(staff_client, product.pk)
    [variant] = before["variants"]

    response = staff_client.delete(variant_url(product.pk, variant["id"]))

    assert response.status_code == 409
    assert response.json()["code"] == "last_variant"
    assert detail(staff_client, product.pk) == before


# The product's summaries of its variants.


def test_the_products_summaries_follow_every_variant_write(staff_client, anon_client, tee):
    first, second = tee["variants"]
    # The first variant's sku, the lowest price, the stock together, any in stock.
    assert summary(tee) == ("TEE-S", "18.00", 3, True)

    staff_client.patch(variant_url(tee["id"], second["id"]), {"stock": 2}, format="json")
    assert summary(detail(anon_client, tee["id"])) == ("TEE-S", "18.00", 5, True)

    staff_client.patch(variant_url(tee["id"], second["id"]), {"price": "25.00"}, format="json")
    assert summary(detail(anon_client, tee["id"])) == ("TEE-S", "20.00", 5, True)

    staff_client.patch(variant_url(tee["id"], first["id"]), {"position": 9}, format="json")
    reordered = detail(anon_client, tee["id"])
    assert summary(reordered) == ("TEE-M", "20.00", 5, True)
    assert [variant["sku"] for variant in reordered["variants"]] == ["TEE-M", "TEE-S"]

    for variant in (first, second):
        staff_client.patch(variant_url(tee["id"], variant["id"]), {"stock": 0}, format="json")
    assert summary(detail(anon_client, tee["id"])) == ("TEE-M", "20.00", 0, False)

    staff_client.post(
        variants_url(tee["id"]),
        {"sku": "TEE-XS", "options": {"size": "XS", "colour": "red"}, "price": "9.00", "stock": 1},
        format="json",
    )
    assert summary(detail(anon_client, tee["id"])) == ("TEE-M", "9.00", 1, True)

    staff_client.delete(variant_url(tee["id"], second["id"]))
    after = detail(anon_client, tee["id"])
    assert summary(after) == ("TEE-S", "9.00", 1, True)
    [listed] = [
        product
        for product in anon_client.get(PRODUCTS).json()["results"]
        if product["id"] == tee["id"]
    ]
    assert summary(listed) == summary(after)
    assert listed["variants"] == after["variants"]


# Writing a product's sku, price or stock once it has several variants.


@pytest.mark.parametrize(
    "body",
    [
        {"sku": "TEE"},
        {"price": "15.00"},
        {"stock": 10},
        {"name": "Renamed tee", "price": "15.00"},
        {"name": "Renamed tee", "sku": "TEE", "price": "15.00", "stock": 1},
    ],
    ids=["sku", "price", "stock", "name-and-price", "all"],
)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_writing_sku_price_or_stock_on_a_product_with_variants_is_400_and_changes_nothing(
    staff_client, tee, method, body
):
    if method == "put":
        body = {"name": "Renamed tee", **body}

    response = getattr(staff_client, method)(product_url(tee["id"]), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "product_has_variants"
    assert detail(staff_client, tee["id"]) == tee


def test_replacing_a_product_with_variants_needs_no_sku_or_price(staff_client, tee):
    response = staff_client.put(
        product_url(tee["id"]), {"name": "Plain tee", "description": "Cotton."}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["description"]) == ("Plain tee", "Cotton.")
    assert summary(body) == summary(tee)
    assert body["variants"] == tee["variants"]


def test_a_product_with_one_variant_still_takes_sku_price_and_stock(staff_client, make_product):
    product = make_product(sku="CAP-1", price="5.00", stock=1)

    patched = staff_client.patch(
        product_url(product.pk), {"sku": "CAP-2", "price": "6.00", "stock": 4}, format="json"
    )

    assert patched.status_code == 200
    assert summary(patched.json()) == ("CAP-2", "6.00", 4, True)
    [variant] = patched.json()["variants"]
    assert (variant["sku"], variant["price"], variant["stock"]) == ("CAP-2", "6.00", 4)
    missing = staff_client.put(product_url(product.pk), {"name": "Cap"}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()) == {"sku", "price"}


# What the detail and the list show.


def test_the_detail_shows_variants_by_position_and_options_in_their_order(
    staff_client, anon_client, tee
):
    first, second = tee["variants"]
    for sku, size, colour in [("TEE-S-BLUE", "S", "blue"), ("TEE-XL", "XL", "red")]:
        staff_client.post(
            variants_url(tee["id"]),
            {"sku": sku, "options": {"size": size, "colour": colour}, "price": "20.00"},
            format="json",
        )
    # The second variant first.
    staff_client.patch(variant_url(tee["id"], second["id"]), {"position": 0}, format="json")
    staff_client.patch(variant_url(tee["id"], first["id"]), {"position": 1}, format="json")

    body = detail(anon_client, tee["id"])

    assert [variant["sku"] for variant in body["variants"]] == [
        "TEE-M",
        "TEE-S",
        "TEE-S-BLUE",
        "TEE-XL",
    ]
    assert [variant["position"] for variant in body["variants"]] == [0, 1, 2, 3]
    assert body["options"] == [
        {"name": "size", "values": ["M", "S", "XL"]},
        {"name": "colour", "values": ["red", "blue"]},
    ]


def test_list_items_carry_their_variants(anon_client, tee, make_product):
    plain = make_product(sku="CAP-1", price="5.00", stock=2)

    results = {product["id"]: product for product in anon_client.get(PRODUCTS).json()["results"]}

    assert results[tee["id"]]["variants"] == tee["variants"]
    assert "options" not in results[tee["id"]]
    [variant] = results[plain.pk]["variants"]
    assert (variant["sku"], variant["options"], variant["stock"]) == ("CAP-1", {}, 2)


@pytest.mark.parametrize(
    ("value", "expected"), [("true", {"TEE-S", "CAP-1"}), ("false", {"HAT-1"})]
)
def test_in_stock_filters_on_any_variant_in_stock(anon_client, tee, make_product, value, expected):
    """The tee: its first variant in stock, its second not. The other product has no stock."""
    make_product(sku="CAP-1", stock=1)
    make_product(sku="HAT-1", stock=0)
    skus = {"TEE-S", "CAP-1", "HAT-1"}

    results = anon_client.get(PRODUCTS, {"in_stock": value, "page_size": 100}).json()["results"]

    assert {product["sku"] for product in results} & skus == expected


def test_in_stock_follows_a_variant_write(staff_client, anon_client, tee):
    first, second = tee["variants"]
    staff_client.patch(variant_url(tee["id"], first["id"]), {"stock": 0}, format="json")

    def listed(value: str) -> bool:
        results = anon_client.get(PRODUCTS, {"in_stock": value}).json()["results"]
        return tee["id"] in {product["id"] for product in results}

    assert (listed("true"), listed("false")) == (False, True)
    staff_client.patch(variant_url(tee["id"], second["id"]), {"stock": 1}, format="json")
    assert (listed("true"), listed("false")) == (True, False)


# Who may write variants, and where.


def _writes(tee) -> list[tuple[str, str, dict | None]]:
    second = tee["variants"][1]
    return [
        (
            "post",
            variants_url(tee["id"]),
            {"sku": "TEE-L", "options": {"size": "L", "colour": "red"}, "price": "1.00"},
        ),
        ("patch", variant_url(tee["id"], second["id"]), {"price": "0.01", "stock": 1000}),
        ("delete", variant_url(tee["id"], second["id"]), None),
    ]


@pytest.mark.parametrize(
    ("who", "status_code", "code"),
    [
        ("customer", 403, "permission_denied"),
        ("anonymous", 401, "not_authenticated"),
        ("staff without catalog.change_product", 403, "permission_denied"),
    ],
)
def test_only_staff_who_may_change_products_write_variants(
    staff_client, anon_client, customer_client, make_staff, tee, who, status_code, code
):
    if who == "staff without catalog.change_product":
        clerk = make_staff()
        clerk.user_permissions.set(
            Permission.objects.filter(content_type__app_label="catalog").exclude(
                codename="change_product"
            )
        )
        client = client_for(clerk)
    else:
        client = {"customer": customer_client, "anonymous": anon_client}[who]

    for method, url, body in _writes(tee):
        response = getattr(client, method)(url, body, format="json")

        assert (method, response.status_code) == (method, status_code)
        assert response.json()["code"] == code
    assert detail(staff_client, tee["id"]) == tee


def test_a_variant_under_another_products_url_is_404(staff_client, tee, make_product):
    other = make_product(sku="CAP-1")
    second = tee["variants"][1]
    before = detail(staff_client, other.pk)

    patched = staff_client.patch(variant_url(other.pk, second["id"]), {"stock": 1}, format="json")
    deleted = staff_client.delete(variant_url(other.pk, second["id"]))

    assert (patched.status_code, deleted.status_code) == (404, 404)
    assert patched.json()["code"] == deleted.json()["code"] == "not_found"
    assert detail(staff_client, tee["id"]) == tee
    assert detail(staff_client, other.pk) == before


def test_variants_of_an_unknown_product_or_an_unknown_variant_are_404(staff_client, tee):
    gone = tee["id"] + 1000
    unknown_variant = max(variant["id"] for variant in tee["variants"]) + 1000
    body = {"sku": "TEE-L", "options": {"size": "L", "colour": "red"}, "price": "1.00"}

    responses = [
        staff_client.post(variants_url(gone), body, format="json"),
        staff_client.patch(variant_url(tee["id"], unknown_variant), {"stock": 1}, format="json"),
        staff_client.delete(variant_url(tee["id"], unknown_variant)),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert detail(staff_client, tee["id"]) == tee


def test_an_unknown_field_is_400_naming_it(staff_client, tee):
    second = tee["variants"][1]
    body = {"sku": "TEE-L", "options": {"size": "L", "colour": "red"}, "price": "1.00"}

    added = staff_client.post(variants_url(tee["id"]), {**body, "colour": "red"}, format="json")
    changed = staff_client.patch(
        variant_url(tee["id"], second["id"]), {"stock": 1, "product": 5}, format="json"
    )

    assert (added.status_code, added.json()) == (400, {"colour": ["Unknown field."]})
    assert (changed.status_code, changed.json()) == (400, {"product": ["Unknown field."]})
    assert detail(staff_client, tee["id"]) == tee


# Events.


def reported(product_id: int) -> list[dict]:
    """The product's `product.updated` events since the last call, their data."""
    events = OutboxEvent.objects.filter(type="product.updated", data__id=product_id)
    data = list(events.order_by("id").values_list("data", flat=True))
    events.delete()
    return data


def test_each_variant_write_reports_the_product_with_its_variants(staff_client, tee):
    reported(tee["id"])
    second = tee["variants"][1]

    added = staff_client.post(
        variants_url(tee["id"]),
        {"sku": "TEE-L", "options": {"size": "L", "colour": "red"}, "price": "1.00", "stock": 2},
        format="json",
    ).json()
    (after_add,) = reported(tee["id"])
    assert after_add["variants"][-1] == added
    assert (after_add["price"], after_add["stock"]) == ("1.00", 5)
    assert after_add == detail(staff_client, tee["id"])

    staff_client.patch(variant_url(tee["id"], second["id"]), {"stock": 4}, format="json")
    (after_change,) = reported(tee["id"])
    assert after_change["variants"][1]["stock"] == 4
    assert after_change == detail(staff_client, tee["id"])

    staff_client.delete(variant_url(tee["id"], added["id"]))
    (after_delete,) = reported(tee["id"])
    assert [variant["sku"] for variant in after_delete["variants"]] == ["TEE-S", "TEE-M"]
    assert after_delete["price"] == "18.00"
    assert after_delete == detail(staff_client, tee["id"])


def test_a_new_product_reports_its_one_variant(staff_client):
    created = staff_client.post(
        PRODUCTS, {"sku": "MUG-1", "name": "Mug", "price": "4.50", "stock": 7}, format="json"
    ).json()

    [event] = OutboxEvent.objects.filter(type="product.created", data__id=created["id"])

    assert event.data == created
    assert [variant["sku"] for variant in event.data["variants"]] == ["MUG-1"]


def test_a_refused_variant_write_reports_nothing(staff_client, tee):
    reported(tee["id"])

    staff_client.post(
        variants_url(tee["id"]),
        {"sku": "TEE-M-2", "options": {"size": "M", "colour": "red"}, "price": "1.00"},
        format="json",
    )
    staff_client.patch(product_url(tee["id"]), {"price": "3.00"}, format="json")

    assert reported(tee["id"]) == []


# Query budgets: flat however many variants a product has (tests/catalog/test_query_budgets.py
# holds the budgets themselves).


@pytest.fixture
def catalog_with_variants(make_product):
    """`catalog_with_variants(products, variants_each)`: active products with that many
    variants each."""

    def make(products: int, variants_each: int) -> list[int]:
        ids = []
        for _ in range(products):
            product = make_product(stock=1)
            [first] = product.variants.all()
            if variants_each > 1:
                services.update_variant(variant=first, data={"options": {"size": "0"}})
            for number in range(1, variants_each):
                services.create_variant(
                    product=product,
                    sku=f"{product.sku}-{number}",
                    price=Decimal("5.00") + number,
                    options={"size": str(number)},
                    stock=number,
                )
            ids.append(product.pk)
        return ids

    return make


@pytest.mark.parametrize("variants_each", [1, 5])
@pytest.mark.parametrize("products", [1, 20])
def test_a_page_costs_four_queries_however_many_variants_each_product_has(
    anon_client, catalog_with_variants, django_assert_num_queries, products, variants_each
):
    catalog_with_variants(products, variants_each)

    with django_assert_num_queries(4):  # count, page, the page's variants, first images
        response = anon_client.get(PRODUCTS, {"page_size": 100})

    results = response.json()["results"]
    assert len(results) == products
    assert all(len(product["variants"]) == variants_each for product in results)


@pytest.mark.parametrize("variants_each", [1, 5])
def test_a_product_costs_three_queries_however_many_variants_it_has(
    anon_client, catalog_with_variants, django_assert_num_queries, variants_each
):
    [product_id] = catalog_with_variants(1, variants_each)

    with django_assert_num_queries(3):  # the product, its variants, its images
        body = anon_client.get(product_url(product_id)).json()

    assert len(body["variants"]) == variants_each
    assert len(body["options"]) == (1 if variants_each > 1 else 0)


# Option order: as written, on every database (PostgreSQL's jsonb orders an object's keys its
# own way).


def test_options_keep_the_order_they_were_written_in(staff_client, make_product):
    product = make_product(sku="SOCK-1")
    [first] = detail(staff_client, product.pk)["variants"]
    staff_client.patch(
        variant_url(product.pk, first["id"]),
        {"options": {"pattern": "striped", "colour": "red", "size": "M"}},
        format="json",
    )

    added = staff_client.post(
        variants_url(product.pk),
        {
            "sku": "SOCK-2",
            "options": {"pattern": "dotted", "colour": "red", "size": "M"},
            "price": "3.00",
        },
        format="json",
    )
    # The same names in another order: the product's order stays the first variant's.
    reordered = staff_client.post(
        variants_url(product.pk),
        {
            "sku": "SOCK-3",
            "options": {"size": "L", "colour": "blue", "pattern": "plain"},
            "price": "3.00",
        },
        format="json",
    )

    body = detail(staff_client, product.pk)
    assert [list(variant["options"]) for variant in body["variants"]] == [
        ["pattern", "colour", "size"],
        ["pattern", "colour", "size"],
        ["size", "colour", "pattern"],
    ]
    assert [variant["name"] for variant in body["variants"]] == [
        "striped / red / M",
        "dotted / red / M",
        "L / blue / plain",
    ]
    assert body["variants"][1:] == [added.json(), reordered.json()]
    assert [option["name"] for option in body["options"]] == ["pattern", "colour", "size"]


# The OpenAPI document: every answer in its documented shape.


def test_the_variant_endpoints_are_documented(anon_client):
    paths = anon_client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]

    variants = paths["/api/v1/products/{id}/variants/"]
    variant = paths["/api/v1/products/{id}/variants/{variant_id}/"]
    assert set(variants) == {"post"}
    assert set(variant) == {"patch", "delete"}
    ref = "#/components/schemas/ProductVariant"
    assert variants["post"]["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": ref
    }
    assert variant["patch"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": ref
    }
    assert set(variant["delete"]["responses"]) >= {"204", "401", "403", "404", "409"}
    assert "duplicate_options" in variants["post"]["responses"]["400"]["description"]
    assert "last_variant" in variant["delete"]["responses"]["409"]["description"]
    for operation in (variants["post"], variant["patch"]):
        request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert request.endswith("ProductVariantWriteRequest")
    names = {p["name"]: p["description"] for p in variant["patch"]["parameters"]}
    assert names == {"id": "The product's id.", "variant_id": "The variant's id."}
    product_400 = paths["/api/v1/products/{id}/"]["patch"]["responses"]["400"]
    assert "product_has_variants" in product_400["description"]


def test_variant_answers_are_in_their_documented_shapes(staff_client, tee):
    second = tee["variants"][1]

    added = staff_client.post(
        variants_url(tee["id"]),
        {"sku": "TEE-L", "options": {"size": "L", "colour": "red"}, "price": "1.00"},
        format="json",
    )
    changed = staff_client.patch(variant_url(tee["id"], second["id"]), {"stock": 2})
    refused = staff_client.patch(product_url(tee["id"]), {"stock": 2}, format="json")
    duplicate = staff_client.post(
        variants_url(tee["id"]),
        {"sku": "TEE-XL", "options": {"size": "L", "colour": "red"}, "price": "1.00"},
        format="json",
    )
    deleted = [
        staff_client.delete(variant_url(tee["id"], variant_id))
        for variant_id in (second["id"], added.json()["id"])
    ]
    only = staff_client.delete(variant_url(tee["id"], tee["variants"][0]["id"]))

    assert_documented(added.json(), "ProductVariant")
    assert_documented(changed.json(), "ProductVariant")
    assert_documented(refused.json(), "ProductHasVariantsError")
    assert refused.json()["fields"] == ["stock"]
    assert_documented(duplicate.json(), "Error")
    assert [response.status_code for response in deleted] == [204, 204]
    assert (only.status_code, only.json()["code"]) == (409, "last_variant")
    assert_documented(only.json(), "Error")
    assert_documented(tee, "ProductDetail")
    assert_documented(staff_client.get(PRODUCTS).json()["results"][0], "Product")


def test_options_stored_as_an_object_before_read_as_they_are(staff_client, make_product):
    """A row written before options were stored as pairs holds an object."""
    product = make_product(sku="SOCK-1")
    variant = product.variants.get()
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    table = connection.ops.quote_name(variant._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET options = %s{cast} WHERE id = %s",
            ['{"size": "M"}', variant.pk],
        )

    [shown] = detail(staff_client, product.pk)["variants"]

    assert shown["options"] == {"size": "M"}
    changed = staff_client.patch(
        variant_url(product.pk, variant.pk), {"options": {"size": "L"}}, format="json"
    )
    assert (changed.json()["options"], changed.json()["name"]) == ({"size": "L"}, "L")
