"""Exact query budgets of the cart endpoints: the same for a cart of 2 lines or of 12 (2, so
that removing one leaves lines to read).

Inside a test the outermost `atomic` is a savepoint, so every `transaction.atomic` shows up as a
SAVEPOINT and a RELEASE. A signed-in caller costs one query more (the JWT's user).
"""

from decimal import Decimal

import pytest

from checkout import services
from tests.checkout.carts import CARTS, add_line, new_cart
from tests.conftest import client_for
from tests.factories import variant_id_of

pytestmark = pytest.mark.django_db

ADDRESS = {
    "name": "Ada",
    "line1": "1 Main St",
    "city": "Berlin",
    "postal_code": "1",
    "country": "DE",
}

# Reading a cart: the cart with its shipping method and voucher, its lines, their variants (one
# call to the catalog), the destination's tax rate.
READ = 4
# A write: savepoint, the lock of the cart (an UPDATE of its `updated_at`, or a PATCH's SELECT
# … FOR UPDATE, which reads it again), the write, release.
WRITE = 4
BUDGETS = {
    # The cart; the write; the read-back.
    "get": READ,
    "patch": 1 + WRITE + READ - 1,  # the cart row is the one already read
    # + the shipping method by its code.
    "patch_method": 1 + WRITE + 1 + READ - 1,
    # The cart, its lines, their variants, the tax rate, the active methods.
    "shipping_methods": READ + 1,
    # The cart; savepoint, the variant (catalog), the UPDATE, the cart's lines, the line's
    # INSERT or UPDATE, release; the read-back.
    "add_by_variant": 1 + WRITE + 2 + READ - 1,
    # + the product and its variants (catalog.get_products: two queries).
    "add_by_product": 1 + WRITE + 4 + READ - 1,
    # The cart; savepoint, the UPDATE, the cart's lines, the line's UPDATE, release; read-back.
    "patch_line": 1 + WRITE + 1 + READ - 1,
    # The cart; savepoint, the UPDATE, the DELETE, release; the read-back.
    "delete_line": 1 + WRITE + READ - 1,
    # The cart; savepoint, the UPDATE, the voucher, the cart priced (lines, variants, tax rate)
    # for the voucher's rules, the cart's UPDATE, release; the read-back.
    "apply_voucher": 1 + WRITE + 1 + 3 + READ - 1,
    "remove_voucher": 1 + WRITE + READ - 1,
}


@pytest.fixture
def setting() -> None:
    services.create_shipping_method(code="standard", name="Standard", price=Decimal("4.90"))
    services.create_shipping_method(code="express", name="Express", price=Decimal("9.90"))
    services.create_voucher(code="TEN", kind="percentage", value=Decimal("10"))
    services.create_tax_rate(country="DE", rate=Decimal("0.19"))


def _full_cart(client, products) -> tuple[str, int]:
    """A cart of one line per product, with an address, a method and a voucher: its URL and
    its first line's id."""
    cart = new_cart(client)
    url = f"{CARTS}{cart['id']}/"
    for product in products:
        assert add_line(client, cart["id"], product_id=product.id, quantity=1).status_code == 201
    client.patch(url, {"shipping_address": ADDRESS, "shipping_method": "standard"}, format="json")
    body = client.post(f"{url}voucher/", {"code": "TEN"}, format="json").json()
    assert len(body["lines"]) == len(products)
    assert body["discount_total"] != "0.00"
    return url, body["lines"][0]["id"]


CALLS = {
    "get": lambda client, url, line, extra: client.get(url),
    "patch": lambda client, url, line, extra: client.patch(
        url, {"email": "ada@example.com"}, format="json"
    ),
    "patch_method": lambda client, url, line, extra: client.patch(
        url, {"shipping_method": "express"}, format="json"
    ),
    "shipping_methods": lambda client, url, line, extra: client.get(f"{url}shipping-methods/"),
    "add_by_variant": lambda client, url, line, extra: client.post(
        f"{url}lines/", {"variant_id": extra[1], "quantity": 1}, format="json"
    ),
    "add_by_product": lambda client, url, line, extra: client.post(
        f"{url}lines/", {"product_id": extra[0], "quantity": 1}, format="json"
    ),
    "patch_line": lambda client, url, line, extra: client.patch(
        f"{url}lines/{line}/", {"quantity": 2}, format="json"
    ),
    "delete_line": lambda client, url, line, extra: client.delete(f"{url}lines/{line}/"),
    "apply_voucher": lambda client, url, line, extra: client.post(
        f"{url}voucher/", {"code": "TEN"}, format="json"
    ),
    "remove_voucher": lambda client, url, line, extra: client.delete(f"{url}voucher/"),
}


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "customer"])
@pytest.mark.parametrize("count", [2, 12])
@pytest.mark.parametrize("call", list(CALLS))
def test_a_cart_endpoint_costs_the_same_for_any_number_of_lines(
    anon_client, customer, make_product, django_assert_num_queries, setting, call, count, signed_in
):
    client = client_for(customer) if signed_in else anon_client
    url, line = _full_cart(client, [make_product(stock=100) for _ in range(count)])
    product = make_product()
    extra = (product.id, variant_id_of(product))

    with django_assert_num_queries(BUDGETS[call] + signed_in):
        response = CALLS[call](client, url, line, extra)

    assert response.status_code in (200, 201), response.content


def test_creating_a_cart(anon_client, customer, django_assert_num_queries):
    # Savepoint, INSERT, release; the new cart's lines (none, so no variants and no address).
    customer_client = client_for(customer)
    with django_assert_num_queries(4):
        assert anon_client.post(CARTS, {}, format="json").status_code == 201
    with django_assert_num_queries(5):
        assert customer_client.post(CARTS, {}, format="json").status_code == 201


@pytest.mark.parametrize("count", [2, 12])
def test_claiming_a_cart(
    anon_client, customer, make_product, django_assert_num_queries, setting, count
):
    url, _ = _full_cart(anon_client, [make_product(stock=100) for _ in range(count)])
    customer_client = client_for(customer)

    # The user; savepoint, the conditional UPDATE, release; the read-back.
    with django_assert_num_queries(1 + 3 + READ):
        assert customer_client.post(f"{url}claim/").status_code == 200
