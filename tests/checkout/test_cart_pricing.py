"""A cart's prices are today's: its lines' availability, its shipping method and methods, its
voucher and its totals (docs/API.md "Carts and checkout", "Money rules")."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog import services as catalog_services
from checkout import selectors, services
from checkout.models import Voucher
from tests.checkout.carts import CARTS, add_line, new_cart

pytestmark = pytest.mark.django_db

ADDRESS = {
    "name": "Ada",
    "line1": "1 Main St",
    "city": "Berlin",
    "postal_code": "1",
    "country": "DE",
}


@pytest.fixture
def cart(anon_client, product) -> dict:
    """A guest cart with 2 Blue mugs at 12.50 (25.00)."""
    cart = new_cart(anon_client)
    add_line(anon_client, cart["id"], product_id=product.id, quantity=2)
    return cart


def _get(client, cart: dict) -> dict:
    return client.get(f"{CARTS}{cart['id']}/").json()


def _patch(client, cart: dict, body: dict):
    return client.patch(f"{CARTS}{cart['id']}/", body, format="json")


def _totals(body: dict) -> tuple[str, ...]:
    keys = ("subtotal", "discount_total", "shipping_total", "tax_total", "total")
    return tuple(body[key] for key in keys)


# Today's prices and availability.


def test_a_cart_follows_the_catalogs_price_changes(anon_client, cart, product):
    catalog_services.update_product(product=product, data={"price": Decimal("14.00")})

    body = _get(anon_client, cart)

    assert (body["lines"][0]["unit_price"], body["lines"][0]["line_total"]) == ("14.00", "28.00")
    assert body["subtotal"] == "28.00"


def test_a_cart_follows_the_catalogs_name_changes(anon_client, cart, product):
    catalog_services.update_product(product=product, data={"name": "Green mug"})

    assert _get(anon_client, cart)["lines"][0]["name"] == "Green mug"


def test_an_inactive_products_line_is_shown_unavailable_and_left_out_of_the_totals(
    anon_client, cart, make_product
):
    other = make_product(price="5.00")
    add_line(anon_client, cart["id"], product_id=other.id, quantity=1)
    catalog_services.set_products_active(product_ids=[other.id], is_active=False)

    body = _get(anon_client, cart)

    assert [line["available"] for line in body["lines"]] == [True, False]
    assert body["lines"][1]["line_total"] == "5.00"
    assert (body["subtotal"], body["total"]) == ("25.00", "25.00")


def test_a_line_short_of_stock_is_unavailable_until_stock_comes_back(anon_client, cart, product):
    catalog_services.update_product(product=product, data={"stock": 1})
    assert _get(anon_client, cart)["lines"][0]["available"] is False
    assert _get(anon_client, cart)["subtotal"] == "0.00"

    catalog_services.update_product(product=product, data={"stock": 2})

    assert _get(anon_client, cart)["lines"][0]["available"] is True
    assert _get(anon_client, cart)["subtotal"] == "25.00"


# Shipping methods.


@pytest.fixture
def methods() -> None:
    services.create_shipping_method(code="standard", name="Standard", price=Decimal("4.90"))
    services.create_shipping_method(
        code="eu-express",
        name="EU express",
        price=Decimal("9.90"),
        countries=["DE", "FR"],
        free_over=Decimal("25.00"),
    )
    services.create_shipping_method(
        code="us-only", name="US only", price=Decimal("3.00"), countries=["US"]
    )
    services.create_shipping_method(
        code="retired", name="Retired", price=Decimal("1.00"), is_active=False
    )


def _options(client, cart: dict) -> list[dict]:
    response = client.get(f"{CARTS}{cart['id']}/shipping-methods/")
    assert response.status_code == 200
    return response.json()


def test_the_methods_that_ship_to_the_carts_country(anon_client, cart, methods):
    _patch(anon_client, cart, {"shipping_address": ADDRESS})

    assert _options(anon_client, cart) == [
        # Free: the subtotal (25.00) reaches its free_over.
        {"code": "eu-express", "name": "EU express", "price": "0.00", "currency": "USD"},
        {"code": "standard", "name": "Standard", "price": "4.90", "currency": "USD"},
    ]


def test_without_an_address_every_active_method_is_offered(anon_client, cart, methods):
    assert [option["code"] for option in _options(anon_client, cart)] == [
        "eu-express",
        "standard",
        "us-only",
    ]


def test_a_method_below_its_free_over_costs_its_price(anon_client, cart, methods, product):
    _patch(anon_client, cart, {"shipping_address": ADDRESS})
    catalog_services.update_product(product=product, data={"price": Decimal("12.49")})

    prices = {option["code"]: option["price"] for option in _options(anon_client, cart)}

    assert prices["eu-express"] == "9.90"


def test_choosing_a_method_prices_the_shipping(anon_client, cart, methods):
    response = _patch(
        anon_client, cart, {"shipping_address": ADDRESS, "shipping_method": "standard"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["shipping_method"] == {"code": "standard", "name": "Standard", "price": "4.90"}
    assert _totals(body) == ("25.00", "0.00", "4.90", "0.00", "29.90")


def test_a_free_method_shows_0_00(anon_client, cart, methods):
    body = _patch(
        anon_client, cart, {"shipping_address": ADDRESS, "shipping_method": "eu-express"}
    ).json()

    assert body["shipping_method"]["price"] == "0.00"
    assert body["shipping_total"] == "0.00"


def test_without_an_address_a_chosen_method_costs_nothing_yet(anon_client, cart, methods):
    body = _patch(anon_client, cart, {"shipping_method": "standard"}).json()

    assert body["shipping_method"]["code"] == "standard"
    assert (body["shipping_total"], body["total"]) == ("0.00", "25.00")


@pytest.mark.parametrize("code", ["nope", "retired", "us-only", "STANDARD"])
def test_a_method_that_is_unknown_inactive_or_not_shipping_there_is_unavailable(
    anon_client, cart, methods, code
):
    _patch(anon_client, cart, {"shipping_address": ADDRESS, "shipping_method": "standard"})

    response = _patch(anon_client, cart, {"shipping_method": code})

    assert response.status_code == 400
    assert response.json()["code"] == "shipping_method_unavailable"
    assert _get(anon_client, cart)["shipping_method"]["code"] == "standard"


def test_a_method_and_an_address_it_does_not_ship_to_together_are_refused(
    anon_client, cart, methods
):
    response = _patch(
        anon_client, cart, {"shipping_address": ADDRESS, "shipping_method": "us-only"}
    )

    assert response.json()["code"] == "shipping_method_unavailable"
    assert _get(anon_client, cart)["shipping_address"] is None


def test_an_address_the_chosen_method_does_not_ship_to_drops_it(anon_client, cart, methods):
    _patch(anon_client, cart, {"shipping_method": "us-only"})

    body = _patch(anon_client, cart, {"shipping_address": ADDRESS}).json()

    assert body["shipping_method"] is None
    assert body["shipping_total"] == "0.00"


def test_null_takes_the_method_off(anon_client, cart, methods):
    _patch(anon_client, cart, {"shipping_address": ADDRESS, "shipping_method": "standard"})

    body = _patch(anon_client, cart, {"shipping_method": None}).json()

    assert (body["shipping_method"], body["shipping_total"]) == (None, "0.00")


def test_a_method_staff_deactivate_no_longer_counts(anon_client, cart, methods):
    _patch(anon_client, cart, {"shipping_address": ADDRESS, "shipping_method": "standard"})
    method = selectors.shipping_method(code="standard")
    services.update_shipping_method(method=method, data={"is_active": False})

    body = _get(anon_client, cart)

    assert (body["shipping_method"], body["shipping_total"], body["total"]) == (
        None,
        "0.00",
        "25.00",
    )


def test_tax_is_the_destinations_rate_of_the_discounted_subtotal_and_shipping(
    anon_client, cart, methods
):
    services.create_tax_rate(country="DE", rate=Decimal("0.19"))
    services.create_voucher(code="FIVE", kind="fixed", value=Decimal("5.00"))
    _patch(anon_client, cart, {"shipping_address": ADDRESS, "shipping_method": "standard"})

    body = anon_client.post(f"{CARTS}{cart['id']}/voucher/", {"code": "five"}).json()

    # (25.00 − 5.00 + 4.90) × 0.19 = 4.731 → 4.73.
    assert _totals(body) == ("25.00", "5.00", "4.90", "4.73", "29.63")
    assert body["voucher_code"] == "FIVE"


# Vouchers.


def _apply(client, cart: dict, code):
    return client.post(f"{CARTS}{cart['id']}/voucher/", {"code": code}, format="json")


def test_a_percentage_voucher_discounts_the_subtotal(anon_client, cart):
    services.create_voucher(code="TEN", kind="percentage", value=Decimal("10"))

    response = _apply(anon_client, cart, "ten")

    assert response.status_code == 200
    assert _totals(response.json()) == ("25.00", "2.50", "0.00", "0.00", "22.50")


def test_removing_the_voucher(anon_client, cart):
    services.create_voucher(code="TEN", kind="percentage", value=Decimal("10"))
    _apply(anon_client, cart, "TEN")

    response = anon_client.delete(f"{CARTS}{cart['id']}/voucher/")

    assert response.status_code == 200
    assert (response.json()["voucher_code"], response.json()["discount_total"]) == (None, "0.00")
    # Without one, removing it again changes nothing.
    assert anon_client.delete(f"{CARTS}{cart['id']}/voucher/").status_code == 200


NOW = timezone.now()
HOUR = datetime.timedelta(hours=1)


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (None, "No voucher has this code."),
        ({"is_active": False}, "This voucher is not active."),
        ({"starts_at": NOW + HOUR}, "This voucher is not valid yet."),
        ({"starts_at": NOW - 2 * HOUR, "ends_at": NOW - HOUR}, "This voucher is no longer valid."),
        ({"min_subtotal": Decimal("25.01")}, "The subtotal is below this voucher's minimum."),
    ],
)
def test_a_voucher_that_cannot_be_used_is_invalid(anon_client, cart, terms, message):
    if terms is not None:
        services.create_voucher(code="SAVE", kind="fixed", value=Decimal("1.00"), **terms)

    response = _apply(anon_client, cart, "SAVE")

    assert response.status_code == 400
    assert response.json() == {"detail": message, "code": "voucher_invalid"}
    assert _get(anon_client, cart)["voucher_code"] is None


def test_a_used_up_voucher_is_invalid(anon_client, cart):
    voucher = services.create_voucher(code="ONCE", kind="fixed", value=Decimal("1"), max_uses=1)
    # The checkout counts uses; none exists yet.
    Voucher.objects.filter(pk=voucher.pk).update(used_count=1)

    response = _apply(anon_client, cart, "ONCE")

    assert response.json() == {
        "detail": "This voucher has been used up.",
        "code": "voucher_invalid",
    }


def test_a_per_email_limit_counts_no_use_before_any_checkout(anon_client, cart):
    services.create_voucher(code="MINE", kind="fixed", value=Decimal("1"), max_uses_per_email=1)

    assert _apply(anon_client, cart, "MINE").status_code == 200


def test_the_minimum_counts_only_available_lines(anon_client, cart, make_product):
    services.create_voucher(code="BIG", kind="fixed", value=Decimal("1"), min_subtotal=Decimal(30))
    other = make_product(price="10.00", stock=0)
    add_line(anon_client, cart["id"], product_id=other.id, quantity=1)

    assert _apply(anon_client, cart, "BIG").json()["code"] == "voucher_invalid"


@pytest.mark.parametrize("code", ["", "x" * 101, 5, None])
def test_a_voucher_body_must_be_a_code(anon_client, cart, code):
    response = _apply(anon_client, cart, code)

    assert response.status_code == 400
    assert list(response.json()) == ["code"]


def test_a_code_no_voucher_could_have_is_invalid(anon_client, cart):
    response = _apply(anon_client, cart, "not a code!")

    assert response.json()["code"] == "voucher_invalid"


def test_a_voucher_that_stops_applying_no_longer_discounts(anon_client, cart, product):
    services.create_voucher(code="BIG", kind="fixed", value=Decimal("5"), min_subtotal=Decimal(25))
    _apply(anon_client, cart, "BIG")
    catalog_services.update_product(product=product, data={"price": Decimal("10.00")})

    body = _get(anon_client, cart)

    # Still on the cart (the checkout will say why it cannot be used), but discounting nothing.
    assert (body["voucher_code"], body["discount_total"], body["total"]) == ("BIG", "0.00", "20.00")


def test_a_deleted_voucher_leaves_the_cart(anon_client, cart):
    voucher = services.create_voucher(code="GONE", kind="fixed", value=Decimal("5"))
    _apply(anon_client, cart, "GONE")
    services.delete_voucher(voucher=voucher)

    body = _get(anon_client, cart)

    assert (body["voucher_code"], body["discount_total"]) == (None, "0.00")
