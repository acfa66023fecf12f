"""The one way a cart or an order is priced: pure functions of what they are given.

Nothing here reads the database, the settings or the clock: callers pass the lines, the
shipping method, the destination, the voucher, the tax rate and the time, so the same inputs
always give the same cents (and the property tests in tests/checkout can call them freely).

The money rules are the contract's (docs/API.md, "Money rules"):
- `subtotal` is the sum of the lines' `unit_price × quantity`;
- `discount_total`: a percentage voucher takes that percent of the subtotal, a fixed one its
  value, never more than the subtotal; rounded half up to the cent;
- `shipping_total`: the method's price, or 0.00 when the **subtotal** (before any discount)
  reaches its `free_over`, as the contract's "when the subtotal reaches the method's
  free_over" says: a voucher never takes free shipping away;
- `tax_total` = (subtotal − discount_total + shipping_total) × the destination's rate, rounded
  half up to the cent; 0.00 where no rate is set. Prices are net of tax;
- without a destination (no shipping address) there is no shipping and no tax;
- `total = subtotal − discount_total + shipping_total + tax_total`.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum

from checkout.dtos import PERCENTAGE, Discount, PricedLine, ShippingPrice, Totals, VoucherSnapshot
from kernel.money import quantize

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def price_lines(
    *,
    lines: Iterable[PricedLine],
    shipping: ShippingPrice | None,
    country: str | None,
    voucher: Discount | None,
    tax_rate: Decimal | None,
) -> Totals:
    """The totals of `lines` shipped to `country` (None: no address) by `shipping` (None: no
    method), with `voucher` (None: none) and the destination's `tax_rate` (None: none set)."""
    subtotal = lines_subtotal(lines)
    discount_total = discount(subtotal=subtotal, voucher=voucher)
    if country is None:
        shipping_total = tax_total = ZERO
    else:
        shipping_total = shipping_cost(subtotal=subtotal, shipping=shipping)
        taxable = subtotal - discount_total + shipping_total
        tax_total = ZERO if tax_rate is None else quantize(taxable * tax_rate)
    return Totals(
        subtotal=subtotal,
        discount_total=discount_total,
        shipping_total=shipping_total,
        tax_total=tax_total,
        total=subtotal - discount_total + shipping_total + tax_total,
    )


def lines_subtotal(lines: Iterable[PricedLine]) -> Decimal:
    """The sum of the lines' `unit_price × quantity`, in whole cents (a cart's voucher is
    checked against it before `price_lines` prices the cart with it)."""
    return quantize(sum((line_total(line) for line in lines), ZERO))


def line_total(line: PricedLine) -> Decimal:
    """One line's `unit_price × quantity`."""
    return line.unit_price * line.quantity


def discount(*, subtotal: Decimal, voucher: Discount | None) -> Decimal:
    """What `voucher` takes off `subtotal`: never more than the subtotal, in whole cents."""
    if voucher is None:
        return ZERO
    percentage = voucher.kind == PERCENTAGE
    amount = subtotal * voucher.value / HUNDRED if percentage else voucher.value
    return quantize(min(amount, subtotal))


def shipping_cost(*, subtotal: Decimal, shipping: ShippingPrice | None) -> Decimal:
    """The method's price, or 0.00 once the subtotal reaches its `free_over`."""
    if shipping is None:
        return ZERO
    if shipping.free_over is not None and subtotal >= shipping.free_over:
        return ZERO
    return quantize(shipping.price)


class VoucherProblem(StrEnum):
    """Why a voucher may not be used now; each is the contract's `voucher_invalid`."""

    UNKNOWN = "No voucher has this code."
    INACTIVE = "This voucher is not active."
    NOT_YET_VALID = "This voucher is not valid yet."
    EXPIRED = "This voucher is no longer valid."
    USED_UP = "This voucher has been used up."
    USED_UP_BY_EMAIL = "This voucher has been used as often as it may be with this email."
    BELOW_MINIMUM = "The subtotal is below this voucher's minimum."


def voucher_problem(
    voucher: VoucherSnapshot | None,
    *,
    subtotal: Decimal,
    now: datetime.datetime,
    uses_by_email: int = 0,
) -> VoucherProblem | None:
    """Why `voucher` (None: no voucher has the code) may not be used on `subtotal` at `now` by
    an email that has used it `uses_by_email` times already; None when it may.

    A voucher is valid from `starts_at` (included) until `ends_at` (excluded): a past
    `ends_at` makes it unusable.
    """
    if voucher is None:
        return VoucherProblem.UNKNOWN
    if not voucher.is_active:
        return VoucherProblem.INACTIVE
    if voucher.starts_at is not None and now < voucher.starts_at:
        return VoucherProblem.NOT_YET_VALID
    if voucher.ends_at is not None and now >= voucher.ends_at:
        return VoucherProblem.EXPIRED
    if voucher.max_uses is not None and voucher.used_count >= voucher.max_uses:
        return VoucherProblem.USED_UP
    if voucher.max_uses_per_email is not None and uses_by_email >= voucher.max_uses_per_email:
        return VoucherProblem.USED_UP_BY_EMAIL
    if subtotal < voucher.min_subtotal:
        return VoucherProblem.BELOW_MINIMUM
    return None
