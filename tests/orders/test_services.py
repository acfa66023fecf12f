"""orders.services: placement all or nothing, snapshots, the transition table, cancellation."""

import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.transaction import TransactionManagementError

from catalog import services as catalog_services
from catalog.exceptions import ReservationFailed
from orders import numbers, services
from orders.dtos import OrderItem, OrderSummary, PaymentDue
from orders.events import order_cancelled
from orders.exceptions import InvalidOrder, InvalidTransition, OrderNotFound, OrderNotPayable
from orders.models import Order
from tests.factories import stock_of, variant_id_of

pytestmark = pytest.mark.django_db

STATUSES = ["pending", "paid", "shipped", "delivered", "cancelled", "refunded"]
TARGETS = ["paid", "shipped", "delivered", "cancelled", "refunded"]
LEGAL = {
    ("pending", "paid"),
    ("pending", "cancelled"),
    ("paid", "shipped"),
    ("paid", "cancelled"),
    ("paid", "refunded"),
    ("shipped", "delivered"),
    ("shipped", "refunded"),
    ("delivered", "refunded"),
}


def _history(order_id: int) -> list[str]:
    return [event.status for event in Order.objects.get(pk=order_id).events.all()]


@pytest.fixture
def receiver():
    """Connect a receiver to `order_cancelled` for one test."""
    connected = []

    def connect(function):
        order_cancelled.connect(function, weak=False)
        connected.append(function)

    yield connect
    for function in connected:
        order_cancelled.disconnect(function)


# Placement


def test_placing_an_order_reserves_stock_and_records_a_pending_order(customer, make_product):
    mug = make_product(sku="MUG-1", name="Blue mug", price="12.50", stock=10)
    tea = make_product(sku="TEA-1", name="Green tea", price="3.99", stock=5)

    summary = services.place_order(
        customer_id=customer.pk,
        items=[OrderItem(product_id=mug.pk, quantity=2), OrderItem(product_id=tea.pk, quantity=3)],
        shipping_address={"name": "Casey", "city": "Lyon", "country": "FR"},
    )

    assert isinstance(summary, OrderSummary)
    assert summary.status == "pending"
    assert summary.total == Decimal("36.97")
    assert summary.currency == "USD"
    assert (stock_of(mug), stock_of(tea)) == (8, 2)
    order = Order.objects.get(pk=summary.id)
    assert order.customer_id == customer.pk
    assert order.subtotal == order.total == Decimal("36.97")
    assert order.shipping_address == {"name": "Casey", "city": "Lyon", "country": "FR"}
    assert [
        (
            line.product_id,
            line.variant_id,
            line.sku,
            line.name,
            line.variant_name,
            line.unit_price,
            line.quantity,
            line.line_total,
        )
        for line in order.lines.all()
    ] == [
        (
            mug.pk,
            variant_id_of(mug),
            "MUG-1",
            "Blue mug",
            "",
            Decimal("12.50"),
            2,
            Decimal("25.00"),
        ),
        (
            tea.pk,
            variant_id_of(tea),
            "TEA-1",
            "Green tea",
            "",
            Decimal("3.99"),
            3,
            Decimal("11.97"),
        ),
    ]
    assert [(event.status, event.note) for event in order.events.all()] == [
        ("pending", "Order placed.")
    ]


def test_totals_are_exact_decimals_not_floats(place, customer, make_product):
    dime = make_product(price="0.10")
    odd = make_product(price="19.99")

    order_id = place((dime, 3), (odd, 3))

    order = Order.objects.get(pk=order_id)
    assert [line.line_total for line in order.lines.all()] == [Decimal("0.30"), Decimal("59.97")]
    assert order.total == Decimal("60.27")


def test_an_order_gets_a_readable_unique_number(place, product):
    first, second = place((product, 1)), place((product, 1))

    numbers_ = list(Order.objects.filter(pk__in=[first, second]).values_list("number", flat=True))
    assert all(re.fullmatch(r"ORD-[0-9A-HJKMNP-TV-Z]{10}", number) for number in numbers_)
    assert numbers_[0] != numbers_[1]


def test_a_number_already_taken_is_drawn_again(place, product, monkeypatch):
    taken = Order.objects.get(pk=place((product, 1))).number
    drawn = iter([taken, "ORD-FRESH00001"])
    monkeypatch.setattr(numbers, "generate_order_number", lambda: next(drawn))

    order_id = place((product, 1))

    assert Order.objects.get(pk=order_id).number == "ORD-FRESH00001"


def test_when_no_free_number_can_be_drawn_nothing_is_placed_or_reserved(
    place, product, monkeypatch
):
    taken = Order.objects.get(pk=place((product, 1))).number
    monkeypatch.setattr(numbers, "generate_order_number", lambda: taken)

    with pytest.raises(IntegrityError):
        place((product, 2))

    assert Order.objects.count() == 1
    assert stock_of(product) == 9


def test_placement_is_all_or_nothing_when_one_product_is_short(place, make_product):
    plenty = make_product(stock=50)
    scarce = make_product(stock=1)

    with pytest.raises(ReservationFailed) as raised:
        place((plenty, 5), (scarce, 2))

    assert raised.value.code == "insufficient_stock"
    assert raised.value.status_code == 409
    assert [(shortage.product_id, shortage.variant_id) for shortage in raised.value.shortages] == [
        (scarce.pk, variant_id_of(scarce))
    ]
    assert (stock_of(plenty), stock_of(scarce)) == (50, 1)
    assert not Order.objects.exists()


def test_an_inactive_product_places_nothing(place, make_product):
    good = make_product(stock=5)
    retired = make_product(stock=5, is_active=False)

    with pytest.raises(ReservationFailed) as raised:
        place((good, 1), (retired, 1))

    assert (raised.value.status_code, raised.value.code) == (400, "product_unavailable")
    assert raised.value.unavailable == (retired.pk,)
    assert (stock_of(good), stock_of(retired)) == (5, 5)
    assert not Order.objects.exists()


def test_an_unknown_product_places_nothing(customer, make_product):
    good = make_product(stock=5)

    with pytest.raises(ReservationFailed) as raised:
        services.place_order(
            customer_id=customer.pk,
            items=[
                OrderItem(product_id=good.pk, quantity=1),
                OrderItem(product_id=987_654, quantity=1),
            ],
        )

    assert (raised.value.status_code, raised.value.code) == (400, "product_unavailable")
    assert raised.value.unavailable == (987_654,)
    assert stock_of(good) == 5
    assert not Order.objects.exists()


def test_a_total_too_large_to_record_releases_the_reservation(place, make_product):
    dear = make_product(price="9999999999.99", stock=5)

    with pytest.raises(InvalidOrder) as raised:
        place((dear, 2))

    assert raised.value.field == "items"
    assert stock_of(dear) == 5
    assert not Order.objects.exists()


def _item(**fields) -> dict:
    return {"quantity": 1, **fields}


@pytest.mark.parametrize(
    "items",
    [
        pytest.param([], id="empty"),
        pytest.param([_item(product_id="P", quantity=0)], id="quantity-0"),
        pytest.param([_item(product_id="P", quantity=1001)], id="quantity-1001"),
        pytest.param(
            [_item(product_id="P"), _item(product_id="P", quantity=2)], id="repeated-product"
        ),
        pytest.param(
            [_item(variant_id="V"), _item(variant_id="V", quantity=2)], id="repeated-variant"
        ),
        pytest.param([_item(product_id="P"), _item(variant_id="V")], id="variant-and-its-product"),
        pytest.param(
            [_item(product_id="P", quantity=600), _item(product_id=2, quantity=401)],
            id="over-1000-units",
        ),
        pytest.param(
            [_item(product_id="P")] + [_item(product_id=n) for n in range(2, 52)], id="51-lines"
        ),
        pytest.param([_item(product_id="1")], id="string-id"),
        pytest.param([_item(variant_id="1")], id="string-variant-id"),
        pytest.param([_item(product_id=True)], id="boolean-id"),
        pytest.param([_item(product_id="P", quantity=1.0)], id="float-quantity"),
        pytest.param([_item()], id="no-id"),
        pytest.param([_item(product_id="P", variant_id="V")], id="both-ids"),
        pytest.param([("P", 1)], id="a-pair-not-an-item"),
        pytest.param([7], id="not-an-item"),
        pytest.param([_item(product_id=0)], id="id-0"),
        pytest.param([_item(variant_id=0)], id="variant-id-0"),
        pytest.param([_item(product_id=2**63)], id="id-beyond-bigint"),
    ],
)
def test_invalid_items_are_refused_before_anything_is_reserved(customer, make_product, items):
    """A dict stands for an `OrderItem` of these fields, `"P"` for the id of a product with
    enough stock and `"V"` for its variant's; anything else is passed as it is."""
    product = make_product(stock=5)
    ids = {"P": product.pk, "V": variant_id_of(product)}
    items = [
        OrderItem(**{field: ids.get(value, value) for field, value in item.items()})
        if isinstance(item, dict)
        else item
        for item in items
    ]

    with pytest.raises(InvalidOrder) as raised:
        services.place_order(customer_id=customer.pk, items=items)

    assert raised.value.field == "items"
    assert stock_of(product) == 5
    assert not Order.objects.exists()


def test_a_shipping_address_must_be_an_object(customer, product):
    with pytest.raises(InvalidOrder) as raised:
        services.place_order(
            customer_id=customer.pk,
            items=[OrderItem(product_id=product.pk, quantity=1)],
            shipping_address="Lyon",
        )

    assert raised.value.field == "shipping_address"
    assert stock_of(product) == 10


# Snapshots


def test_lines_keep_the_name_and_price_after_the_product_changes(place, customer, product):
    order_id = place((product, 2))
    sku = product.sku

    catalog_services.update_product(
        product=product, data={"name": "Red mug", "sku": "MUG-RED", "price": Decimal("99.00")}
    )

    line = Order.objects.get(pk=order_id).lines.get()
    assert (line.name, line.unit_price, line.line_total) == (
        "Blue mug",
        Decimal("12.50"),
        Decimal("25.00"),
    )
    assert line.sku == sku


def test_lines_survive_the_product_being_deleted(place, customer, product):
    order_id = place((product, 2))
    product_id = product.pk

    catalog_services.delete_product(product=product)

    order = Order.objects.get(pk=order_id)
    line = order.lines.get()
    assert (line.product_id, line.name) == (product_id, "Blue mug")
    assert line.unit_price == Decimal("12.50")
    assert order.total == Decimal("25.00")


# The transition table


def _move(order_id: int, to: str, actor_id: int) -> None:
    if to == "paid":
        services.mark_paid(order_id=order_id)
    elif to == "shipped":
        services.ship_order(order_id=order_id)
    elif to == "delivered":
        services.deliver_order(order_id=order_id)
    elif to == "refunded":
        services.mark_refunded(order_id=order_id)
    else:
        services.cancel_order(order_id=order_id, actor_id=actor_id)


@pytest.mark.parametrize(
    ("current", "target"),
    sorted(LEGAL),
    ids=[f"{current}-to-{target}" for current, target in sorted(LEGAL)],
)
def test_every_legal_transition_moves_the_order_and_records_an_event(
    order_in, customer, current, target
):
    order_id = order_in(current)
    history = _history(order_id)

    _move(order_id, target, customer.pk)

    assert Order.objects.get(pk=order_id).status == target
    assert _history(order_id) == [*history, target]


ILLEGAL = [
    (current, target)
    for current in STATUSES
    for target in TARGETS
    if (current, target) not in LEGAL
]


@pytest.mark.parametrize(("current", "target"), ILLEGAL, ids=[f"{c}-to-{t}" for c, t in ILLEGAL])
def test_every_illegal_transition_is_refused_and_changes_nothing(
    order_in, customer, product, current, target
):
    order_id = order_in(current)
    history = _history(order_id)
    stock = stock_of(product)

    with pytest.raises(InvalidTransition) as raised:
        _move(order_id, target, customer.pk)

    assert (raised.value.status_code, raised.value.code) == (409, "invalid_transition")
    assert Order.objects.get(pk=order_id).status == current
    assert _history(order_id) == history
    assert stock_of(product) == stock


def test_nothing_ever_moves_an_order_back_to_pending():
    assert all("pending" not in targets for targets in services.TRANSITIONS.values())


@pytest.mark.parametrize("to", TARGETS)
def test_moving_a_missing_order_is_order_not_found(customer, to):
    with pytest.raises(OrderNotFound):
        _move(424242, to, customer.pk)


def test_the_history_records_every_status_with_a_note(place, product, customer):
    order_id = place((product, 1))
    services.mark_paid(order_id=order_id)
    services.ship_order(order_id=order_id, carrier="DHL", tracking_number="JD0001")
    services.deliver_order(order_id=order_id)

    order = Order.objects.get(pk=order_id)
    assert [(event.status, event.note) for event in order.events.all()] == [
        ("pending", "Order placed."),
        ("paid", "Payment received."),
        ("shipped", "Shipped with DHL (tracking number JD0001)."),
        ("delivered", "Delivered."),
    ]


def test_shipping_records_the_carrier_and_tracking_number(order_in):
    order_id = order_in("paid")

    services.ship_order(order_id=order_id, carrier=" UPS ", tracking_number="1Z999", note="Dock 4")

    order = Order.objects.get(pk=order_id)
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "UPS", "1Z999")
    assert order.events.last().note == "Dock 4"


def test_shipping_refuses_a_carrier_name_too_long_to_record(order_in):
    order_id = order_in("paid")

    with pytest.raises(InvalidOrder) as raised:
        services.ship_order(order_id=order_id, carrier="x" * 101)

    assert raised.value.field == "carrier"
    assert Order.objects.get(pk=order_id).status == "paid"


# Cancellation


def test_cancelling_returns_the_stock_of_every_line(place, customer, make_product):
    mug, tea = make_product(stock=10), make_product(stock=10)
    order_id = place((mug, 3), (tea, 4))

    services.cancel_order(order_id=order_id, actor_id=customer.pk)

    assert (stock_of(mug), stock_of(tea)) == (10, 10)
    assert Order.objects.get(pk=order_id).status == "cancelled"


def test_cancelling_skips_products_deleted_since(place, customer, make_product):
    kept, gone = make_product(stock=10), make_product(stock=10)
    order_id = place((kept, 3), (gone, 4))
    catalog_services.delete_product(product=gone)

    services.cancel_order(order_id=order_id, actor_id=customer.pk)

    assert stock_of(kept) == 10


def test_the_cancellation_note_says_who_cancelled(place, product, customer, staff):
    by_customer, by_staff = place((product, 1)), place((product, 1))

    services.cancel_order(order_id=by_customer, actor_id=customer.pk)
    services.cancel_order(order_id=by_staff, actor_id=staff.pk)

    notes = [Order.objects.get(pk=pk).events.last().note for pk in (by_customer, by_staff)]
    assert notes == ["Cancelled by the customer.", "Cancelled by the shop."]


def test_order_cancelled_is_sent_after_the_stock_is_back_inside_the_transaction(
    order_in, product, receiver
):
    order_id = order_in("paid")
    seen = []

    def on_cancelled(sender, order_id, **kwargs):
        seen.append(
            (
                order_id,
                Order.objects.get(pk=order_id).status,
                stock_of(product),
                transaction.get_connection().in_atomic_block,
            )
        )

    receiver(on_cancelled)

    services.cancel_order(order_id=order_id, actor_id=0)

    assert seen == [(order_id, "cancelled", 10, True)]


def test_a_failing_receiver_rolls_the_cancellation_back(order_in, customer, product, receiver):
    order_id = order_in("paid")

    def refund_fails(sender, order_id, **kwargs):
        raise RuntimeError("the refund failed")

    receiver(refund_fails)

    with pytest.raises(RuntimeError):
        services.cancel_order(order_id=order_id, actor_id=customer.pk)

    assert Order.objects.get(pk=order_id).status == "paid"
    assert _history(order_id) == ["pending", "paid"]
    assert stock_of(product) == 9


# What payments uses


def test_locking_a_pending_order_for_payment_returns_what_is_due(place, customer, product):
    order_id = place((product, 2))

    due = services.lock_order_for_payment(order_id=order_id, customer_id=customer.pk)

    order = Order.objects.get(pk=order_id)
    assert due == PaymentDue(
        order_id=order_id,
        order_number=order.number,
        customer_id=customer.pk,
        amount=Decimal("25.00"),
        currency="USD",
        status="pending",
    )


def test_another_customers_order_cannot_be_locked_for_payment(place, product, other_customer):
    order_id = place((product, 1))

    with pytest.raises(OrderNotFound):
        services.lock_order_for_payment(order_id=order_id, customer_id=other_customer.pk)


def test_a_missing_order_cannot_be_locked_for_payment(customer):
    with pytest.raises(OrderNotFound):
        services.lock_order_for_payment(order_id=424242, customer_id=customer.pk)


@pytest.mark.parametrize("status", STATUSES[1:])
def test_only_a_pending_order_is_payable(order_in, customer, status):
    order_id = order_in(status)

    with pytest.raises(OrderNotPayable) as raised:
        services.lock_order_for_payment(order_id=order_id, customer_id=customer.pk)

    assert (raised.value.status_code, raised.value.code) == (409, "order_not_payable")


def test_the_customer_id_is_read_without_a_lock(order_in, customer):
    order_id = order_in("shipped")

    assert services.get_order_customer_id(order_id=order_id) == customer.pk


def test_reading_a_missing_order_is_order_not_found():
    with pytest.raises(OrderNotFound):
        services.get_order_customer_id(order_id=424242)


@pytest.mark.django_db(transaction=True)
def test_locking_an_order_outside_a_transaction_is_refused(place, customer, product):
    order_id = place((product, 1))

    with pytest.raises(TransactionManagementError):
        services.lock_order_for_payment(order_id=order_id, customer_id=customer.pk)
