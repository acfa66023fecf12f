"""`POST carts/{id}/checkout/`: the cart becomes a pending order at the totals it showed, its
stock reserved and its voucher's use counted, or nothing changes (docs/API.md, "Carts and
checkout")."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog import services as catalog_services
from checkout import selectors, services
from checkout.consumers import give_the_voucher_use_back
from checkout.models import VoucherUse
from kernel import consumers
from orders import services as order_services
from orders.models import Order
from tests.checkout.carts import CARTS, add_line, new_cart
from tests.checkout.checkouts import (
    ADDRESS,
    check_out,
    ready_cart,
    shop_setup,
    stock,
    used_count,
)
from tests.emails import recorded_events

pytestmark = pytest.mark.django_db

TOTALS = ("subtotal", "discount_total", "shipping_total", "tax_total", "total")


@pytest.fixture(autouse=True)
def _shop(db):
    shop_setup()


def _voucher(code="TEN", **fields):
    fields = {"kind": "percentage", "value": Decimal("10"), **fields}
    return services.create_voucher(code=code, **fields)


# The happy path.


def test_a_checkout_places_the_order_the_cart_showed(customer, customer_client, product):
    _voucher()
    cart = ready_cart(customer_client, (product.id, 2), voucher="TEN")

    response = check_out(customer_client, cart)

    assert response.status_code == 201, response.content
    order = response.json()
    assert order["status"] == "pending"
    assert order["customer_id"] == customer.pk
    assert order["email"] == customer.email
    assert [order[key] for key in TOTALS] == [cart[key] for key in TOTALS]
    # 25.00 − 2.50 + 4.90 = 27.40, taxed 19 %: 5.21.
    assert [order[key] for key in TOTALS] == ["25.00", "2.50", "4.90", "5.21", "32.61"]
    assert [
        (item["variant_id"], item["unit_price"], item["quantity"]) for item in order["items"]
    ] == [(line["variant_id"], line["unit_price"], line["quantity"]) for line in cart["lines"]]
    assert order["shipping_method"]["code"] == "standard"
    assert order["voucher_code"] == "TEN"
    assert order["shipping_address"]["city"] == "Berlin"
    assert "order_key" not in order
    assert customer_client.get(f"/api/v1/orders/{order['id']}/").json() == order
    assert stock(product) == 8
    assert used_count("TEN") == 1
    assert VoucherUse.objects.get().order_id == order["id"]
    assert customer_client.get(f"{CARTS}{cart['id']}/").status_code == 404
    assert check_out(customer_client, cart).status_code == 404


def test_a_cart_without_a_voucher_counts_no_use(customer_client, product):
    cart = ready_cart(customer_client, (product.id, 1))

    order = check_out(customer_client, cart).json()

    assert order["voucher_code"] is None
    assert order["discount_total"] == "0.00"
    assert not VoucherUse.objects.exists()


def test_a_cart_email_is_the_orders(customer_client, product):
    cart = ready_cart(customer_client, (product.id, 1), email="Gift@Example.com")

    assert check_out(customer_client, cart).json()["email"] == "gift@example.com"


def test_no_shipping_method_is_needed_where_none_ships(customer_client, product):
    cart = new_cart(customer_client)
    add_line(customer_client, cart["id"], product_id=product.id, quantity=1)
    address = {**ADDRESS, "country": "FR"}
    customer_client.patch(f"{CARTS}{cart['id']}/", {"shipping_address": address}, format="json")

    response = check_out(customer_client, cart)

    assert response.status_code == 201, response.content
    assert (response.json()["shipping_method"], response.json()["total"]) == (None, "12.50")


# What is missing.


def _incomplete(response) -> list[str]:
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "cart_incomplete"
    return response.json()["missing"]


def test_an_empty_guest_cart_lacks_everything(anon_client):
    cart = new_cart(anon_client)

    assert _incomplete(check_out(anon_client, cart)) == ["lines", "email", "shipping_address"]


def test_a_customers_cart_needs_no_email(customer_client, product):
    cart = new_cart(customer_client)
    add_line(customer_client, cart["id"], product_id=product.id, quantity=1)

    assert _incomplete(check_out(customer_client, cart)) == ["shipping_address"]


def test_a_cart_needs_a_method_when_one_ships_to_its_address(customer_client, product):
    cart = new_cart(customer_client)
    add_line(customer_client, cart["id"], product_id=product.id, quantity=1)
    customer_client.patch(f"{CARTS}{cart['id']}/", {"shipping_address": ADDRESS}, format="json")

    assert _incomplete(check_out(customer_client, cart)) == ["shipping_method"]


def test_a_cart_without_lines_is_incomplete(customer_client, product):
    cart = ready_cart(customer_client, (product.id, 1))
    customer_client.delete(f"{CARTS}{cart['id']}/lines/{cart['lines'][0]['id']}/")

    assert _incomplete(check_out(customer_client, cart)) == ["lines"]


def test_an_incomplete_checkout_changes_nothing(customer_client, product):
    cart = new_cart(customer_client)
    add_line(customer_client, cart["id"], product_id=product.id, quantity=1)

    check_out(customer_client, cart)

    assert customer_client.get(f"{CARTS}{cart['id']}/").status_code == 200
    assert not Order.objects.exists()
    assert stock(product) == 10


# Refusals that change nothing.


def _nothing_changed(client, cart: dict, product, *, code: str | None = None, stock_left=10):
    assert client.get(f"{CARTS}{cart['id']}/").status_code == 200
    assert not Order.objects.exists()
    assert stock(product) == stock_left
    assert not VoucherUse.objects.exists()
    if code is not None:
        assert used_count(code) == 0


def test_a_line_short_of_stock_is_409_and_nothing_changes(customer_client, product):
    _voucher()
    cart = ready_cart(customer_client, (product.id, 2), voucher="TEN")
    catalog_services.update_product(product=product, data={"stock": 1})

    response = check_out(customer_client, cart)

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "insufficient_stock"
    _nothing_changed(customer_client, cart, product, code="TEN", stock_left=1)


def test_an_inactive_products_line_is_refused_as_the_reservation_refuses_it(
    customer_client, product
):
    cart = ready_cart(customer_client, (product.id, 1))
    catalog_services.set_products_active(product_ids=[product.id], is_active=False)

    response = check_out(customer_client, cart)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "product_unavailable"
    assert customer_client.get(f"{CARTS}{cart['id']}/").status_code == 200
    assert not Order.objects.exists()


def test_a_voucher_used_up_meanwhile_is_409_and_nothing_changes(
    customer_client, other_client, product
):
    _voucher(max_uses=1)
    first = ready_cart(other_client, (product.id, 1), voucher="TEN")
    cart = ready_cart(customer_client, (product.id, 2), voucher="TEN")
    assert check_out(other_client, first).status_code == 201

    response = check_out(customer_client, cart)

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "voucher_invalid"
    assert response.json()["detail"] == "This voucher has been used up."
    assert customer_client.get(f"{CARTS}{cart['id']}/").status_code == 200
    assert Order.objects.count() == 1
    assert stock(product) == 9
    assert used_count("TEN") == 1


def test_a_voucher_used_up_by_the_email_is_409(customer_client, product):
    _voucher(max_uses_per_email=1)
    first = ready_cart(customer_client, (product.id, 1), voucher="TEN")
    cart = ready_cart(customer_client, (product.id, 1), voucher="TEN")
    assert check_out(customer_client, first).status_code == 201

    response = check_out(customer_client, cart)

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "voucher_invalid"
    assert used_count("TEN") == 1
    assert VoucherUse.objects.count() == 1


def test_a_voucher_that_expired_since_it_was_applied_is_409(customer_client, product):
    voucher = _voucher(ends_at=timezone.now() + datetime.timedelta(hours=1))
    cart = ready_cart(customer_client, (product.id, 1), voucher="TEN")
    services.update_voucher(
        voucher=voucher,
        data={"ends_at": timezone.now() - datetime.timedelta(seconds=1), "starts_at": None},
    )

    response = check_out(customer_client, cart)

    assert response.status_code == 409, response.content
    assert response.json()["detail"] == "This voucher is no longer valid."
    _nothing_changed(customer_client, cart, product, code="TEN")


# Prices.


def test_a_price_changed_since_the_carts_last_read_is_the_orders(customer_client, product):
    """The checkout prices the cart itself, as its read does: the order, and the 201 that
    shows it, have today's prices, never the ones of a stale read."""
    cart = ready_cart(customer_client, (product.id, 2))
    catalog_services.update_product(product=product, data={"price": Decimal("14.00")})

    order = check_out(customer_client, cart).json()

    assert order["items"][0]["unit_price"] == "14.00"
    assert order["subtotal"] == "28.00"
    assert order["total"] == "39.15"  # 28.00 + 4.90 = 32.90, and 6.25 tax (19 %)


def test_a_price_changed_while_checking_out_is_409_and_nothing_changes(
    customer_client, product, monkeypatch
):
    """The price the checkout priced the cart with must be the one the stock is reserved at:
    a change between the two is `price_changed`, not an order at a price nobody saw."""
    _voucher()
    cart = ready_cart(customer_client, (product.id, 2), voucher="TEN")
    priced_cart = selectors.priced_cart

    def priced_then_changed(**kwargs):
        priced = priced_cart(**kwargs)
        catalog_services.update_product(product=product, data={"price": Decimal("14.00")})
        return priced

    monkeypatch.setattr(selectors, "priced_cart", priced_then_changed)

    response = check_out(customer_client, cart)

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "price_changed"
    monkeypatch.undo()
    _nothing_changed(customer_client, cart, product, code="TEN")


# Idempotency.


def test_a_retried_checkout_with_its_key_replays_the_order(customer_client, product):
    cart = ready_cart(customer_client, (product.id, 2))

    first = check_out(customer_client, cart, **{"Idempotency-Key": "k-1"})
    again = check_out(customer_client, cart, **{"Idempotency-Key": "k-1"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    assert stock(product) == 8


def test_a_refused_checkout_leaves_its_key_free(customer_client, product):
    cart = ready_cart(customer_client, (product.id, 2))
    catalog_services.update_product(product=product, data={"stock": 1})
    assert check_out(customer_client, cart, **{"Idempotency-Key": "k-1"}).status_code == 409
    catalog_services.update_product(product=product, data={"stock": 5})

    assert check_out(customer_client, cart, **{"Idempotency-Key": "k-1"}).status_code == 201


# Guests.


def test_a_guest_checkout_places_a_guest_order_with_its_key(anon_client, product):
    cart = ready_cart(anon_client, (product.id, 1), email="guest@example.com")

    response = check_out(anon_client, cart)

    assert response.status_code == 201, response.content
    order = response.json()
    assert order["customer_id"] is None
    assert order["email"] == "guest@example.com"
    assert isinstance(order["order_key"], str)
    assert order["order_key"]
    read = anon_client.get(
        f"/api/v1/orders/{order['id']}/", headers={"Order-Key": order["order_key"]}
    )
    assert read.status_code == 200
    assert anon_client.get(f"{CARTS}{cart['id']}/").status_code == 404


def test_a_guest_cart_checked_out_by_a_customer_is_theirs(
    customer, customer_client, anon_client, product
):
    cart = ready_cart(anon_client, (product.id, 1), email="guest@example.com")

    order = check_out(customer_client, cart).json()

    assert order["customer_id"] == customer.pk
    assert order["email"] == "guest@example.com"
    assert "order_key" not in order


# The use comes back.


def test_a_cancelled_orders_voucher_use_is_given_back_once(customer, customer_client, product):
    _voucher(max_uses=1, max_uses_per_email=1)
    order = check_out(customer_client, ready_cart(customer_client, (product.id, 1), voucher="TEN"))
    order_id = order.json()["id"]
    order_services.cancel_order(order_id=order_id, actor_id=customer.pk)
    [event] = recorded_events("order.cancelled", order_id)

    assert consumers.consume(consumer="checkout.voucher_uses", event=event) is True
    assert consumers.consume(consumer="checkout.voucher_uses", event=event) is False

    assert used_count("TEN") == 0
    assert not VoucherUse.objects.exists()
    again = ready_cart(customer_client, (product.id, 1), voucher="TEN")
    assert check_out(customer_client, again).status_code == 201


def test_an_orders_cancellation_without_a_voucher_changes_no_voucher(
    customer, customer_client, product
):
    _voucher()
    used = check_out(customer_client, ready_cart(customer_client, (product.id, 1), voucher="TEN"))
    plain = check_out(customer_client, ready_cart(customer_client, (product.id, 1))).json()
    order_services.cancel_order(order_id=plain["id"], actor_id=customer.pk)

    [event] = recorded_events("order.cancelled", plain["id"])
    consumers.consume(consumer="checkout.voucher_uses", event=event)

    assert used_count("TEN") == 1
    assert VoucherUse.objects.get().order_id == used.json()["id"]


def test_the_handler_gives_a_use_back_once_even_when_delivered_twice(
    customer, customer_client, product
):
    """The consumer framework dedupes by event id; the handler does not count on it."""
    _voucher()
    order_id = check_out(
        customer_client, ready_cart(customer_client, (product.id, 1), voucher="TEN")
    ).json()["id"]
    order_services.cancel_order(order_id=order_id, actor_id=customer.pk)
    [event] = recorded_events("order.cancelled", order_id)

    give_the_voucher_use_back(event)
    give_the_voucher_use_back(event)

    assert used_count("TEN") == 0
    assert not VoucherUse.objects.exists()


def test_an_expired_orders_voucher_use_is_given_back(customer_client, product):
    _voucher(max_uses=1)
    order_id = check_out(
        customer_client, ready_cart(customer_client, (product.id, 1), voucher="TEN")
    ).json()["id"]
    later = timezone.now() + datetime.timedelta(days=30)
    assert order_services.expire_overdue_orders(now=later) == 1
    [event] = recorded_events("order.cancelled", order_id)

    assert consumers.consume(consumer="checkout.voucher_uses", event=event) is True

    assert used_count("TEN") == 0
    assert not VoucherUse.objects.exists()
