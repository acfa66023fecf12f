"""`checkout.pricing.price_lines`, the one way a cart or an order is priced: the contract's
money rules as hypothesis properties and as a table of worked examples.

No test here touches the database (none is marked `django_db`, so a query would fail): the
pricing is a pure function of its inputs.
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkout.dtos import FIXED, PERCENTAGE, Discount, PricedLine, ShippingPrice, Totals
from checkout.pricing import price_lines
from kernel.money import quantize

PROPERTY_SETTINGS = settings(derandomize=True, database=None, deadline=None, max_examples=200)
D = Decimal


def cents(low: int = 0, high: int = 10**8) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda n: D(n) / 100)


lines_strategy = st.lists(
    st.builds(PricedLine, unit_price=cents(1, 10**6), quantity=st.integers(1, 1000)),
    max_size=50,
)
shipping_strategy = st.none() | st.builds(
    ShippingPrice, price=cents(0, 10**5), free_over=st.none() | cents(0, 10**7)
)
percentage = st.builds(Discount, kind=st.just(PERCENTAGE), value=cents(1, 10_000))
fixed = st.builds(Discount, kind=st.just(FIXED), value=cents(1, 10**8))
voucher_strategy = st.none() | percentage | fixed
rate_strategy = st.none() | st.integers(0, 9_999).map(lambda n: D(n) / 10_000)
country_strategy = st.none() | st.sampled_from(["DE", "US"])


def amounts(totals: Totals) -> list[Decimal]:
    return [
        totals.subtotal,
        totals.discount_total,
        totals.shipping_total,
        totals.tax_total,
        totals.total,
    ]


def price(lines, shipping=None, country=None, voucher=None, tax_rate=None) -> Totals:
    return price_lines(
        lines=lines, shipping=shipping, country=country, voucher=voucher, tax_rate=tax_rate
    )


# Properties.


@PROPERTY_SETTINGS
@given(lines_strategy, shipping_strategy, country_strategy, voucher_strategy, rate_strategy)
def test_totals_are_never_negative_and_always_whole_cents(
    lines, shipping, country, voucher, tax_rate
):
    totals = price(lines, shipping, country, voucher, tax_rate)

    assert all(amount >= 0 for amount in amounts(totals))
    assert all(amount.as_tuple().exponent == -2 for amount in amounts(totals))


@PROPERTY_SETTINGS
@given(lines_strategy, shipping_strategy, country_strategy, voucher_strategy, rate_strategy)
def test_the_total_is_the_subtotal_less_the_discount_plus_shipping_and_tax(
    lines, shipping, country, voucher, tax_rate
):
    totals = price(lines, shipping, country, voucher, tax_rate)

    assert totals.subtotal == sum((line.unit_price * line.quantity for line in lines), D(0))
    assert totals.total == (
        totals.subtotal - totals.discount_total + totals.shipping_total + totals.tax_total
    )


@PROPERTY_SETTINGS
@given(lines_strategy, shipping_strategy, country_strategy, voucher_strategy, rate_strategy)
def test_the_discount_is_never_above_the_subtotal(lines, shipping, country, voucher, tax_rate):
    totals = price(lines, shipping, country, voucher, tax_rate)

    assert totals.discount_total <= totals.subtotal


@PROPERTY_SETTINGS
@given(lines_strategy, shipping_strategy, country_strategy, fixed, rate_strategy)
def test_a_fixed_voucher_never_makes_money(lines, shipping, country, voucher, tax_rate):
    """It takes at most its value and at most the subtotal: the goods never cost less than
    nothing, and the shop never owes the customer."""
    totals = price(lines, shipping, country, voucher, tax_rate)

    assert totals.discount_total == min(voucher.value, totals.subtotal)
    assert totals.subtotal - totals.discount_total >= 0
    assert totals.total >= totals.shipping_total


@PROPERTY_SETTINGS
@given(lines_strategy, shipping_strategy, country_strategy, voucher_strategy, rate_strategy)
def test_a_voucher_never_raises_the_total_nor_changes_shipping(
    lines, shipping, country, voucher, tax_rate
):
    with_voucher = price(lines, shipping, country, voucher, tax_rate)
    without = price(lines, shipping, country, None, tax_rate)

    assert with_voucher.total <= without.total
    assert with_voucher.shipping_total == without.shipping_total


@PROPERTY_SETTINGS
@given(
    lines_strategy,
    shipping_strategy,
    country_strategy,
    voucher_strategy,
    rate_strategy,
    st.randoms(use_true_random=False),
)
def test_the_same_inputs_always_give_the_same_cents_in_any_line_order(
    lines, shipping, country, voucher, tax_rate, random
):
    first = price(lines, shipping, country, voucher, tax_rate)
    shuffled = list(lines)
    random.shuffle(shuffled)

    assert price(lines, shipping, country, voucher, tax_rate) == first
    assert price(shuffled, shipping, country, voucher, tax_rate) == first


@PROPERTY_SETTINGS
@given(lines_strategy, shipping_strategy, country_strategy, voucher_strategy, rate_strategy)
def test_tax_is_the_rate_of_what_is_paid_before_tax_rounded_half_up(
    lines, shipping, country, voucher, tax_rate
):
    totals = price(lines, shipping, country, voucher, tax_rate)
    taxable = totals.subtotal - totals.discount_total + totals.shipping_total

    expected = quantize(taxable * tax_rate) if country and tax_rate is not None else D("0.00")
    assert totals.tax_total == expected


@PROPERTY_SETTINGS
@given(lines_strategy, shipping_strategy, voucher_strategy, rate_strategy)
def test_without_an_address_there_is_no_shipping_and_no_tax(lines, shipping, voucher, tax_rate):
    totals = price(lines, shipping, None, voucher, tax_rate)

    assert (totals.shipping_total, totals.tax_total) == (D("0.00"), D("0.00"))
    assert totals.total == totals.subtotal - totals.discount_total


# Worked examples.


def lines_of(*pairs: tuple[str, int]) -> list[PricedLine]:
    return [PricedLine(unit_price=D(price), quantity=quantity) for price, quantity in pairs]


def pct(value: str) -> Discount:
    return Discount(kind=PERCENTAGE, value=D(value))


def off(value: str) -> Discount:
    return Discount(kind=FIXED, value=D(value))


def ship(price: str, free_over: str | None = None) -> ShippingPrice:
    return ShippingPrice(price=D(price), free_over=None if free_over is None else D(free_over))


# (lines, shipping, country, voucher, tax rate) → (subtotal, discount, shipping, tax, total)
EXAMPLES = {
    "lines only": (
        (lines_of(("10.00", 2), ("0.99", 3)), None, None, None, None),
        ("22.97", "0.00", "0.00", "0.00", "22.97"),
    ),
    "10 % of 19.99 is 1.999, rounded up to 2.00": (
        (lines_of(("19.99", 1)), None, None, pct("10"), None),
        ("19.99", "2.00", "0.00", "0.00", "17.99"),
    ),
    "25 % of 0.10 is 0.025: half up is 0.03 (half even would be 0.02)": (
        (lines_of(("0.10", 1)), None, None, pct("25"), None),
        ("0.10", "0.03", "0.00", "0.00", "0.07"),
    ),
    "33.33 % of 9.99 is 3.329667, rounded down to 3.33": (
        (lines_of(("3.33", 3)), None, None, pct("33.33"), None),
        ("9.99", "3.33", "0.00", "0.00", "6.66"),
    ),
    "a 100 % voucher takes the whole subtotal, not shipping nor its tax": (
        (lines_of(("15.00", 2)), ship("4.99"), "DE", pct("100"), D("0.19")),
        ("30.00", "30.00", "4.99", "0.95", "5.94"),
    ),
    "a fixed voucher above the subtotal takes the subtotal": (
        (lines_of(("5.00", 1)), ship("3.00"), "DE", off("20.00"), D("0.10")),
        ("5.00", "5.00", "3.00", "0.30", "3.30"),
    ),
    "tax on the goods and the shipping": (
        (lines_of(("25.00", 2)), ship("5.00"), "DE", None, D("0.2")),
        ("50.00", "0.00", "5.00", "11.00", "66.00"),
    ),
    "tax of 0.025 is rounded half up to 0.03 (half even would be 0.02)": (
        (lines_of(("0.10", 1)), None, "DE", None, D("0.25")),
        ("0.10", "0.00", "0.00", "0.03", "0.13"),
    ),
    "tax of 0.825 is rounded half up to 0.83": (
        (lines_of(("10.00", 1)), None, "US", None, D("0.0825")),
        ("10.00", "0.00", "0.00", "0.83", "10.83"),
    ),
    "tax of 0.5025 is rounded down to 0.50": (
        (lines_of(("10.05", 1)), None, "US", None, D("0.05")),
        ("10.05", "0.00", "0.00", "0.50", "10.55"),
    ),
    "tax on what is left after the discount": (
        (lines_of(("40.00", 1)), ship("10.00"), "DE", off("15.00"), D("0.1")),
        ("40.00", "15.00", "10.00", "3.50", "38.50"),
    ),
    "shipping is free when the subtotal reaches free_over exactly": (
        (lines_of(("50.00", 1)), ship("5.00", "50.00"), "DE", None, None),
        ("50.00", "0.00", "0.00", "0.00", "50.00"),
    ),
    "shipping is paid a cent below free_over": (
        (lines_of(("49.99", 1)), ship("5.00", "50.00"), "DE", None, None),
        ("49.99", "0.00", "5.00", "0.00", "54.99"),
    ),
    "free_over compares the subtotal before the discount": (
        (lines_of(("50.00", 1)), ship("5.00", "50.00"), "DE", off("10.00"), D("0.2")),
        ("50.00", "10.00", "0.00", "8.00", "48.00"),
    ),
    "a country without a rate pays no tax": (
        (lines_of(("50.00", 1)), ship("5.00"), "FR", None, None),
        ("50.00", "0.00", "5.00", "0.00", "55.00"),
    ),
    "without an address neither the method nor the rate counts": (
        (lines_of(("50.00", 1)), ship("5.00"), None, pct("10"), D("0.2")),
        ("50.00", "5.00", "0.00", "0.00", "45.00"),
    ),
    "an address without a method: no shipping, tax on the goods": (
        (lines_of(("12.50", 2)), None, "DE", None, D("0.07")),
        ("25.00", "0.00", "0.00", "1.75", "26.75"),
    ),
    "a rate of 0 is no tax": (
        (lines_of(("12.50", 2)), ship("2.50"), "DE", None, D("0")),
        ("25.00", "0.00", "2.50", "0.00", "27.50"),
    ),
    "a free method": (
        (lines_of(("12.50", 1)), ship("0.00"), "DE", None, D("0.2")),
        ("12.50", "0.00", "0.00", "2.50", "15.00"),
    ),
}


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_worked_example(name):
    (lines, shipping, country, voucher, tax_rate), expected = EXAMPLES[name]

    totals = price(lines, shipping, country, voucher, tax_rate)

    assert totals == Totals(*(D(amount) for amount in expected))
    assert [str(amount) for amount in amounts(totals)] == list(expected)
