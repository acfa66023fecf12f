"""The checkout's public interface: every write of its shipping methods, tax rates and
vouchers (the staff API's and the admin's), and of carts (below, "Carts").

Each write checks the row as it will be stored (`_check_*`), so the API and the admin refuse
the same things with the same messages; the check constraints (`checkout.models`) are the
last word, and a row another request wrote meanwhile with the same code becomes the same
field error (`kernel.writes.save_checked`), never a 500.
"""

import datetime
import re
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import services as accounts
from catalog import services as catalog
from catalog.dtos import VariantSnapshot
from catalog.exceptions import VariantRequired
from checkout import pricing, selectors
from checkout.dtos import CheckedOut
from checkout.exceptions import (
    CartIncomplete,
    CartLineNotFound,
    CartNotFound,
    DuplicateValue,
    InvalidValue,
    ProductUnavailable,
    ShippingMethodUnavailable,
    VoucherInvalid,
    VoucherUsedUp,
)
from checkout.models import (
    MAX_PERCENTAGE,
    RATE_PLACES,
    Cart,
    CartLine,
    ShippingMethod,
    TaxRate,
    Voucher,
    VoucherKind,
    VoucherUse,
)
from kernel import address
from kernel.address import country_codes
from kernel.ids import is_id
from kernel.money import CENT, DECIMAL_PLACES, MAX_DIGITS
from kernel.writes import apply_changes, save_checked, value_taken
from orders import services as orders
from orders.dtos import OrderItem, OrderPricing, ShippingMethodSnapshot
from orders.services import MAX_LINES, MAX_QUANTITY, MAX_UNITS

SHIPPING_METHOD_FIELDS = frozenset({"code", "name", "price", "countries", "free_over", "is_active"})
TAX_RATE_FIELDS = frozenset({"rate"})
VOUCHER_FIELDS = frozenset(
    {
        "code",
        "kind",
        "value",
        "min_subtotal",
        "starts_at",
        "ends_at",
        "max_uses",
        "max_uses_per_email",
        "is_active",
    }
)
VOUCHER_CODE = re.compile(r"^[A-Z0-9_-]{1,32}$")
_MONEY_LIMIT = Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES)
_RATE_UNIT = Decimal(1).scaleb(-RATE_PLACES)


# Shipping methods.


@transaction.atomic
def create_shipping_method(
    *,
    code: str,
    name: str,
    price: Decimal,
    countries: Iterable[str] = (),
    free_over: Decimal | None = None,
    is_active: bool = True,
) -> ShippingMethod:
    """Create a shipping method; `countries` (ISO codes, any case) empty ships everywhere."""
    method = ShippingMethod(
        code=code,
        name=name,
        price=price,
        countries=list(countries),
        free_over=free_over,
        is_active=is_active,
    )
    _check_shipping_method(method)
    save_checked(method, field_error=_field_error)
    return method


@transaction.atomic
def update_shipping_method(*, method: ShippingMethod, data: Mapping[str, Any]) -> ShippingMethod:
    """Change the given fields of `method`."""
    changed = apply_changes(method, data, allowed=SHIPPING_METHOD_FIELDS)
    _check_shipping_method(method)
    save_checked(method, field_error=_field_error, update_fields=[*changed, "updated_at"])
    return method


@transaction.atomic
def delete_shipping_method(*, method: ShippingMethod) -> None:
    method.delete()


def _check_shipping_method(method: ShippingMethod) -> None:
    _check_money(method.price, field="price")
    if method.free_over is not None:
        _check_money(method.free_over, field="free_over")
    method.countries = _countries(method.countries)
    if value_taken(ShippingMethod, exclude_pk=method.pk, code=method.code):
        raise DuplicateValue("code", "A shipping method with this code already exists.")


def _countries(countries: Any) -> list[str]:
    """The ISO codes upper-cased, each once, in the order given."""
    if not isinstance(countries, list | tuple) or not all(isinstance(c, str) for c in countries):
        raise InvalidValue("countries", "Expected a list of ISO 3166-1 alpha-2 codes.")
    codes = list(dict.fromkeys(country.upper() for country in countries))
    unknown = [code for code in codes if code not in country_codes()]
    if unknown:
        raise InvalidValue(
            "countries", f"Not ISO 3166-1 alpha-2 country codes: {', '.join(unknown)}."
        )
    return codes


# Tax rates.


@transaction.atomic
def create_tax_rate(*, country: str, rate: Decimal) -> TaxRate:
    """Set the rate of `country` (an ISO code, any case), which has none yet."""
    country = country.upper() if isinstance(country, str) else country
    if country not in country_codes():
        raise InvalidValue("country", "Not an ISO 3166-1 alpha-2 country code.")
    if value_taken(TaxRate, exclude_pk=None, country=country):
        raise DuplicateValue("country", "This country has a tax rate already.")
    tax_rate = TaxRate(country=country, rate=rate)
    _check_rate(tax_rate.rate)
    # `force_insert`: with its primary key given, a plain save would overwrite a row that a
    # concurrent request created meanwhile instead of failing on it.
    save_checked(tax_rate, field_error=_field_error, force_insert=True)
    return tax_rate


@transaction.atomic
def update_tax_rate(*, tax_rate: TaxRate, data: Mapping[str, Any]) -> TaxRate:
    """Change the rate (the country is the rate's identity: delete and create to move it)."""
    changed = apply_changes(tax_rate, data, allowed=TAX_RATE_FIELDS)
    _check_rate(tax_rate.rate)
    save_checked(tax_rate, field_error=_field_error, update_fields=changed)
    return tax_rate


@transaction.atomic
def delete_tax_rate(*, tax_rate: TaxRate) -> None:
    tax_rate.delete()


def _check_rate(rate: Any) -> None:
    if not isinstance(rate, Decimal) or not rate.is_finite() or not 0 <= rate < 1:
        raise InvalidValue("rate", "The rate must be at least 0 and less than 1.")
    if rate != rate.quantize(_RATE_UNIT):
        raise InvalidValue("rate", f"The rate may have at most {RATE_PLACES} decimal places.")


# Vouchers.


@transaction.atomic
def create_voucher(
    *,
    code: str,
    kind: str,
    value: Decimal,
    min_subtotal: Decimal = Decimal("0.00"),
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    max_uses: int | None = None,
    max_uses_per_email: int | None = None,
    is_active: bool = True,
) -> Voucher:
    """Create a voucher; its code is stored upper-case (codes are unique in any case)."""
    voucher = Voucher(
        code=code,
        kind=kind,
        value=value,
        min_subtotal=min_subtotal,
        starts_at=starts_at,
        ends_at=ends_at,
        max_uses=max_uses,
        max_uses_per_email=max_uses_per_email,
        is_active=is_active,
    )
    _check_voucher(voucher)
    save_checked(voucher, field_error=_field_error)
    return voucher


@transaction.atomic
def update_voucher(*, voucher: Voucher, data: Mapping[str, Any]) -> Voucher:
    """Change the given fields of `voucher`; its `used_count` is never written here (only
    the changed fields are saved, so a use counted meanwhile is kept)."""
    changed = apply_changes(voucher, data, allowed=VOUCHER_FIELDS)
    _check_voucher(voucher)
    save_checked(voucher, field_error=_field_error, update_fields=[*changed, "updated_at"])
    return voucher


@transaction.atomic
def delete_voucher(*, voucher: Voucher) -> None:
    """Delete `voucher`; orders placed with it keep its code."""
    voucher.delete()


def _check_voucher(voucher: Voucher) -> None:
    if not isinstance(voucher.code, str) or not VOUCHER_CODE.match(voucher.code.upper()):
        raise InvalidValue(
            "code", "1 to 32 letters, digits, hyphens or underscores (stored upper-case)."
        )
    voucher.code = voucher.code.upper()
    if voucher.kind not in VoucherKind.values:
        raise InvalidValue("kind", "The kind is `percentage` or `fixed`.")
    _check_money(voucher.value, field="value")
    if voucher.value <= 0:
        raise InvalidValue("value", "The value must be more than 0.")
    if voucher.kind == VoucherKind.PERCENTAGE and voucher.value > MAX_PERCENTAGE:
        raise InvalidValue("value", "A percentage may be at most 100.")
    _check_money(voucher.min_subtotal, field="min_subtotal")
    if voucher.starts_at and voucher.ends_at and voucher.ends_at <= voucher.starts_at:
        raise InvalidValue("ends_at", "The end must come after the start.")
    for field in ("max_uses", "max_uses_per_email"):
        limit = getattr(voucher, field)
        if limit is not None and (not isinstance(limit, int) or not 1 <= limit <= 2**31 - 1):
            raise InvalidValue(field, "At least 1, or null for unlimited.")
    if value_taken(Voucher, exclude_pk=voucher.pk, code=voucher.code):
        raise DuplicateValue("code", "A voucher with this code already exists.")


# Shared.


def _check_money(amount: Any, *, field: str) -> None:
    """A non-negative amount in whole cents that the database can store."""
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise InvalidValue(field, "The amount cannot be negative.")
    if amount != amount.quantize(CENT):
        raise InvalidValue(field, "The amount may have at most 2 decimal places.")
    if amount >= _MONEY_LIMIT:
        raise InvalidValue(field, "The amount is too large.")


# What PostgreSQL (the constraint's name) and SQLite (the column) call each unique value.
_UNIQUE = (
    (
        re.compile(r"checkout_shippingmethod(_code_key|\.code\b)"),
        DuplicateValue("code", "A shipping method with this code already exists."),
    ),
    (
        re.compile(r"checkout_taxrate(_pkey|\.country\b)"),
        DuplicateValue("country", "This country has a tax rate already."),
    ),
    (
        re.compile(r"checkout_voucher(_code_key|\.code\b)"),
        DuplicateValue("code", "A voucher with this code already exists."),
    ),
)


def _field_error(violated: str) -> Exception | None:
    """The field error of the unique value `violated` names, or None: every other constraint
    is checked before the write, so breaking one is a bug, not a user's mistake."""
    for pattern, field_error in _UNIQUE:
        if pattern.search(violated):
            return field_error
    return None


# Carts.
#
# A cart's writes take the cart as `selectors.cart_for` read it (the caller checked that the
# user may use it). Each starts by locking the cart's row until the transaction ends (touching
# its `updated_at` with an UPDATE, or, to change the cart's own fields, reading it again FOR
# UPDATE): two requests writing the same cart queue, so neither adds a second line for one
# variant, nor do the two together pass a limit, nor does one write back what the other
# changed.

CART_FIELDS = frozenset({"email", "shipping_address", "shipping_method"})


@transaction.atomic
def create_cart(*, customer_id: int | None, email: str = "") -> Cart:
    """A new, empty cart: the customer's, or a guest's (`customer_id` None)."""
    _check_email(email)
    return Cart.objects.create(customer_id=customer_id, email=email)


@transaction.atomic
def update_cart(*, cart: Cart, data: Mapping[str, Any]) -> Cart:
    """Change the cart's `email`, `shipping_address` (an address as `kernel.address` describes
    it, or None) and `shipping_method` (a code, or None for none).

    A method must be active and ship to the cart's country (after this change):
    `ShippingMethodUnavailable` otherwise. An address in a country the chosen method does not
    ship to drops the method, as its price would no longer mean anything; the shopper picks
    another from the cart's `shipping-methods/`.
    """
    unknown = set(data) - CART_FIELDS
    if unknown:
        raise TypeError(f"Unknown field(s): {', '.join(sorted(unknown))}")
    _lock_and_refresh(cart)
    if "email" in data:
        cart.email = data["email"] or ""
        _check_email(cart.email)
    if "shipping_address" in data:
        cart.shipping_address = _address(data["shipping_address"])
    country = selectors.cart_country(cart)
    if "shipping_method" in data:
        code = data["shipping_method"]
        method = None if code is None else selectors.shipping_method(code=code)
        if code is not None and (method is None or not selectors.ships_to(method, country)):
            raise ShippingMethodUnavailable()
        cart.shipping_method = method
    elif cart.shipping_method is not None and not selectors.ships_to(cart.shipping_method, country):
        cart.shipping_method = None
    cart.save(update_fields=["email", "shipping_address", "shipping_method", "updated_at"])
    return cart


@transaction.atomic
def add_line(
    *,
    cart: Cart,
    quantity: int,
    variant_id: int | None = None,
    product_id: int | None = None,
) -> CartLine:
    """Add `quantity` units of a variant, named by its id or by its product's (a product with
    exactly one variant; one with several is `VariantRequired`). The same variant again adds to
    its line. An order's limits apply to the cart: each line 1 to `MAX_QUANTITY` units, at
    most `MAX_LINES` lines and `MAX_UNITS` units in all (`InvalidValue`).

    The cart reserves nothing, so stock is not checked here: a line short of stock reads as not
    `available`. An unknown or inactive product, or an unknown variant, is `ProductUnavailable`.
    """
    if (variant_id is None) == (product_id is None):
        raise InvalidValue("variant_id", "Give a variant_id or a product_id, not both.")
    _check_quantity(quantity)
    variant = _variant(variant_id=variant_id, product_id=product_id)
    _touch(cart)
    lines = list(CartLine.objects.filter(cart_id=cart.pk))
    line = next((line for line in lines if line.variant_id == variant.id), None)
    if line is None:
        if len(lines) >= MAX_LINES:
            raise InvalidValue("lines", f"A cart may have at most {MAX_LINES} lines.")
        line = CartLine(cart=cart, variant_id=variant.id, quantity=0)
    line.quantity += quantity
    _check_quantity(line.quantity)
    _check_units(lines, line)
    _copy_variant(line, variant)
    line.save()
    return line


@transaction.atomic
def update_line(*, cart: Cart, line_id: int, quantity: int) -> CartLine:
    """Set a line's quantity (1 to `MAX_QUANTITY`, `MAX_UNITS` in all)."""
    _check_quantity(quantity)
    _touch(cart)
    lines = list(CartLine.objects.filter(cart_id=cart.pk))
    line = next((line for line in lines if line.id == line_id), None)
    if line is None:
        raise CartLineNotFound()
    line.quantity = quantity
    _check_units(lines, line)
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def delete_line(*, cart: Cart, line_id: int) -> None:
    _touch(cart)
    deleted, _ = CartLine.objects.filter(cart_id=cart.pk, pk=line_id).delete()
    if not deleted:
        raise CartLineNotFound()


@transaction.atomic
def apply_voucher(*, cart: Cart, code: str, now: datetime.datetime | None = None) -> Cart:
    """Put the voucher with `code` (any case) on the cart, if it may be used now on the cart's
    subtotal at today's prices (`pricing.voucher_problem`); `VoucherInvalid` saying why if not.

    A voucher's uses per email (`max_uses_per_email`) are counted from orders checked out with
    it; no order is checked out from a cart yet, so every email has used it 0 times here.
    """
    _touch(cart)
    voucher = selectors.voucher(code=code) if VOUCHER_CODE.match(code.upper()) else None
    subtotal = selectors.priced_cart(cart=cart, now=now).totals.subtotal
    problem = pricing.voucher_problem(
        None if voucher is None else selectors.voucher_snapshot(voucher),
        subtotal=subtotal,
        now=now or timezone.now(),
    )
    if problem is not None:
        raise VoucherInvalid(problem.value)
    cart.voucher = voucher
    cart.save(update_fields=["voucher", "updated_at"])
    return cart


@transaction.atomic
def remove_voucher(*, cart: Cart) -> Cart:
    """Take the voucher off the cart (nothing to do without one)."""
    _touch(cart)
    cart.voucher = None
    cart.save(update_fields=["voucher", "updated_at"])
    return cart


@transaction.atomic
def claim_cart(*, cart_id: uuid.UUID, customer_id: int) -> None:
    """Make a guest cart the customer's (their own stays theirs); another user's cart, or
    none, is `CartNotFound`. The conditional UPDATE makes the first of two racing claims win."""
    claimed = Cart.objects.filter(pk=cart_id, customer__isnull=True).update(
        customer_id=customer_id, updated_at=timezone.now()
    )
    if not claimed and not Cart.objects.filter(pk=cart_id, customer_id=customer_id).exists():
        raise CartNotFound()


def _touch(cart: Cart) -> None:
    """Mark the cart changed, which locks its row until the transaction ends; `CartNotFound`
    if it is gone."""
    cart.updated_at = timezone.now()
    if not Cart.objects.filter(pk=cart.pk).update(updated_at=cart.updated_at):
        raise CartNotFound()


def _lock_and_refresh(cart: Cart) -> None:
    """Lock the cart's row and read it again into `cart` (one query), so that a change another
    request committed since `cart` was read is kept, not written back over."""
    fresh = (
        Cart.objects.select_for_update(of=("self",))
        .select_related("shipping_method", "voucher")
        .filter(pk=cart.pk)
        .first()
    )
    if fresh is None:
        raise CartNotFound()
    cart.email, cart.shipping_address = fresh.email, fresh.shipping_address
    cart.shipping_method, cart.voucher = fresh.shipping_method, fresh.voucher


def _variant(*, variant_id: int | None, product_id: int | None) -> VariantSnapshot:
    """The variant to add, through the catalog's public services."""
    if product_id is not None:
        if not is_id(product_id):
            raise InvalidValue("product_id", "Not a valid id.")
        product = catalog.get_products(ids=[product_id]).get(product_id)
        if product is None or not product.is_active or not product.variant_ids:
            raise ProductUnavailable(product_ids=[product_id])
        if len(product.variant_ids) > 1:
            raise VariantRequired(product_ids=[product_id])
        variant_id = product.variant_ids[0]
    if not is_id(variant_id):
        raise InvalidValue("variant_id", "Not a valid id.")
    variant = catalog.get_variants(ids=[variant_id]).get(variant_id)
    if variant is None:
        raise ProductUnavailable(variant_ids=[variant_id])
    if not variant.is_active:
        raise ProductUnavailable(product_ids=[variant.product_id])
    return variant


def _copy_variant(line: CartLine, variant: VariantSnapshot) -> None:
    line.product_id = variant.product_id
    line.sku = variant.sku
    line.name = variant.product_name
    line.variant_name = variant.name
    line.unit_price = variant.price


def _check_quantity(quantity: Any) -> None:
    if type(quantity) is not int or not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidValue("quantity", f"A line's quantity must be between 1 and {MAX_QUANTITY}.")


def _check_units(lines: Iterable[CartLine], changed: CartLine) -> None:
    """At most `MAX_UNITS` units in the cart once `changed` is written."""
    units = changed.quantity + sum(line.quantity for line in lines if line.pk != changed.pk)
    if units > MAX_UNITS:
        raise InvalidValue("quantity", f"A cart may have at most {MAX_UNITS} units in all.")


def _check_email(email: Any) -> None:
    if not isinstance(email, str):
        raise InvalidValue("email", "Expected an email address.")
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise InvalidValue("email", "Enter a valid email address.") from error


def _address(value: Any) -> dict | None:
    """An address with every field of `kernel.address.FIELDS` (blank when not given), its
    required ones present and its country an ISO code; None for none."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) - set(address.FIELDS):
        raise InvalidValue("shipping_address", "Expected an address object.")
    if not all(isinstance(value.get(name, ""), str) for name in address.FIELDS):
        raise InvalidValue("shipping_address", "Every address field is a string.")
    missing = address.missing_fields(value)
    if missing:
        raise InvalidValue("shipping_address", f"Missing: {', '.join(missing)}.")
    stored = {name: value.get(name, "") for name in address.FIELDS}
    stored["country"] = stored["country"].upper()
    if stored["country"] not in address.country_codes():
        raise InvalidValue("shipping_address", "Not an ISO 3166-1 alpha-2 country code.")
    return stored


# Checkout.


@transaction.atomic
def check_out(
    *, cart: Cart, customer_id: int | None, now: datetime.datetime | None = None
) -> CheckedOut:
    """Turn `cart` into a pending order, or change nothing (docs/ARCHITECTURE.md, "Checkout").

    Under the cart's lock the cart is priced as its read prices it (`selectors.priced_cart`),
    and those totals, method and voucher code become the order's; the unit prices it used go
    to `place_order` as the expected ones, so a price that changes before the reservation is
    409 `price_changed` rather than an order nobody was shown. A line that cannot be ordered is
    refused as the reservation refuses it (409 `insufficient_stock`, 400
    `product_unavailable`): it is passed on, never dropped. The voucher's use is counted by one
    conditional UPDATE, which also locks the voucher's row while this email's uses are counted;
    a voucher used up meanwhile is 409 `voucher_invalid`. The order's owner is the cart's
    (`customer_id`, the caller, for a guest cart: None places a guest order).
    """
    now = now or timezone.now()
    _lock_and_refresh(cart)
    priced = selectors.priced_cart(cart=cart, now=now)
    missing = _missing(priced)
    if missing:
        raise CartIncomplete(missing=missing)
    owner_id = cart.customer_id or customer_id
    email = _checkout_email(cart, owner_id)
    voucher = cart.voucher
    if voucher is not None:
        # The read leaves out a voucher it may not use: checking out with it is refused, not
        # done without its discount.
        problem = pricing.voucher_problem(
            selectors.voucher_snapshot(voucher), subtotal=priced.totals.subtotal, now=now
        )
        if problem:
            raise VoucherUsedUp(problem)
        _count_use(voucher, email=email, subtotal=priced.totals.subtotal, now=now)
    totals, shipping = priced.totals, priced.shipping
    placed = orders.place_order(
        customer_id=owner_id,
        items=[
            OrderItem(variant_id=line.variant_id, quantity=line.quantity) for line in priced.lines
        ],
        shipping_address=cart.shipping_address,
        email=email,
        pricing=OrderPricing(
            subtotal=totals.subtotal,
            discount_total=totals.discount_total,
            shipping_total=totals.shipping_total,
            tax_total=totals.tax_total,
            total=totals.total,
            shipping_method=None
            if shipping is None
            else ShippingMethodSnapshot(
                code=shipping.code, name=shipping.name, price=shipping.price
            ),
            voucher_code=None if voucher is None else voucher.code,
        ),
        expected_unit_prices={line.variant_id: line.unit_price for line in priced.lines},
    )
    if voucher is not None:
        VoucherUse.objects.create(voucher=voucher, order_id=placed.id, email=email, created_at=now)
    cart.delete()
    # `order_key`: the guest order's secret, which `OrderSummary` gains with guest orders.
    return CheckedOut(order_id=placed.id, order_key=placed.order_key)


def _missing(priced: selectors.PricedCart) -> list[str]:
    """What `priced.cart` lacks to be checked out, in the contract's order."""
    cart, missing = priced.cart, []
    if not priced.lines:
        missing.append("lines")
    if cart.customer_id is None and not cart.email:
        missing.append("email")
    if cart.shipping_address is None:
        missing.append("shipping_address")
    elif priced.shipping is None and selectors.cart_shipping_options(priced=priced):
        missing.append("shipping_method")
    return missing


def _checkout_email(cart: Cart, owner_id: int | None) -> str:
    """The cart's email, else its owner's, as orders stores it (lower-case): the email the
    order's messages go to and its voucher uses are counted by."""
    if cart.email:
        return cart.email.strip().lower()
    owner = accounts.get_user(user_id=owner_id)
    return owner.email.strip().lower()


def _count_use(voucher: Voucher, *, email: str, subtotal: Decimal, now: datetime.datetime) -> None:
    """Count one use of `voucher`, or raise `VoucherUsedUp` (409) and count nothing.

    The UPDATE's condition is the voucher's validity, checked by the database on the row as it
    is when the UPDATE gets it: of any number of racing checkouts exactly `max_uses` pass. The
    row stays locked until the checkout commits, so the uses by `email` counted after it are
    every committed one: racing checkouts with one email take turns.
    """
    counted = (
        Voucher.objects.filter(pk=voucher.pk, is_active=True)
        .filter(Q(max_uses__isnull=True) | Q(used_count__lt=F("max_uses")))
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .update(used_count=F("used_count") + 1)
    )
    if not counted:
        fresh = Voucher.objects.filter(pk=voucher.pk).first()
        problem = pricing.voucher_problem(
            None if fresh is None else selectors.voucher_snapshot(fresh), subtotal=subtotal, now=now
        )
        raise VoucherUsedUp(problem or pricing.VoucherProblem.USED_UP)
    if voucher.max_uses_per_email is not None:
        uses = VoucherUse.objects.filter(voucher_id=voucher.pk, email=email).count()
        if uses >= voucher.max_uses_per_email:
            raise VoucherUsedUp(pricing.VoucherProblem.USED_UP_BY_EMAIL)
