"""A cart's lines: adding by variant or one-variant product, the same variant adding up, an
order's limits, changing and removing lines."""

import pytest

from catalog import selectors as catalog_selectors
from catalog import services as catalog_services
from checkout import services
from checkout.exceptions import InvalidValue
from orders.services import MAX_LINES, MAX_QUANTITY, MAX_UNITS
from tests.checkout.carts import CARTS, add_line, new_cart
from tests.factories import variant_id_of

pytestmark = pytest.mark.django_db


def test_a_line_by_variant_id(anon_client, shirt):
    product, sizes = shirt
    cart = new_cart(anon_client)

    response = add_line(anon_client, cart["id"], variant_id=sizes["M"], quantity=2)

    assert response.status_code == 201
    [line] = response.json()["lines"]
    assert (line["product_id"], line["variant_id"]) == (product.id, sizes["M"])
    assert (line["sku"], line["name"], line["variant_name"]) == ("SHIRT-M", "Linen shirt", "M")
    assert (line["unit_price"], line["line_total"]) == ("22.00", "44.00")


def test_a_line_by_the_product_id_of_a_one_variant_product(anon_client, product):
    cart = new_cart(anon_client)

    response = add_line(anon_client, cart["id"], product_id=product.id, quantity=1)

    assert response.json()["lines"][0]["variant_id"] == variant_id_of(product)


def test_a_product_with_several_variants_needs_a_variant(anon_client, shirt):
    product, _ = shirt
    cart = new_cart(anon_client)

    response = add_line(anon_client, cart["id"], product_id=product.id, quantity=1)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["product_ids"]) == (
        "variant_required",
        [product.id],
    )
    assert anon_client.get(f"{CARTS}{cart['id']}/").json()["lines"] == []


def test_the_same_variant_again_adds_to_its_line(anon_client, product, shirt):
    _, sizes = shirt
    cart = new_cart(anon_client)
    add_line(anon_client, cart["id"], product_id=product.id, quantity=2)
    add_line(anon_client, cart["id"], variant_id=sizes["S"], quantity=1)

    # Named by its variant this time: the same line.
    response = add_line(anon_client, cart["id"], variant_id=variant_id_of(product), quantity=3)

    lines = response.json()["lines"]
    assert [(line["variant_id"], line["quantity"]) for line in lines] == [
        (variant_id_of(product), 5),
        (sizes["S"], 1),
    ]
    assert response.json()["subtotal"] == "82.50"


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("product", lambda make_product: 999_999),
        ("product", lambda make_product: make_product(is_active=False).id),
        ("variant", lambda make_product: 999_999),
        ("variant", lambda make_product: variant_id_of(make_product(is_active=False))),
    ],
)
def test_an_unknown_or_inactive_product_is_unavailable(anon_client, make_product, kind, make):
    cart = new_cart(anon_client)
    item_id = make(make_product)

    response = add_line(anon_client, cart["id"], **{f"{kind}_id": item_id}, quantity=1)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "product_unavailable"
    named = body["unavailable_product_ids"] + body["unavailable_variant_ids"]
    assert len(named) == 1


def test_an_inactive_products_variant_names_its_product(anon_client, make_product):
    product = make_product(is_active=False)
    cart = new_cart(anon_client)

    response = add_line(anon_client, cart["id"], variant_id=variant_id_of(product), quantity=1)

    assert response.json()["unavailable_product_ids"] == [product.id]


def test_an_unknown_variant_is_named(anon_client):
    cart = new_cart(anon_client)

    response = add_line(anon_client, cart["id"], variant_id=424242, quantity=1)

    assert response.json()["unavailable_variant_ids"] == [424242]


def test_adding_more_than_the_stock_is_allowed_and_unavailable(anon_client, make_product):
    product = make_product(stock=2)
    cart = new_cart(anon_client)

    response = add_line(anon_client, cart["id"], product_id=product.id, quantity=3)

    assert response.status_code == 201
    assert response.json()["lines"][0]["available"] is False


@pytest.mark.parametrize(
    "body",
    [
        {"quantity": 1},
        {"variant_id": 1, "product_id": 1, "quantity": 1},
        {"variant_id": "1", "quantity": 1},
        {"variant_id": 1, "quantity": "1"},
        {"variant_id": 1, "quantity": 1.0},
        {"variant_id": 1, "quantity": True},
        {"variant_id": 1, "quantity": 0},
        {"variant_id": 1, "quantity": MAX_QUANTITY + 1},
        {"variant_id": 0, "quantity": 1},
        {"variant_id": 2**63, "quantity": 1},
        {"variant_id": 1},
        {"variant_id": 1, "quantity": 1, "price": "0.01"},
    ],
)
def test_adding_a_line_refuses_bad_bodies(anon_client, product, body):
    cart = new_cart(anon_client)

    response = add_line(anon_client, cart["id"], **body)

    assert response.status_code == 400
    assert "code" not in response.json() or response.json()["code"] == "invalid"
    assert anon_client.get(f"{CARTS}{cart['id']}/").json()["lines"] == []


def test_a_line_holds_at_most_the_order_limit(anon_client, make_product):
    product = make_product(stock=MAX_QUANTITY)
    cart = new_cart(anon_client)
    add_line(anon_client, cart["id"], product_id=product.id, quantity=MAX_QUANTITY)

    response = add_line(anon_client, cart["id"], product_id=product.id, quantity=1)

    assert response.status_code == 400
    assert list(response.json()) == ["quantity"]
    lines = anon_client.get(f"{CARTS}{cart['id']}/").json()["lines"]
    assert lines[0]["quantity"] == MAX_QUANTITY


def test_a_cart_holds_at_most_the_order_limit_of_lines(anon_client, make_product):
    cart = new_cart(anon_client)
    for _ in range(MAX_LINES):
        product = make_product()
        assert (
            add_line(anon_client, cart["id"], product_id=product.id, quantity=1).status_code == 201
        )

    response = add_line(anon_client, cart["id"], product_id=make_product().id, quantity=1)

    assert response.status_code == 400
    assert list(response.json()) == ["lines"]
    # The same variant again still adds to its line.
    assert add_line(anon_client, cart["id"], product_id=product.id, quantity=1).status_code == 201


def test_a_cart_holds_at_most_the_order_limit_of_units(anon_client, make_product):
    cart = new_cart(anon_client)
    first, second = make_product(), make_product()
    add_line(anon_client, cart["id"], product_id=first.id, quantity=MAX_UNITS - 1)

    refused = add_line(anon_client, cart["id"], product_id=second.id, quantity=2)
    allowed = add_line(anon_client, cart["id"], product_id=second.id, quantity=1)

    assert (refused.status_code, list(refused.json())) == (400, ["quantity"])
    assert allowed.status_code == 201
    line_id = allowed.json()["lines"][1]["id"]
    raised = anon_client.patch(f"{CARTS}{cart['id']}/lines/{line_id}/", {"quantity": 2})
    assert (raised.status_code, list(raised.json())) == (400, ["quantity"])


# PATCH and DELETE carts/{id}/lines/{line_id}/.


def _line_url(cart: dict, line_id: int) -> str:
    return f"{CARTS}{cart['id']}/lines/{line_id}/"


def test_changing_a_lines_quantity(anon_client, product):
    cart = new_cart(anon_client)
    line_id = add_line(anon_client, cart["id"], product_id=product.id, quantity=1).json()["lines"][
        0
    ]["id"]

    response = anon_client.patch(_line_url(cart, line_id), {"quantity": 4}, format="json")

    assert response.status_code == 200
    assert response.json()["lines"][0]["quantity"] == 4
    assert response.json()["subtotal"] == "50.00"


@pytest.mark.parametrize(
    "body",
    [{}, {"quantity": 0}, {"quantity": "2"}, {"quantity": MAX_QUANTITY + 1}, {"variant_id": 3}],
)
def test_changing_a_line_refuses_bad_bodies(anon_client, product, body):
    cart = new_cart(anon_client)
    line_id = add_line(anon_client, cart["id"], product_id=product.id, quantity=1).json()["lines"][
        0
    ]["id"]

    response = anon_client.patch(_line_url(cart, line_id), body, format="json")

    assert response.status_code == 400
    assert anon_client.get(f"{CARTS}{cart['id']}/").json()["lines"][0]["quantity"] == 1


def test_removing_a_line(anon_client, product, shirt):
    _, sizes = shirt
    cart = new_cart(anon_client)
    add_line(anon_client, cart["id"], product_id=product.id, quantity=1)
    lines = add_line(anon_client, cart["id"], variant_id=sizes["M"], quantity=1).json()["lines"]

    response = anon_client.delete(_line_url(cart, lines[0]["id"]))

    assert response.status_code == 200
    assert [line["variant_id"] for line in response.json()["lines"]] == [sizes["M"]]
    assert response.json()["subtotal"] == "22.00"


@pytest.mark.parametrize(("method", "body"), [("patch", {"quantity": 2}), ("delete", None)])
def test_a_line_of_another_cart_is_404(anon_client, product, method, body):
    cart, other = new_cart(anon_client), new_cart(anon_client)
    line_id = add_line(anon_client, other["id"], product_id=product.id, quantity=1).json()["lines"][
        0
    ]["id"]

    response = getattr(anon_client, method)(_line_url(cart, line_id), body, format="json")

    assert response.status_code == 404
    assert anon_client.get(f"{CARTS}{other['id']}/").json()["lines"][0]["quantity"] == 1


def test_a_removed_line_is_404_the_second_time(anon_client, product):
    cart = new_cart(anon_client)
    line_id = add_line(anon_client, cart["id"], product_id=product.id, quantity=1).json()["lines"][
        0
    ]["id"]
    anon_client.delete(_line_url(cart, line_id))

    assert anon_client.delete(_line_url(cart, line_id)).status_code == 404


def test_the_add_line_service_wants_exactly_one_id(product):
    cart = services.create_cart(customer_id=None)

    with pytest.raises(InvalidValue):
        services.add_line(cart=cart, quantity=1)
    with pytest.raises(InvalidValue):
        services.add_line(cart=cart, quantity=1, product_id=product.id, variant_id=1)


def test_a_deleted_variants_line_stays_and_is_unavailable(anon_client, shirt):
    _, sizes = shirt
    cart = new_cart(anon_client)
    add_line(anon_client, cart["id"], variant_id=sizes["S"], quantity=1)
    add_line(anon_client, cart["id"], variant_id=sizes["M"], quantity=1)

    product, sizes = shirt
    medium = catalog_selectors.product_variants_to_change(product_id=product.id).get(pk=sizes["M"])
    catalog_services.delete_variant(variant=medium)

    body = anon_client.get(f"{CARTS}{cart['id']}/").json()
    gone = body["lines"][1]
    assert (gone["variant_id"], gone["sku"], gone["variant_name"]) == (sizes["M"], "SHIRT-M", "M")
    assert (gone["unit_price"], gone["available"]) == ("22.00", False)
    assert body["subtotal"] == "20.00"
