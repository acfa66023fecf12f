"""Reads for the checkout's own views and admin, and the cart as it reads today."""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from catalog import services as catalog
from catalog.dtos import VariantSnapshot
from checkout import pricing
from checkout.dtos import Discount, PricedLine, ShippingPrice, Totals, VoucherSnapshot
from checkout.exceptions import CartNotFound
from checkout.models import Cart, CartLine, ShippingMethod, TaxRate, Voucher
from kernel.dtos import from_fields


def shipping_methods() -> QuerySet[ShippingMethod]:
    """Every shipping method, by code."""
    return ShippingMethod.objects.order_by("code")


def tax_rates() -> QuerySet[TaxRate]:
    """Every tax rate, by country."""
    return TaxRate.objects.order_by("country")


def vouchers() -> QuerySet[Voucher]:
    """Every voucher, newest first."""
    return Voucher.objects.order_by("-created_at", "-id")


def shipping_method(*, code: str) -> ShippingMethod | None:
    return ShippingMethod.objects.filter(code=code).first()


def tax_rate(*, country: str) -> TaxRate | None:
    """The rate of `country`, in any case (`de` is `DE`)."""
    return TaxRate.objects.filter(country=country.upper()).first()


def voucher(*, code: str) -> Voucher | None:
    """The voucher with `code`, in any case: codes are stored upper-case."""
    return Voucher.objects.filter(code=code.upper()).first()


# Carts.


@dataclass(frozen=True, slots=True)
class CartLineView:
    """A cart line as it reads today: the catalog's values while its variant exists (else the
    ones the line kept), and whether it can be ordered."""

    id: int
    product_id: int
    variant_id: int
    sku: str
    name: str
    variant_name: str
    unit_price: Decimal
    quantity: int
    available: bool


@dataclass(frozen=True, slots=True)
class ShippingOption:
    """A shipping method as the cart would pay for it: 0.00 once the subtotal reaches its
    `free_over`."""

    code: str
    name: str
    price: Decimal


@dataclass(frozen=True, slots=True)
class PricedCart:
    """A cart at today's prices: its lines, the shipping method and voucher that apply (None
    when none is chosen or the chosen one can no longer be used) and its totals."""

    cart: Cart
    lines: list[CartLineView]
    shipping: ShippingOption | None
    voucher_code: str | None
    totals: Totals


def cart_for(*, cart_id: uuid.UUID, user) -> Cart:
    """The cart `user` (signed in or anonymous) may use, its shipping method and voucher read
    with it (one query): their own, or a guest cart, which anyone holding its id may use.
    Anything else, another user's cart included, is `CartNotFound`."""
    cart = Cart.objects.select_related("shipping_method", "voucher").filter(pk=cart_id).first()
    if cart is None or cart.customer_id not in (None, user.pk):
        raise CartNotFound()
    return cart


def cart_country(cart: Cart) -> str | None:
    """The country the cart ships to; None without an address."""
    return (cart.shipping_address or {}).get("country") or None


def ships_to(method: ShippingMethod, country: str | None) -> bool:
    """Whether an active `method` may be chosen for `country`: an empty `countries` ships
    everywhere; without an address yet, any active method may be chosen (the address, once
    given, drops a method that does not ship there: `services.update_cart`)."""
    return method.is_active and (
        country is None or not method.countries or country in method.countries
    )


def priced_cart(*, cart: Cart, now: datetime.datetime | None = None) -> PricedCart:
    """`cart` (from `cart_for`) priced today: its lines (one query), their variants (one call
    to the catalog, one query) and the destination's tax rate (one query, with an address).

    Lines that cannot be ordered (variant gone, product inactive, not enough stock) are shown
    but left out of every total: the totals are what checking out would charge. A voucher
    counts only while it may be used on that subtotal (`pricing.voucher_problem`); a shipping
    method only while it is active and ships to the address.
    """
    now = now or timezone.now()
    rows = list(CartLine.objects.filter(cart_id=cart.pk).order_by("id"))
    variants = catalog.get_variants(ids=[row.variant_id for row in rows]) if rows else {}
    lines = [_line_view(row, variants.get(row.variant_id)) for row in rows]
    priced = [
        PricedLine(unit_price=line.unit_price, quantity=line.quantity)
        for line in lines
        if line.available
    ]
    subtotal = pricing.lines_subtotal(priced)
    country = cart_country(cart)
    method = cart.shipping_method
    shipping = (
        _option(method, subtotal=subtotal)
        if method is not None and ships_to(method, country)
        else None
    )
    voucher = cart.voucher
    if voucher is not None and pricing.voucher_problem(
        voucher_snapshot(voucher), subtotal=subtotal, now=now
    ):
        voucher = None
    rate = tax_rate(country=country) if country else None
    totals = pricing.price_lines(
        lines=priced,
        shipping=None if shipping is None else ShippingPrice(method.price, method.free_over),
        country=country,
        voucher=None if voucher is None else Discount(kind=voucher.kind, value=voucher.value),
        tax_rate=None if rate is None else rate.rate,
    )
    return PricedCart(
        cart=cart,
        lines=lines,
        shipping=shipping,
        voucher_code=None if cart.voucher is None else cart.voucher.code,
        totals=totals,
    )


def cart_shipping_options(*, priced: PricedCart) -> list[ShippingOption]:
    """The active methods that ship to the cart's country (every active one without an
    address), by code, each at its price for the cart's subtotal (one query)."""
    country = cart_country(priced.cart)
    return [
        _option(method, subtotal=priced.totals.subtotal)
        for method in ShippingMethod.objects.filter(is_active=True).order_by("code")
        if ships_to(method, country)
    ]


def voucher_snapshot(voucher: Voucher) -> VoucherSnapshot:
    return from_fields(VoucherSnapshot, voucher)


def _option(method: ShippingMethod, *, subtotal: Decimal) -> ShippingOption:
    price = pricing.shipping_cost(
        subtotal=subtotal, shipping=ShippingPrice(method.price, method.free_over)
    )
    return ShippingOption(code=method.code, name=method.name, price=price)


def _line_view(row: CartLine, variant: VariantSnapshot | None) -> CartLineView:
    if variant is None:
        return CartLineView(
            id=row.id,
            product_id=row.product_id,
            variant_id=row.variant_id,
            sku=row.sku,
            name=row.name,
            variant_name=row.variant_name,
            unit_price=row.unit_price,
            quantity=row.quantity,
            available=False,
        )
    return CartLineView(
        id=row.id,
        product_id=variant.product_id,
        variant_id=variant.id,
        sku=variant.sku,
        name=variant.product_name,
        variant_name=variant.name,
        unit_price=variant.price,
        quantity=row.quantity,
        available=variant.is_active and variant.stock >= row.quantity,
    )
