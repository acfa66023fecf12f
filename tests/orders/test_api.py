"""The orders API: every endpoint, its statuses, fields and permissions."""

from decimal import Decimal

import pytest
from django.test import Client

from catalog import services as catalog_services
from kernel.api.throttling import ScopedRateThrottle
from orders.models import Order
from orders.serializers import OrderSerializer
from tests.factories import order_status, stock_of, variant_id_of

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
# The documented shape (the schema is generated from `OrderSerializer`), which every
# response renders in full.
ORDER_FIELDS = set(OrderSerializer().fields)


def _url(order_id: int, action: str = "") -> str:
    return f"{ORDERS}{order_id}/" + (f"{action}/" if action else "")


# Placing an order


def test_placing_an_order_is_201_with_the_full_pending_order(
    customer_client, customer, make_product
):
    mug = make_product(sku="MUG-1", name="Blue mug", price="12.50", stock=10)
    tea = make_product(sku="TEA-1", name="Green tea", price="3.99", stock=5)

    response = customer_client.post(
        ORDERS,
        {"items": [{"product_id": mug.pk, "quantity": 2}, {"product_id": tea.pk, "quantity": 3}]},
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == ORDER_FIELDS
    assert body["status"] == "pending"
    assert body["number"].startswith("ORD-")
    assert body["customer_id"] == customer.pk
    assert body["items"] == [
        {
            "product_id": mug.pk,
            "variant_id": variant_id_of(mug),
            "sku": "MUG-1",
            "name": "Blue mug",
            "variant_name": "",
            "unit_price": "12.50",
            "quantity": 2,
            "line_total": "25.00",
        },
        {
            "product_id": tea.pk,
            "variant_id": variant_id_of(tea),
            "sku": "TEA-1",
            "name": "Green tea",
            "variant_name": "",
            "unit_price": "3.99",
            "quantity": 3,
            "line_total": "11.97",
        },
    ]
    assert (body["subtotal"], body["total"], body["currency"]) == ("36.97", "36.97", "USD")
    assert body["shipping_address"] is None
    assert [(e["status"], e["note"]) for e in body["events"]] == [("pending", "Order placed.")]
    assert (stock_of(mug), stock_of(tea)) == (8, 2)
    assert Order.objects.get().pk == body["id"]


def test_a_shipping_address_is_stored_with_every_field_and_the_country_upper_cased(
    customer_client, product
):
    response = customer_client.post(
        ORDERS,
        {
            "items": [{"product_id": product.pk, "quantity": 1}],
            "shipping_address": {
                "name": "Casey",
                "line1": "1 Rue Neuve",
                "city": "Lyon",
                "postal_code": "69001",
                "country": "fr",
            },
        },
    )

    assert response.status_code == 201
    assert response.json()["shipping_address"] == {
        "name": "Casey",
        "line1": "1 Rue Neuve",
        "line2": "",
        "city": "Lyon",
        "region": "",
        "postal_code": "69001",
        "country": "FR",
        "phone": "",
    }


def test_a_null_shipping_address_is_accepted(customer_client, product):
    response = customer_client.post(
        ORDERS, {"items": [{"product_id": product.pk, "quantity": 1}], "shipping_address": None}
    )

    assert response.status_code == 201
    assert response.json()["shipping_address"] is None


@pytest.mark.parametrize(
    ("address", "field"),
    [
        pytest.param({"street": "1 Main St"}, "street", id="unknown-key"),
        pytest.param({"name": "x" * 201}, "name", id="name-too-long"),
        pytest.param({"postal_code": "1" * 21}, "postal_code", id="postal-code-too-long"),
        pytest.param({"country": "XX"}, "country", id="unknown-country"),
        pytest.param({"country": "FRA"}, "country", id="alpha-3-country"),
        pytest.param({"city": 12}, "city", id="number-as-city"),
        pytest.param({"line1": "1 Main St\n<script>"}, "line1", id="control-character"),
    ],
)
def test_a_malformed_shipping_address_is_400(customer_client, product, address, field):
    response = customer_client.post(
        ORDERS, {"items": [{"product_id": product.pk, "quantity": 1}], "shipping_address": address}
    )

    assert response.status_code == 400
    assert field in response.json()["shipping_address"]
    assert stock_of(product) == 10


@pytest.mark.parametrize("address", ["1 Main St", ["1 Main St"], 7])
def test_a_shipping_address_that_is_not_an_object_is_400(customer_client, product, address):
    response = customer_client.post(
        ORDERS, {"items": [{"product_id": product.pk, "quantity": 1}], "shipping_address": address}
    )

    assert response.status_code == 400
    assert "shipping_address" in response.json()
    assert not Order.objects.exists()


P = "product"  # stands for the id of a product with enough stock


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no-items"),
        pytest.param({"items": []}, id="empty-list"),
        pytest.param({"items": None}, id="null-items"),
        pytest.param({"items": {"product_id": P, "quantity": 1}}, id="items-not-a-list"),
        pytest.param({"items": [{"product_id": P, "quantity": 0}]}, id="quantity-0"),
        pytest.param({"items": [{"product_id": P, "quantity": -1}]}, id="negative-quantity"),
        pytest.param({"items": [{"product_id": P, "quantity": 1001}]}, id="quantity-1001"),
        pytest.param(
            {"items": [{"product_id": P, "quantity": 1}, {"product_id": P, "quantity": 2}]},
            id="repeated-product",
        ),
        pytest.param({"items": [{"product_id": P}]}, id="missing-quantity"),
        pytest.param({"items": [{"quantity": 1}]}, id="missing-product"),
        pytest.param({"items": [{"product_id": P, "quantity": "2"}]}, id="quantity-as-string"),
        pytest.param({"items": [{"product_id": "abc", "quantity": 1}]}, id="id-as-text"),
        pytest.param({"items": [{"product_id": P, "quantity": 1.5}]}, id="fractional-quantity"),
        pytest.param({"items": [{"product_id": P, "quantity": True}]}, id="boolean-quantity"),
        pytest.param({"items": [{"product_id": P, "quantity": None}]}, id="null-quantity"),
        pytest.param({"items": [{"product_id": 10**30, "quantity": 1}]}, id="huge-id"),
        pytest.param({"items": [{"product_id": P, "quantity": 10**30}]}, id="huge-quantity"),
        pytest.param({"items": [{"product_id": 0, "quantity": 1}]}, id="id-0"),
        pytest.param(
            {"items": [{"product_id": P, "quantity": 1, "price": "0.01"}]}, id="extra-key"
        ),
        pytest.param(
            {"items": [{"product_id": P, "quantity": 1}], "total": "1.00"}, id="extra-top"
        ),
        pytest.param({"items": ["nonsense"]}, id="item-not-an-object"),
        pytest.param(
            {"items": [{"product_id": n, "quantity": 1} for n in range(1, 52)]}, id="51-lines"
        ),
    ],
)
def test_a_malformed_order_is_400_and_reserves_nothing(customer_client, product, body):
    def substitute(value):
        if value == P:
            return product.pk
        if isinstance(value, dict):
            return {key: substitute(item) for key, item in value.items()}
        if isinstance(value, list):
            return [substitute(item) for item in value]
        return value

    response = customer_client.post(ORDERS, substitute(body))

    assert response.status_code == 400
    assert isinstance(response.json(), dict)
    assert stock_of(product) == 10
    assert not Order.objects.exists()


def test_more_than_1000_units_in_all_is_400(customer_client, make_product):
    a, b = make_product(stock=2000), make_product(stock=2000)

    response = customer_client.post(
        ORDERS,
        {"items": [{"product_id": a.pk, "quantity": 600}, {"product_id": b.pk, "quantity": 401}]},
    )

    assert response.status_code == 400
    assert "1000 units" in response.json()["items"][0]
    assert (stock_of(a), stock_of(b)) == (2000, 2000)


def test_a_body_that_is_not_an_object_is_400(customer_client):
    response = customer_client.post(ORDERS, [{"product_id": 1, "quantity": 1}])

    assert response.status_code == 400


def test_malformed_json_is_400(customer_client):
    response = customer_client.generic("POST", ORDERS, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_insufficient_stock_is_409_naming_the_product_and_reserves_nothing(
    customer_client, make_product
):
    plenty = make_product(stock=50)
    scarce = make_product(stock=1)

    response = customer_client.post(
        ORDERS,
        {
            "items": [
                {"product_id": plenty.pk, "quantity": 5},
                {"product_id": scarce.pk, "quantity": 2},
            ]
        },
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert str(scarce.pk) in body["detail"]
    assert body["shortages"] == [
        {
            "product_id": scarce.pk,
            "variant_id": variant_id_of(scarce),
            "requested": 2,
            "available": 1,
        }
    ]
    assert (stock_of(plenty), stock_of(scarce)) == (50, 1)
    assert not Order.objects.exists()


def test_an_unknown_or_inactive_product_is_400_and_reserves_nothing(customer_client, make_product):
    good = make_product(stock=5)
    retired = make_product(stock=5, is_active=False)

    response = customer_client.post(
        ORDERS,
        {
            "items": [
                {"product_id": good.pk, "quantity": 1},
                {"product_id": retired.pk, "quantity": 1},
                {"product_id": 987_654, "quantity": 1},
            ]
        },
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "product_unavailable"
    assert body["unavailable_product_ids"] == [retired.pk, 987_654]
    assert (stock_of(good), stock_of(retired)) == (5, 5)
    assert not Order.objects.exists()


def test_placing_an_order_needs_authentication(anon_client, product):
    response = anon_client.post(ORDERS, {"items": [{"product_id": product.pk, "quantity": 1}]})

    assert response.status_code == 401
    assert stock_of(product) == 10


def test_placing_orders_is_throttled_with_retry_after(customer_client, product, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"order_placement": "2/min"})
    body = {"items": [{"product_id": product.pk, "quantity": 1}]}

    statuses = [customer_client.post(ORDERS, body).status_code for _ in range(3)]
    throttled = customer_client.post(ORDERS, body)

    assert statuses == [201, 201, 429]
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["code"] == "throttled"
    assert stock_of(product) == 8
    assert customer_client.get(ORDERS).status_code == 200


# Reading orders


def test_the_list_shows_only_your_orders_newest_first(
    customer_client, customer, other_customer, place, product
):
    first = place((product, 1))
    second = place((product, 1))
    place((product, 1), customer=other_customer)

    response = customer_client.get(ORDERS)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert [order["id"] for order in body["results"]] == [second, first]
    assert set(body["results"][0]) == ORDER_FIELDS


def test_staff_see_everyones_orders(staff_client, customer, other_customer, place, product):
    mine = place((product, 1))
    theirs = place((product, 1), customer=other_customer)

    response = staff_client.get(ORDERS)

    assert [order["id"] for order in response.json()["results"]] == [theirs, mine]


def test_the_list_filters_by_status(customer_client, order_in):
    order_in("pending")
    paid = order_in("paid")
    order_in("cancelled")

    response = customer_client.get(ORDERS, {"status": "paid"})

    assert response.status_code == 200
    assert [order["id"] for order in response.json()["results"]] == [paid]


def test_an_empty_status_filter_lists_every_status(customer_client, order_in):
    order_in("pending")
    order_in("paid")

    response = customer_client.get(ORDERS, {"status": ""})

    assert response.json()["count"] == 2


@pytest.mark.parametrize("params", [{"status": "lost"}, {"status": "PAID"}, {"page": "x"}])
def test_a_malformed_list_parameter_is_400(customer_client, params):
    response = customer_client.get(ORDERS, params)

    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_the_list_is_paginated(customer_client, place, product):
    ids = [place((product, 1)) for _ in range(3)]

    response = customer_client.get(ORDERS, {"page_size": 2, "page": 2})

    body = response.json()
    assert body["count"] == 3
    assert [order["id"] for order in body["results"]] == [ids[0]]
    assert body["previous"] is not None


def test_the_owner_reads_an_order_with_its_history(customer_client, order_in):
    order_id = order_in("shipped")

    response = customer_client.get(_url(order_id))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ORDER_FIELDS
    assert (body["status"], body["carrier"], body["tracking_number"]) == (
        "shipped",
        "DHL",
        "JD0001",
    )
    assert [event["status"] for event in body["events"]] == ["pending", "paid", "shipped"]
    assert all(set(event) == {"status", "note", "created_at"} for event in body["events"])


def test_a_line_keeps_the_name_and_price_the_product_had_when_ordered(
    customer_client, place, product
):
    order_id = place((product, 2))
    catalog_services.update_product(
        product=product, data={"name": "Red mug", "price": Decimal("99.00")}
    )

    item = customer_client.get(_url(order_id)).json()["items"][0]

    assert (item["name"], item["unit_price"], item["line_total"]) == ("Blue mug", "12.50", "25.00")


def test_a_line_survives_the_product_being_deleted(customer_client, place, product):
    order_id = place((product, 2))
    catalog_services.delete_product(product=product)

    response = customer_client.get(_url(order_id))

    assert response.status_code == 200
    assert response.json()["items"][0]["name"] == "Blue mug"


def test_another_customers_order_is_404(other_client, place, product):
    order_id = place((product, 1))

    response = other_client.get(_url(order_id))

    assert response.status_code == 404
    assert response.json() == {"detail": "No such order.", "code": "not_found"}


def test_staff_read_any_order(staff_client, place, product):
    order_id = place((product, 1))

    assert staff_client.get(_url(order_id)).status_code == 200


@pytest.mark.parametrize("order_id", ["424242", "abc", "99999999999999999999999999", "-1"])
def test_a_missing_or_malformed_order_id_is_404(customer_client, order_id):
    response = customer_client.get(f"{ORDERS}{order_id}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_reading_orders_needs_authentication(anon_client, place, product):
    order_id = place((product, 1))

    assert anon_client.get(ORDERS).status_code == 401
    assert anon_client.get(_url(order_id)).status_code == 401


# Cancelling


@pytest.mark.parametrize("status", ["pending", "paid"])
def test_the_owner_cancels_and_the_stock_comes_back(customer_client, order_in, product, status):
    order_id = order_in(status)

    response = customer_client.post(_url(order_id, "cancel"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["events"][-1]["status"] == "cancelled"
    assert stock_of(product) == 10


def test_staff_cancel_any_order(staff_client, order_in, product):
    order_id = order_in("pending")

    response = staff_client.post(_url(order_id, "cancel"))

    assert response.status_code == 200
    assert response.json()["events"][-1]["note"] == "Cancelled by the shop."
    assert stock_of(product) == 10


def test_another_customer_cannot_cancel_and_gets_404(other_client, order_in, product):
    order_id = order_in("pending")

    response = other_client.post(_url(order_id, "cancel"))

    assert response.status_code == 404
    assert Order.objects.get(pk=order_id).status == "pending"
    assert stock_of(product) == 9


@pytest.mark.parametrize("status", ["shipped", "delivered", "cancelled"])
def test_cancelling_from_a_later_status_is_409(customer_client, order_in, product, status):
    order_id = order_in(status)
    stock = stock_of(product)

    response = customer_client.post(_url(order_id, "cancel"))

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert Order.objects.get(pk=order_id).status == status
    assert stock_of(product) == stock


def test_cancelling_needs_authentication(anon_client, order_in):
    order_id = order_in("pending")

    assert anon_client.post(_url(order_id, "cancel")).status_code == 401
    assert Order.objects.get(pk=order_id).status == "pending"


# Shipping and delivering (staff)


def test_staff_ship_a_paid_order_with_carrier_and_tracking_number(staff_client, order_in):
    order_id = order_in("paid")

    response = staff_client.post(
        _url(order_id, "ship"), {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["carrier"], body["tracking_number"]) == (
        "shipped",
        "UPS",
        "1Z999AA10123456784",
    )
    assert body["events"][-1] == {
        "status": "shipped",
        "note": "Shipped with UPS (tracking number 1Z999AA10123456784).",
        "created_at": body["events"][-1]["created_at"],
    }


def test_staff_ship_without_a_body(staff_client, order_in):
    order_id = order_in("paid")

    response = staff_client.post(_url(order_id, "ship"))

    assert response.status_code == 200
    assert response.json()["status"] == "shipped"


@pytest.mark.parametrize(
    "body",
    [
        {"carrier": "x" * 101},
        {"tracking_number": "1" * 101},
        {"tracking_number": 12345},
        {"carrier": "UPS", "eta": "tomorrow"},
    ],
)
def test_a_malformed_shipment_is_400(staff_client, order_in, body):
    order_id = order_in("paid")

    response = staff_client.post(_url(order_id, "ship"), body)

    assert response.status_code == 400
    assert Order.objects.get(pk=order_id).status == "paid"


@pytest.mark.parametrize("status", ["pending", "shipped", "delivered", "cancelled"])
def test_shipping_from_anything_but_paid_is_409(staff_client, order_in, status):
    order_id = order_in(status)

    response = staff_client.post(_url(order_id, "ship"))

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_staff_deliver_a_shipped_order(staff_client, order_in):
    order_id = order_in("shipped")

    response = staff_client.post(_url(order_id, "deliver"))

    assert response.status_code == 200
    assert response.json()["status"] == "delivered"
    assert [e["status"] for e in response.json()["events"]] == [
        "pending",
        "paid",
        "shipped",
        "delivered",
    ]


@pytest.mark.parametrize("status", ["pending", "paid", "delivered", "cancelled"])
def test_delivering_from_anything_but_shipped_is_409(staff_client, order_in, status):
    order_id = order_in(status)

    response = staff_client.post(_url(order_id, "deliver"))

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


@pytest.mark.parametrize(("action", "status"), [("ship", "paid"), ("deliver", "shipped")])
def test_staff_actions_on_a_missing_order_are_404(staff_client, action, status):
    response = staff_client.post(_url(424242, action))

    assert response.status_code == 404


@pytest.mark.parametrize(("action", "status"), [("ship", "paid"), ("deliver", "shipped")])
def test_a_customer_may_not_ship_or_deliver_even_their_own_order(
    customer_client, other_client, order_in, action, status
):
    order_id = order_in(status)

    own = customer_client.post(_url(order_id, action))
    others = other_client.post(_url(order_id, action))
    missing = customer_client.post(_url(424242, action))

    assert own.status_code == others.status_code == missing.status_code == 403
    assert own.json()["code"] == "permission_denied"
    assert Order.objects.get(pk=order_id).status == status


@pytest.mark.parametrize("action", ["ship", "deliver"])
def test_staff_actions_need_authentication(anon_client, order_in, action):
    order_id = order_in("paid")

    assert anon_client.post(_url(order_id, action)).status_code == 401


def test_the_order_endpoints_refuse_other_methods(customer_client, staff_client, order_in):
    order_id = order_in("pending")

    assert customer_client.delete(_url(order_id)).status_code == 405
    assert staff_client.patch(_url(order_id), {"status": "paid"}).status_code == 405
    assert customer_client.get(_url(order_id, "cancel")).status_code == 405
    assert order_status(order_id) == "pending"


def test_the_schema_documents_the_idempotency_key_and_the_error_responses(anon_client):
    schema = anon_client.get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()

    place = schema["paths"]["/api/v1/orders/"]["post"]
    assert {"in": "header", "name": "Idempotency-Key"}.items() <= place["parameters"][0].items()
    # 403 (CSRF with a session), 413, 415 and 503 come from the shared plumbing.
    assert set(place["responses"]) == {
        "201",
        "400",
        "401",
        "403",
        "409",
        "413",
        "415",
        "422",
        "429",
        "503",
    }
    ship = schema["paths"]["/api/v1/orders/{id}/ship/"]["post"]
    assert set(ship["responses"]) == {"200", "400", "401", "403", "404", "409", "413", "415", "503"}
    listing = schema["paths"]["/api/v1/orders/"]["get"]
    assert "status" in {parameter["name"] for parameter in listing["parameters"]}


@pytest.mark.parametrize("as_staff", [False, True])
def test_the_browsable_api_renders_every_order_page(customer, staff, order_in, as_staff):
    order_id = order_in("paid")
    client = Client()
    client.force_login(staff if as_staff else customer)

    pages = {
        ORDERS: 200,
        f"{ORDERS}?status=paid": 200,
        f"{ORDERS}?status=lost": 400,
        _url(order_id): 200,
        _url(order_id, "cancel"): 405,
        # A GET names no action, so no permission: the route takes POST only, for anyone.
        _url(order_id, "ship"): 405,
    }
    for url, expected in pages.items():
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert (url, response.status_code) == (url, expected)
        assert response["Content-Type"].startswith("text/html")
