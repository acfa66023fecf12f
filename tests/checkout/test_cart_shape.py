"""Every cart response is `checkout.serializers.cart_json`, written out by hand, while
`CartSerializer` documents the shape: these pin the function to the served schema (every key,
type and format), empty and full, and the cart's shipping methods to theirs."""

from decimal import Decimal

import pytest

from checkout import services
from tests.checkout.carts import CARTS, add_line, new_cart
from tests.openapi_shapes import assert_documented

pytestmark = pytest.mark.django_db

ADDRESS = {
    "name": "Ada",
    "line1": "1 Main St",
    "city": "Berlin",
    "postal_code": "1",
    "country": "DE",
}


def test_an_empty_cart_is_in_its_documented_shape(anon_client):
    assert_documented(new_cart(anon_client), "Cart")


def test_a_full_cart_is_in_its_documented_shape(anon_client, product, make_product):
    services.create_shipping_method(code="standard", name="Standard", price=Decimal("4.90"))
    services.create_voucher(code="TEN", kind="percentage", value=Decimal("10"))
    services.create_tax_rate(country="DE", rate=Decimal("0.19"))
    cart = new_cart(anon_client, email="ada@example.com")
    url = f"{CARTS}{cart['id']}/"
    add_line(anon_client, cart["id"], product_id=product.id, quantity=2)
    # A line short of stock: shown, not available.
    add_line(anon_client, cart["id"], product_id=make_product(stock=0).id, quantity=1)
    anon_client.patch(url, {"shipping_address": ADDRESS, "shipping_method": "standard"})

    body = anon_client.post(f"{url}voucher/", {"code": "TEN"}).json()

    assert_documented(body, "Cart")
    assert body["shipping_method"] is not None
    assert [line["available"] for line in body["lines"]] == [True, False]
    assert body["tax_total"] != "0.00"


def test_the_carts_shipping_methods_are_in_their_documented_shape(anon_client):
    services.create_shipping_method(code="standard", name="Standard", price=Decimal("4.90"))
    cart = new_cart(anon_client)

    options = anon_client.get(f"{CARTS}{cart['id']}/shipping-methods/").json()

    assert len(options) == 1
    for option in options:
        assert_documented(option, "CartShippingOption")
