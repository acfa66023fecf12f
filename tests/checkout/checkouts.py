"""Helpers of the checkout tests: a cart ready to check out, made through the API, and what
the catalog and the vouchers hold afterwards."""

from decimal import Decimal

from rest_framework.test import APIClient

from catalog import services as catalog_services
from checkout import services
from checkout.models import Voucher
from tests.checkout.carts import CARTS, add_line, new_cart

ADDRESS = {
    "name": "Ada",
    "line1": "1 Main St",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


def shop_setup() -> None:
    """A `standard` method to DE at 4.90 (free from 100.00) and DE taxed 19 %."""
    services.create_shipping_method(
        code="standard",
        name="Standard",
        price=Decimal("4.90"),
        countries=["DE"],
        free_over=Decimal("100.00"),
    )
    services.create_tax_rate(country="DE", rate=Decimal("0.19"))


def ready_cart(client: APIClient, *lines: tuple[int, int], voucher: str | None = None, **body):
    """A cart of `client`'s with these `(product_id, quantity)` lines, the address, the
    `standard` method and `voucher`; `body` goes to its creation (a guest's `email`)."""
    cart = new_cart(client, **body)
    for product_id, quantity in lines:
        response = add_line(client, cart["id"], product_id=product_id, quantity=quantity)
        assert response.status_code == 201, response.content
    patched = client.patch(
        f"{CARTS}{cart['id']}/",
        {"shipping_address": ADDRESS, "shipping_method": "standard"},
        format="json",
    )
    assert patched.status_code == 200, patched.content
    if voucher is not None:
        applied = client.post(f"{CARTS}{cart['id']}/voucher/", {"code": voucher}, format="json")
        assert applied.status_code == 200, applied.content
    return client.get(f"{CARTS}{cart['id']}/").json()


def check_out(client: APIClient, cart: dict, **headers):
    return client.post(f"{CARTS}{cart['id']}/checkout/", format="json", headers=headers)


def stock(product) -> int:
    return catalog_services.get_products(ids=[product.id])[product.id].stock


def used_count(code: str) -> int:
    return Voucher.objects.get(code=code).used_count
