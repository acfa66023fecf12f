"""Ordering variants through the API: an item names a variant, or the product of exactly one;
a line copies the variant as it was; stock is taken from, and given back to, the variant
ordered, all or nothing."""

from datetime import datetime

import pytest
from django.utils.dateparse import parse_datetime

from orders.services import expire_overdue_orders
from tests.payments.support import PAYMENTS_URL, pay

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
PRODUCTS = "/api/v1/products/"


def _variants_url(product_id: int, variant_id: int | None = None) -> str:
    return f"{PRODUCTS}{product_id}/variants/" + (f"{variant_id}/" if variant_id else "")


def stocks(staff_client, product_id: int) -> dict[int, int]:
    """`{variant_id: stock}` of the product's variants, as staff read its detail."""
    response = staff_client.get(f"{PRODUCTS}{product_id}/")
    assert response.status_code == 200
    return {variant["id"]: variant["stock"] for variant in response.json()["variants"]}


@pytest.fixture
def shirt(staff_client, make_product):
    """A shirt in three sizes, each its own sku, price and stock (S 5 at 20.00, M 3 at 22.00,
    L 1 at 24.00), made through the staff API; `(product_id, {size: variant_id})`."""
    product = make_product(sku="SHIRT-S", name="Linen shirt", price="20.00", stock=5)
    [small] = stocks(staff_client, product.pk)
    response = staff_client.patch(
        _variants_url(product.pk, small), {"options": {"size": "S"}}, format="json"
    )
    assert response.status_code == 200
    sizes = {"S": small}
    for size, price, stock in (("M", "22.00", 3), ("L", "24.00", 1)):
        response = staff_client.post(
            _variants_url(product.pk),
            {"sku": f"SHIRT-{size}", "options": {"size": size}, "price": price, "stock": stock},
            format="json",
        )
        assert response.status_code == 201
        sizes[size] = response.json()["id"]
    return product.pk, sizes


def order(client, *items: dict, **headers):
    return client.post(ORDERS, {"items": list(items)}, format="json", headers=headers)


def orders_count(staff_client) -> int:
    return staff_client.get(ORDERS).json()["count"]


def test_an_item_may_name_a_variant(customer_client, staff_client, shirt):
    product_id, sizes = shirt

    response = order(customer_client, {"variant_id": sizes["M"], "quantity": 2})

    assert response.status_code == 201
    assert response.json()["items"] == [
        {
            "product_id": product_id,
            "variant_id": sizes["M"],
            "sku": "SHIRT-M",
            "name": "Linen shirt",
            "variant_name": "M",
            "unit_price": "22.00",
            "quantity": 2,
            "line_total": "44.00",
        }
    ]
    assert response.json()["total"] == "44.00"
    assert stocks(staff_client, product_id) == {sizes["S"]: 5, sizes["M"]: 1, sizes["L"]: 1}


def test_an_item_may_name_a_product_of_one_variant(customer_client, staff_client, make_product):
    mug = make_product(sku="MUG-1", name="Blue mug", price="12.50", stock=10)
    [variant_id] = stocks(staff_client, mug.pk)

    response = order(customer_client, {"product_id": mug.pk, "quantity": 3})

    assert response.status_code == 201
    [line] = response.json()["items"]
    assert (line["product_id"], line["variant_id"], line["sku"], line["variant_name"]) == (
        mug.pk,
        variant_id,
        "MUG-1",
        "",
    )
    assert stocks(staff_client, mug.pk) == {variant_id: 7}


def test_a_product_of_several_variants_needs_a_variant_and_nothing_is_reserved(
    customer_client, staff_client, shirt, make_product
):
    product_id, sizes = shirt
    mug = make_product(stock=10)

    response = order(
        customer_client,
        {"product_id": mug.pk, "quantity": 1},
        {"product_id": product_id, "quantity": 1},
    )

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["product_ids"]) == ("variant_required", [product_id])
    assert str(product_id) in body["detail"]
    assert stocks(staff_client, product_id) == {sizes["S"]: 5, sizes["M"]: 3, sizes["L"]: 1}
    assert list(stocks(staff_client, mug.pk).values()) == [10]
    assert orders_count(staff_client) == 0


def test_a_line_keeps_the_variant_as_it_was_when_ordered(customer_client, staff_client, shirt):
    product_id, sizes = shirt
    placed = order(customer_client, {"variant_id": sizes["S"], "quantity": 2}).json()

    changes = {"sku": "SHIRT-SMALL", "price": "99.00", "options": {"size": "XS"}, "name": "Tiny"}
    assert (
        staff_client.patch(_variants_url(product_id, sizes["S"]), changes, format="json")
    ).status_code == 200
    assert (
        staff_client.patch(f"{PRODUCTS}{product_id}/", {"name": "Hemp shirt"}, format="json")
    ).status_code == 200

    later = customer_client.get(f"{ORDERS}{placed['id']}/").json()
    assert later["items"] == placed["items"]
    assert [
        (line["sku"], line["name"], line["variant_name"], line["unit_price"])
        for line in later["items"]
    ] == [("SHIRT-S", "Linen shirt", "S", "20.00")]
    assert (later["subtotal"], later["total"]) == ("40.00", "40.00")


def test_two_variants_of_one_product_make_two_lines(customer_client, staff_client, shirt):
    product_id, sizes = shirt

    response = order(
        customer_client,
        {"variant_id": sizes["L"], "quantity": 1},
        {"variant_id": sizes["S"], "quantity": 4},
    )

    assert response.status_code == 201
    assert [
        (line["product_id"], line["variant_id"], line["sku"], line["quantity"], line["line_total"])
        for line in response.json()["items"]
    ] == [
        (product_id, sizes["L"], "SHIRT-L", 1, "24.00"),
        (product_id, sizes["S"], "SHIRT-S", 4, "80.00"),
    ]
    assert response.json()["total"] == "104.00"
    assert stocks(staff_client, product_id) == {sizes["S"]: 1, sizes["M"]: 3, sizes["L"]: 0}


@pytest.mark.parametrize("by", ["variant_id twice", "product_id and variant_id"])
def test_the_same_variant_twice_is_400_and_nothing_is_reserved(
    customer_client, staff_client, make_product, by
):
    mug, tea = make_product(stock=10), make_product(stock=10)
    [variant_id] = stocks(staff_client, mug.pk)
    first = {"variant_id": variant_id} if by == "variant_id twice" else {"product_id": mug.pk}

    response = order(
        customer_client,
        {"product_id": tea.pk, "quantity": 1},
        {**first, "quantity": 1},
        {"variant_id": variant_id, "quantity": 2},
    )

    assert response.status_code == 400
    assert f"{variant_id}" in " ".join(response.json()["items"])
    assert list(stocks(staff_client, mug.pk).values()) == [10]
    assert list(stocks(staff_client, tea.pk).values()) == [10]
    assert orders_count(staff_client) == 0


def test_an_unknown_variant_is_400_product_unavailable_and_nothing_is_reserved(
    customer_client, staff_client, shirt
):
    product_id, sizes = shirt
    unknown = max(sizes.values()) + 1000

    response = order(
        customer_client,
        {"variant_id": sizes["S"], "quantity": 1},
        {"variant_id": unknown, "quantity": 1},
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "product_unavailable"
    assert (body["unavailable_variant_ids"], body["unavailable_product_ids"]) == ([unknown], [])
    assert body["shortages"] == []
    assert stocks(staff_client, product_id)[sizes["S"]] == 5
    assert orders_count(staff_client) == 0


def test_a_variant_of_an_inactive_product_is_400_and_nothing_is_reserved(
    customer_client, staff_client, shirt, make_product
):
    product_id, sizes = shirt
    mug = make_product(stock=10)
    retired = staff_client.patch(f"{PRODUCTS}{product_id}/", {"is_active": False}, format="json")
    assert retired.status_code == 200

    response = order(
        customer_client,
        {"product_id": mug.pk, "quantity": 1},
        {"variant_id": sizes["M"], "quantity": 1},
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "product_unavailable"
    assert (body["unavailable_product_ids"], body["unavailable_variant_ids"]) == ([product_id], [])
    assert stocks(staff_client, product_id)[sizes["M"]] == 3
    assert list(stocks(staff_client, mug.pk).values()) == [10]
    assert orders_count(staff_client) == 0


def test_a_variant_short_of_stock_is_409_naming_it_and_nothing_is_reserved(
    customer_client, staff_client, shirt
):
    product_id, sizes = shirt

    response = order(
        customer_client,
        {"variant_id": sizes["S"], "quantity": 5},
        {"variant_id": sizes["L"], "quantity": 2},
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert body["shortages"] == [
        {"product_id": product_id, "variant_id": sizes["L"], "requested": 2, "available": 1}
    ]
    assert stocks(staff_client, product_id) == {sizes["S"]: 5, sizes["M"]: 3, sizes["L"]: 1}
    assert orders_count(staff_client) == 0


def _give_back(how: str, *, order_id: int, customer_client, staff_client) -> None:
    if how == "cancelled":
        response = customer_client.post(f"{ORDERS}{order_id}/cancel/")
        assert response.status_code == 200
    elif how == "expired":
        assert expire_overdue_orders(now=_expires_at(staff_client, order_id)) == 1
    else:
        payment = pay(customer_client, order_id, "tok_visa")
        assert payment.status_code == 201
        if how == "cancelled when paid":
            response = staff_client.post(f"{ORDERS}{order_id}/cancel/")
        else:
            response = staff_client.post(
                f"{PAYMENTS_URL}{payment.json()['id']}/refund/", {}, format="json"
            )
        assert response.status_code in (200, 201)
    expected = "refunded" if how == "refunded" else "cancelled"
    assert staff_client.get(f"{ORDERS}{order_id}/").json()["status"] == expected


def _expires_at(staff_client, order_id: int) -> datetime:
    return parse_datetime(staff_client.get(f"{ORDERS}{order_id}/").json()["expires_at"])


@pytest.mark.parametrize("how", ["cancelled", "cancelled when paid", "expired", "refunded"])
def test_stock_comes_back_to_the_variants_ordered(
    customer_client, staff_client, shirt, make_product, how
):
    product_id, sizes = shirt
    mug = make_product(stock=10)
    [mug_variant] = stocks(staff_client, mug.pk)
    placed = order(
        customer_client,
        {"variant_id": sizes["M"], "quantity": 2},
        {"variant_id": sizes["S"], "quantity": 1},
        {"product_id": mug.pk, "quantity": 4},
    )
    assert placed.status_code == 201
    assert stocks(staff_client, product_id) == {sizes["S"]: 4, sizes["M"]: 1, sizes["L"]: 1}

    _give_back(
        how,
        order_id=placed.json()["id"],
        customer_client=customer_client,
        staff_client=staff_client,
    )

    assert stocks(staff_client, product_id) == {sizes["S"]: 5, sizes["M"]: 3, sizes["L"]: 1}
    assert stocks(staff_client, mug.pk) == {mug_variant: 10}


def test_an_order_of_a_variant_deleted_since_can_still_be_cancelled(
    customer_client, staff_client, shirt
):
    product_id, sizes = shirt
    placed = order(
        customer_client,
        {"variant_id": sizes["M"], "quantity": 2},
        {"variant_id": sizes["L"], "quantity": 1},
    ).json()
    assert staff_client.delete(_variants_url(product_id, sizes["L"])).status_code == 204

    response = customer_client.post(f"{ORDERS}{placed['id']}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["items"] == placed["items"]
    assert stocks(staff_client, product_id) == {sizes["S"]: 5, sizes["M"]: 3}
