"""Races for variants on PostgreSQL: real threads, each with its own connection, released
together.

A reservation locks the variants it takes from, in id order, and never its product; a staff
write to a variant locks the product's row first, then writes the variant. So orders naming the
same variants in any order queue instead of deadlocking, staff writes queue behind (or ahead
of) reservations without losing one, and stock plus the units in live orders stays what it was.
"""

from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum

from catalog import services as catalog_services
from orders.models import Order, OrderLine
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import variant_id_of

pytestmark = [
    pytest.mark.postgres("SQLite serialises all writers, so there is no race to observe"),
    pytest.mark.django_db(transaction=True),
]

ORDERS = "/api/v1/orders/"
PRODUCTS = "/api/v1/products/"


def _variants_url(product_id: int, variant_id: int | None = None) -> str:
    return f"{PRODUCTS}{product_id}/variants/" + (f"{variant_id}/" if variant_id else "")


def make_sized(staff_client, make_product, **sizes: tuple[str, int]) -> tuple[int, dict]:
    """A product with one variant per size, `size=(price, stock)`, made through the staff API;
    `(product_id, {size: variant_id})`."""
    (first, (price, stock)), *others = sizes.items()
    product = make_product(sku=f"TEE-{first}", name="Tee", price=price, stock=stock)
    ids = {first: variant_id_of(product)}
    response = staff_client.patch(
        _variants_url(product.pk, ids[first]), {"options": {"size": first}}, format="json"
    )
    assert response.status_code == 200
    for size, (price, stock) in others:
        body = {"sku": f"TEE-{size}", "options": {"size": size}, "price": price, "stock": stock}
        response = staff_client.post(_variants_url(product.pk), body, format="json")
        assert response.status_code == 201
        ids[size] = response.json()["id"]
    return product.pk, ids


def stock(variant_id: int) -> int:
    """The variant's stock, as the catalog's public read reports it."""
    return catalog_services.get_variants(ids=[variant_id])[variant_id].stock


def live_units(variant_id: int) -> int:
    """The units of the variant in orders that still hold them (not cancelled)."""
    lines = OrderLine.objects.filter(variant_id=variant_id).exclude(order__status="cancelled")
    return lines.aggregate(units=Sum("quantity"))["units"] or 0


def post(client, items: list[dict]):
    return client.post(ORDERS, {"items": items}, format="json")


def test_orders_naming_two_variants_in_opposite_orders_never_deadlock_and_take_both_or_none(
    staff_client, make_user, make_product
):
    """Every customer wants 2 of each; 30 of them want 60 of each, and M has 40: 20 orders."""
    _, sizes = make_sized(staff_client, make_product, S=("10.00", 60), M=("12.00", 40))
    forwards = [{"variant_id": sizes[size], "quantity": 2} for size in ("S", "M")]
    bodies = [forwards if n % 2 else forwards[::-1] for n in range(30)]
    clients = [client_for(make_user()) for _ in bodies]

    responses = run_concurrently(
        *[
            lambda client=client, items=items: post(client, items)
            for client, items in zip(clients, bodies, strict=True)
        ]
    )

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 20, 409: 10}
    refused = [response.json() for response in responses if response.status_code == 409]
    assert {body["code"] for body in refused} == {"insufficient_stock"}
    assert {shortage["variant_id"] for body in refused for shortage in body["shortages"]} == {
        sizes["M"]
    }
    # All or nothing: the refused took no S either, and every order has both lines.
    assert (stock(sizes["S"]), stock(sizes["M"])) == (20, 0)
    assert (live_units(sizes["S"]), live_units(sizes["M"])) == (40, 40)
    assert Order.objects.count() == 20
    order_ids = Order.objects.values_list("pk", flat=True)
    assert Counter(OrderLine.objects.values_list("order_id", flat=True)) == dict.fromkeys(
        order_ids, 2
    )


def test_many_racers_for_one_variant_never_oversell_it_nor_touch_its_siblings(
    staff_client, make_user, make_product
):
    """Thirty customers want 1 or 2 M while three others cancel the M they had ordered."""
    _, sizes = make_sized(
        staff_client, make_product, S=("10.00", 10), M=("10.00", 6), L=("10.00", 10)
    )
    first_buyers = [client_for(make_user()) for _ in range(3)]
    placed = [post(client, [{"variant_id": sizes["M"], "quantity": 1}]) for client in first_buyers]
    assert [response.status_code for response in placed] == [201, 201, 201]
    racers = [client_for(make_user()) for _ in range(30)]

    responses = run_concurrently(
        *[
            lambda client=client, n=n: post(
                client, [{"variant_id": sizes["M"], "quantity": 1 + n % 2}]
            )
            for n, client in enumerate(racers)
        ],
        *[
            lambda client=client, order=order: client.post(f"{ORDERS}{order.json()['id']}/cancel/")
            for client, order in zip(first_buyers, placed, strict=True)
        ],
    )

    orders, cancels = responses[:30], responses[30:]
    assert [response.status_code for response in cancels] == [200, 200, 200]
    assert set(Counter(response.status_code for response in orders)) <= {201, 409}
    assert {r.json()["code"] for r in orders if r.status_code == 409} <= {"insufficient_stock"}
    assert any(response.status_code == 201 for response in orders)
    assert stock(sizes["M"]) >= 0
    assert stock(sizes["M"]) + live_units(sizes["M"]) == 6
    ordered = sum(r.json()["items"][0]["quantity"] for r in orders if r.status_code == 201)
    assert live_units(sizes["M"]) == ordered
    assert (stock(sizes["S"]), stock(sizes["L"])) == (10, 10)


def test_staff_variant_writes_racing_orders_lose_no_reservation_and_never_deadlock(
    staff, make_user, make_product
):
    """Staff change prices, a sku, a name and add a variant while 20 customers each order one S
    and one M: staff writes lock the product, then the variant; reservations the variants only.
    Each line has the price before or after the change, and no write puts back a stale stock."""
    staff_client = client_for(staff)
    product_id, sizes = make_sized(staff_client, make_product, S=("10.00", 30), M=("10.00", 30))
    forwards = [{"variant_id": sizes[size], "quantity": 1} for size in ("S", "M")]
    customers = [client_for(make_user()) for _ in range(20)]
    writes = [
        ("patch", _variants_url(product_id, sizes["S"]), {"price": "12.00"}),
        ("patch", _variants_url(product_id, sizes["M"]), {"sku": "TEE-M2", "price": "11.00"}),
        ("patch", _variants_url(product_id, sizes["S"]), {"name": "Small"}),
        ("patch", _variants_url(product_id, sizes["M"]), {"position": 5}),
        (
            "post",
            _variants_url(product_id),
            {"sku": "TEE-L", "options": {"size": "L"}, "price": "14.00", "stock": 4},
        ),
        ("patch", f"{PRODUCTS}{product_id}/", {"name": "Cotton tee"}),
    ]
    staff_clients = [client_for(staff) for _ in writes]

    responses = run_concurrently(
        *[
            lambda client=client, n=n: post(client, forwards if n % 2 else forwards[::-1])
            for n, client in enumerate(customers)
        ],
        *[
            lambda client=client, method=method, url=url, body=body: getattr(client, method)(
                url, body, format="json"
            )
            for client, (method, url, body) in zip(staff_clients, writes, strict=True)
        ],
    )

    orders, staff_writes = responses[:20], responses[20:]
    assert [response.status_code for response in orders] == [201] * 20
    assert [response.status_code for response in staff_writes] == [200, 200, 200, 200, 201, 200]
    assert (stock(sizes["S"]), stock(sizes["M"])) == (10, 10)
    assert (live_units(sizes["S"]), live_units(sizes["M"])) == (20, 20)
    prices = {
        size: {
            Decimal(line["unit_price"])
            for response in orders
            for line in response.json()["items"]
            if line["variant_id"] == variant_id
        }
        for size, variant_id in sizes.items()
    }
    assert prices["S"] <= {Decimal("10.00"), Decimal("12.00")}
    assert prices["M"] <= {Decimal("10.00"), Decimal("11.00")}
    variants = {
        variant["id"]: variant
        for variant in staff_client.get(f"{PRODUCTS}{product_id}/").json()["variants"]
    }
    assert (variants[sizes["S"]]["price"], variants[sizes["S"]]["name"]) == ("12.00", "Small")
    assert (variants[sizes["M"]]["price"], variants[sizes["M"]]["sku"]) == ("11.00", "TEE-M2")
    assert sorted(variant["stock"] for variant in variants.values()) == [4, 10, 10]


def test_a_staff_write_to_a_one_variant_product_racing_orders_loses_no_reservation(
    staff, make_user, make_product
):
    """A product's price is its one variant's: the write locks the product, then the variant,
    while orders naming the product lock the variant only."""
    mug = make_product(sku="MUG", name="Mug", price="5.00", stock=40)
    variant_id = variant_id_of(mug)
    customers = [client_for(make_user()) for _ in range(20)]
    prices = ["6.00", "7.00", "8.00"]
    staff_clients = [client_for(staff) for _ in prices]

    responses = run_concurrently(
        *[
            lambda client=client: post(client, [{"product_id": mug.pk, "quantity": 2}])
            for client in customers
        ],
        *[
            lambda client=client, price=price: client.patch(
                f"{PRODUCTS}{mug.pk}/", {"price": price}, format="json"
            )
            for client, price in zip(staff_clients, prices, strict=True)
        ],
    )

    assert [response.status_code for response in responses] == [201] * 20 + [200] * 3
    assert (stock(variant_id), live_units(variant_id)) == (0, 40)
    assert {r.json()["items"][0]["unit_price"] for r in responses[:20]} <= {"5.00", *prices}


def test_a_variant_deleted_while_orders_race_for_it_refuses_the_rest_and_breaks_nothing(
    staff, make_user, make_product
):
    """Each order locks the variant before or after the deletion does: a 201 that took stock,
    or a 400 naming the variant gone; the orders placed before can still be cancelled."""
    staff_client = client_for(staff)
    product_id, sizes = make_sized(staff_client, make_product, S=("10.00", 50), M=("10.00", 50))
    customers = [client_for(make_user()) for _ in range(20)]
    deleter = client_for(staff)

    responses = run_concurrently(
        *[
            lambda client=client: post(client, [{"variant_id": sizes["M"], "quantity": 1}])
            for client in customers
        ],
        lambda: deleter.delete(_variants_url(product_id, sizes["M"])),
    )

    orders, deletion = responses[:20], responses[20]
    assert deletion.status_code == 204
    assert set(Counter(response.status_code for response in orders)) <= {201, 400}
    refused = [response.json() for response in orders if response.status_code == 400]
    assert all(
        (body["code"], body["unavailable_variant_ids"]) == ("product_unavailable", [sizes["M"]])
        for body in refused
    )
    placed = [
        (client, r.json()["id"])
        for client, r in zip(customers, orders, strict=True)
        if r.status_code == 201
    ]
    assert live_units(sizes["M"]) == len(placed)
    for client, order_id in placed:
        assert client.post(f"{ORDERS}{order_id}/cancel/").status_code == 200
    assert live_units(sizes["M"]) == 0
    assert stock(sizes["S"]) == 50


def test_a_variant_added_while_orders_name_the_product_leaves_them_one_or_the_other(
    staff, make_user, make_product
):
    """An order by `product_id` read the product's variants before the second was added (201,
    from the first) or after (400 `variant_required`); the first's stock adds up either way."""
    mug = make_product(sku="MUG", name="Mug", price="5.00", stock=40)
    first = variant_id_of(mug)
    staff_client = client_for(staff)
    named = staff_client.patch(
        _variants_url(mug.pk, first), {"options": {"colour": "blue"}}, format="json"
    )
    assert named.status_code == 200
    customers = [client_for(make_user()) for _ in range(20)]
    second = {"sku": "MUG-RED", "options": {"colour": "red"}, "price": "5.00", "stock": 9}
    adder = client_for(staff)

    responses = run_concurrently(
        *[
            lambda client=client: post(client, [{"product_id": mug.pk, "quantity": 1}])
            for client in customers
        ],
        lambda: adder.post(_variants_url(mug.pk), second, format="json"),
    )

    orders, added = responses[:20], responses[20]
    assert added.status_code == 201
    assert set(Counter(response.status_code for response in orders)) <= {201, 400}
    assert {r.json()["code"] for r in orders if r.status_code == 400} <= {"variant_required"}
    created = [r for r in orders if r.status_code == 201]
    assert {r.json()["items"][0]["variant_id"] for r in created} <= {first}
    assert (stock(first), live_units(first)) == (40 - len(created), len(created))
    assert (stock(added.json()["id"]), live_units(added.json()["id"])) == (9, 0)
