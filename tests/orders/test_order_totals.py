"""An order's email and totals: `total = subtotal − discount_total + shipping_total + tax_total`.

Orders computes the subtotal from the prices it reserves at; the caller above (the checkout)
prices the rest (`orders.dtos.OrderPricing`) and may name the unit prices it showed, so a price
that changed meanwhile is a 409 `price_changed`. Any refusal reserves nothing. Without pricing
an order has no discount, shipping or tax, and its email is its customer's.
"""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from kernel import consumers
from kernel.money import format_money
from orders import services
from orders.dtos import OrderItem, OrderPricing, ShippingMethodSnapshot
from orders.exceptions import InvalidOrder, PriceChanged
from orders.models import Order
from tests.conftest import client_for
from tests.emails import recorded_events
from tests.factories import ADDRESS, stock_of, variant_id_of

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
PRODUCTS = "/api/v1/products/"
NEW_KEYS = (
    "email",
    "discount_total",
    "shipping_total",
    "tax_total",
    "shipping_method",
    "voucher_code",
)
STANDARD = ShippingMethodSnapshot(code="standard", name="Standard parcel", price=Decimal("4.90"))
# Two mugs at 12.50: 25.00, less 5.00 (voucher SAVE5), plus 4.90 shipping, plus 19% tax of
# 24.90 (4.73): 29.63.
PRICED = OrderPricing(
    subtotal=Decimal("25.00"),
    discount_total=Decimal("5.00"),
    shipping_total=Decimal("4.90"),
    tax_total=Decimal("4.73"),
    total=Decimal("29.63"),
    shipping_method=STANDARD,
    voucher_code="SAVE5",
)


def _read(user, order_id: int) -> dict:
    response = client_for(user).get(f"{ORDERS}{order_id}/")
    assert response.status_code == 200
    return response.json()


def _place(customer, product, **kwargs) -> int:
    return services.place_order(
        customer_id=customer.pk,
        items=[OrderItem(variant_id=variant_id_of(product), quantity=2)],
        shipping_address=kwargs.pop("shipping_address", ADDRESS),
        **kwargs,
    ).id


def _order_count(staff) -> int:
    return client_for(staff).get(ORDERS).json()["count"]


# Defaults


def test_an_order_placed_through_the_api_has_no_discount_shipping_or_tax_and_its_customers_email(
    customer, customer_client, product
):
    response = customer_client.post(
        ORDERS,
        {"items": [{"product_id": product.pk, "quantity": 2}], "shipping_address": ADDRESS},
        format="json",
    )

    assert response.status_code == 201
    order = response.json()
    assert {key: order[key] for key in NEW_KEYS} == {
        "email": customer.email,
        "discount_total": "0.00",
        "shipping_total": "0.00",
        "tax_total": "0.00",
        "shipping_method": None,
        "voucher_code": None,
    }
    assert order["subtotal"] == order["total"] == "25.00"
    assert _read(customer, order["id"]) == order


def test_the_service_takes_the_customers_email_unless_given_one(customer, product):
    default = _place(customer, product)
    given = _place(customer, product, email="  Gift.Buyer@Example.COM ")

    assert _read(customer, default)["email"] == customer.email
    assert _read(customer, given)["email"] == "gift.buyer@example.com"


@pytest.mark.parametrize("email", ["", "not-an-email", "a@" + "b" * 250 + ".com", 5])
def test_an_invalid_email_is_refused_and_nothing_is_reserved(customer, staff, product, email):
    with pytest.raises(InvalidOrder) as refused:
        _place(customer, product, email=email)

    assert refused.value.field == "email"
    assert stock_of(product) == 10
    assert _order_count(staff) == 0


def test_the_order_email_goes_to_the_orders_email(customer, product):
    order_id = _place(customer, product, email="gift.buyer@example.com")

    (placed,) = recorded_events("order.placed", order_id)
    assert consumers.consume(consumer="orders.emails", event=placed) is True

    (message,) = mail.outbox
    assert message.to == ["gift.buyer@example.com"]


# A priced order


def test_a_priced_order_keeps_its_totals_method_and_voucher(customer, product):
    order_id = _place(customer, product, pricing=PRICED)

    order = _read(customer, order_id)
    assert {key: order[key] for key in (*NEW_KEYS, "subtotal", "total")} == {
        "email": customer.email,
        "subtotal": "25.00",
        "discount_total": "5.00",
        "shipping_total": "4.90",
        "tax_total": "4.73",
        "total": "29.63",
        "shipping_method": {"code": "standard", "name": "Standard parcel", "price": "4.90"},
        "voucher_code": "SAVE5",
    }
    money = {key: Decimal(order[key]) for key in ("subtotal", "discount_total", "shipping_total")}
    assert money["subtotal"] - money["discount_total"] + money["shipping_total"] + Decimal(
        order["tax_total"]
    ) == Decimal(order["total"])
    assert stock_of(product) == 8


def test_the_payment_due_is_the_priced_total(customer, product):
    order_id = _place(customer, product, pricing=PRICED)

    with transaction.atomic():
        due = services.lock_order_for_payment(order_id=order_id, customer_id=customer.pk)

    assert due.amount == Decimal("29.63")


def test_free_shipping_is_a_method_at_zero(customer, product):
    free = replace(STANDARD, price=Decimal("0.00"))
    pricing = replace(
        PRICED,
        shipping_method=free,
        shipping_total=Decimal("0.00"),
        tax_total=Decimal("3.80"),
        total=Decimal("23.80"),
    )

    order = _read(customer, _place(customer, product, pricing=pricing))

    assert order["shipping_method"] == {
        "code": "standard",
        "name": "Standard parcel",
        "price": "0.00",
    }
    assert (order["shipping_total"], order["total"]) == ("0.00", "23.80")


# Inconsistent pricing

NO_VOUCHER = {"discount_total": Decimal("0.00"), "voucher_code": None, "total": Decimal("34.63")}
INCONSISTENT = {
    "total-does-not-add-up": {"total": Decimal("29.64")},
    "subtotal-not-the-orders": {"subtotal": Decimal("24.00"), "total": Decimal("28.63")},
    "discount-over-subtotal": {"discount_total": Decimal("25.01"), "total": Decimal("9.62")},
    "negative-tax": {"tax_total": Decimal("-1.00"), "total": Decimal("23.90")},
    "not-whole-cents": {"tax_total": Decimal("4.735"), "total": Decimal("29.635")},
    "not-a-decimal": {"tax_total": 4.73},
    "over-the-maximum": {
        "tax_total": services.MAX_AMOUNT,
        "total": Decimal("24.90") + services.MAX_AMOUNT,
    },
    "discount-without-voucher": {"voucher_code": None},
    "blank-voucher": {"voucher_code": " "},
    "shipping-without-method": {"shipping_method": None},
    "shipping-not-the-methods-price": {"shipping_method": replace(STANDARD, price=Decimal("5.00"))},
    "method-without-code": {"shipping_method": replace(STANDARD, code="")},
    "not-a-method": {"shipping_method": {"code": "standard", "name": "x", "price": "4.90"}},
}


@pytest.mark.parametrize("changes", INCONSISTENT.values(), ids=INCONSISTENT.keys())
def test_inconsistent_pricing_is_refused_and_nothing_is_reserved(customer, staff, product, changes):
    with pytest.raises(InvalidOrder) as refused:
        _place(customer, product, pricing=replace(PRICED, **changes))

    assert refused.value.field == "pricing"
    assert stock_of(product) == 10
    assert _order_count(staff) == 0


def test_without_an_address_there_is_no_shipping_or_tax(customer, staff, product):
    with pytest.raises(InvalidOrder) as refused:
        _place(customer, product, pricing=PRICED, shipping_address=None)

    assert refused.value.field == "pricing"
    assert _order_count(staff) == 0
    # A discount alone needs no address.
    discounted = replace(
        PRICED,
        shipping_method=None,
        shipping_total=Decimal("0.00"),
        tax_total=Decimal("0.00"),
        total=Decimal("20.00"),
    )
    order = _read(customer, _place(customer, product, pricing=discounted, shipping_address=None))
    assert (order["total"], order["shipping_method"], order["voucher_code"]) == (
        "20.00",
        None,
        "SAVE5",
    )


def test_the_database_refuses_an_order_whose_total_does_not_add_up(customer, product):
    order_id = _place(customer, product, pricing=PRICED)

    for change in (
        {"total": Decimal("29.62")},
        {"discount_total": Decimal("25.01")},
        {"shipping_total": Decimal("5.00")},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Order.objects.filter(pk=order_id).update(**change)


# A price changed between the caller's read and the reservation


def _set_price(staff, product, price: str) -> None:
    variant_id = variant_id_of(product)
    response = client_for(staff).patch(
        f"{PRODUCTS}{product.pk}/variants/{variant_id}/", {"price": price}, format="json"
    )
    assert response.status_code == 200


def test_a_price_changed_since_it_was_shown_is_a_409_and_nothing_is_reserved(
    customer, staff, product, make_product
):
    tea = make_product(price="3.00", stock=10)
    shown = {variant_id_of(product): Decimal("12.50"), variant_id_of(tea): Decimal("3.00")}
    _set_price(staff, product, "13.00")

    with pytest.raises(PriceChanged) as refused:
        services.place_order(
            customer_id=customer.pk,
            items=[
                OrderItem(variant_id=variant_id_of(tea), quantity=1),
                OrderItem(product_id=product.pk, quantity=2),
            ],
            expected_unit_prices=shown,
        )

    error = refused.value
    assert (error.status_code, error.code) == (409, "price_changed")
    assert error.extra == {"variant_ids": [variant_id_of(product)]}
    assert (stock_of(product), stock_of(tea)) == (10, 10)
    assert _order_count(staff) == 0


def test_the_prices_shown_place_the_order(customer, product):
    order_id = _place(
        customer,
        product,
        pricing=PRICED,
        expected_unit_prices={variant_id_of(product): Decimal("12.5")},
    )

    assert _read(customer, order_id)["total"] == "29.63"


@pytest.mark.parametrize(
    "prices",
    [{}, {"other": Decimal("12.50")}, "12.50", {1: Decimal("-1.00")}],
    ids=["missing-variant", "not-an-id", "not-a-mapping", "negative"],
)
def test_expected_prices_must_name_every_variant_ordered(customer, staff, product, prices):
    with pytest.raises(InvalidOrder) as refused:
        _place(customer, product, expected_unit_prices=prices)

    assert refused.value.field == "expected_unit_prices"
    assert stock_of(product) == 10
    assert _order_count(staff) == 0


def test_an_expected_price_for_a_variant_not_ordered_is_refused(customer, product, make_product):
    other = make_product()

    with pytest.raises(InvalidOrder):
        _place(
            customer,
            product,
            expected_unit_prices={
                variant_id_of(product): Decimal("12.50"),
                variant_id_of(other): Decimal("10.00"),
            },
        )

    assert stock_of(product) == 10


# The events and the admin


def test_the_events_data_carries_the_totals_as_staff_read_them(customer, staff, product):
    order_id = _place(customer, product, pricing=PRICED)

    (placed,) = recorded_events("order.placed", order_id)
    staff_view = _read(staff, order_id)

    assert {key: placed.data[key] for key in (*NEW_KEYS, "total")} == {
        key: staff_view[key] for key in (*NEW_KEYS, "total")
    }
    assert placed.data["shipping_method"]["price"] == "4.90"

    services.cancel_order(order_id=order_id, actor_id=customer.pk)
    (cancelled,) = recorded_events("order.cancelled", order_id)
    assert cancelled.data["voucher_code"] == "SAVE5"
    assert cancelled.data["total"] == "29.63"


def test_the_admin_page_shows_the_new_fields_read_only(customer, make_user, product):
    order_id = _place(customer, product, pricing=PRICED)
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:orders_order_change", args=[order_id]))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (customer.email, "SAVE5", "Standard parcel (standard): 4.90", "4.73", "29.63"):
        assert text in html
    form = response.context["adminform"].form
    for field in NEW_KEYS:
        assert field not in form.fields


# The migration

BEFORE, TOTALS = ("orders", "0005_line_variants"), ("orders", "0006_totals")


@pytest.fixture
def orders_before_totals(transactional_db):
    """The schema as it was before the totals; put back to the latest migrations afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    yield executor.loader.project_state([BEFORE]).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_old_orders_get_zero_totals_no_method_or_voucher_and_their_customers_email(
    orders_before_totals, customer, other_customer
):
    Order = orders_before_totals.get_model("orders", "Order")
    fields = {"subtotal": Decimal("21.00"), "total": Decimal("21.00"), "currency": "USD"}
    old = [
        Order.objects.create(number=f"OLD-{n}", status="paid", customer_id=user.pk, **fields).pk
        for n, user in enumerate([customer, other_customer])
    ]

    executor = MigrationExecutor(connection)
    executor.migrate([TOTALS])
    Order = executor.loader.project_state([TOTALS]).apps.get_model("orders", "Order")

    migrated = Order.objects.filter(pk__in=old).order_by("pk")
    assert [
        (
            order.email,
            format_money(order.subtotal),
            format_money(order.discount_total),
            format_money(order.shipping_total),
            format_money(order.tax_total),
            format_money(order.total),
            order.shipping_method_code,
            order.shipping_method_price,
            order.voucher_code,
        )
        for order in migrated
    ] == [
        (user.email, "21.00", "0.00", "0.00", "0.00", "21.00", None, None, None)
        for user in (customer, other_customer)
    ]
