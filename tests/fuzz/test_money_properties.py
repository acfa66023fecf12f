"""Money never drifts from exact decimal arithmetic (hypothesis property tests).

- `kernel.money.quantize` rounds half up to whole cents, exactly as integer arithmetic
  does, for any Decimal (never through a float).
- An order's line totals, subtotal and total, as the API renders them, are exactly the sums
  of price × quantity, with two places; an order whose exact total would not fit is refused.
- Any sequence of partial refunds of a captured payment, good and bad, refunds exactly the
  accepted amounts, never more than was captured, and the remainder is exact to the cent.

Bounded and reproducible: a fixed seed (`derandomize`), no example database.
"""

import itertools
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle

from catalog import services as catalog_services
from kernel.money import CENT, quantize
from orders import services as order_services
from orders.dtos import OrderItem
from payments import services as payment_services
from payments.models import Payment, SandboxCharge
from tests.factories import order_total

pytestmark = pytest.mark.django_db

MONEY = re.compile(r"\d+\.\d{2}")
MAX_AMOUNT = order_services.MAX_AMOUNT
_skus = itertools.count(1)

PROPERTY_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _half_up_in_cents(amount: Decimal) -> Decimal:
    """Round to cents with integers only: add half a cent to the magnitude and truncate."""
    numerator, denominator = amount.as_integer_ratio()
    sign = -1 if numerator < 0 else 1
    cents = (2 * abs(numerator) * 100 + denominator) // (2 * denominator)
    return Decimal(sign * cents) / 100


@settings(PROPERTY_SETTINGS, max_examples=500)
@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, places=6)
    | st.decimals(allow_nan=False, allow_infinity=False, min_value=-1000, max_value=1000)
)
def test_quantize_rounds_half_up_to_the_cent_exactly(amount):
    rounded = quantize(amount)

    assert rounded == _half_up_in_cents(amount)
    assert rounded.as_tuple().exponent == -2
    assert abs(rounded - amount) <= CENT / 2
    assert quantize(rounded) == rounded


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        ("2.675", "2.68"),
        ("1.005", "1.01"),
        ("0.125", "0.13"),
        ("-0.125", "-0.13"),
        ("0.124", "0.12"),
    ],
)
def test_quantize_rounds_the_halves_a_float_would_get_wrong(amount, cents):
    assert quantize(Decimal(amount)) == Decimal(cents)


PRICES = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99.99"), places=2) | (
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2)
)
LINES = st.lists(st.tuples(PRICES, st.integers(1, 400)), min_size=1, max_size=5)


@pytest.fixture
def unthrottled(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"order_placement": "100000/min"})


@pytest.mark.usefixtures("unthrottled")
@settings(PROPERTY_SETTINGS, max_examples=60)
@given(lines=LINES)
def test_an_orders_totals_are_the_exact_sums_of_price_times_quantity(customer_client, lines):
    assume(sum(quantity for _, quantity in lines) <= order_services.MAX_UNITS)
    products = [
        catalog_services.create_product(
            sku=f"MONEY-{next(_skus)}", name="Weighed", price=price, stock=1000
        ).id
        for price, _ in lines
    ]
    items = [
        {"product_id": product_id, "quantity": quantity}
        for product_id, (_, quantity) in zip(products, lines, strict=True)
    ]
    exact = sum((price * quantity for price, quantity in lines), Decimal(0))

    response = customer_client.post("/api/v1/orders/", {"items": items}, format="json")

    if exact > MAX_AMOUNT:
        assert response.status_code == 400
        assert list(response.json()) == ["items"]
        return
    assert response.status_code == 201
    order = response.json()
    for line, (price, quantity) in zip(order["items"], lines, strict=True):
        assert MONEY.fullmatch(line["unit_price"])
        assert MONEY.fullmatch(line["line_total"])
        assert Decimal(line["unit_price"]) == price
        assert Decimal(line["line_total"]) == price * quantity
    assert MONEY.fullmatch(order["subtotal"])
    assert MONEY.fullmatch(order["total"])
    assert Decimal(order["subtotal"]) == Decimal(order["total"]) == exact
    assert order_total(order["id"]) == exact


REFUND_REQUESTS = st.lists(
    st.decimals(min_value=Decimal("-5"), max_value=Decimal("400"), places=2)
    | st.decimals(min_value=Decimal("0"), max_value=Decimal("50"), places=3),
    min_size=1,
    max_size=8,
)


@settings(PROPERTY_SETTINGS, max_examples=40)
@given(
    captured=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2),
    requests=REFUND_REQUESTS,
)
def test_partial_refunds_never_exceed_the_capture_and_the_remainder_is_exact(
    customer, staff_client, captured, requests
):
    product = catalog_services.create_product(
        sku=f"MONEY-{next(_skus)}", name="Refunded", price=captured, stock=1
    )
    order_id = order_services.place_order(
        customer_id=customer.pk, items=[OrderItem(product_id=product.id, quantity=1)]
    ).id
    payment = payment_services.pay_order(
        order_id=order_id, customer_id=customer.pk, token="tok_visa"
    )
    url = f"/api/v1/payments/{payment.id}/refund/"
    refunded = Decimal("0.00")

    for amount in requests:
        response = staff_client.post(url, {"amount": str(amount)}, format="json")

        # The contract's order: more than 2 decimals written ("1.230" too) is a 400, then a
        # fully refunded payment is a 409, then an amount <= 0 or above what is left a 400.
        if amount.as_tuple().exponent < -2:
            assert response.status_code == 400
        elif refunded == captured:
            assert response.status_code == 409
        elif 0 < amount <= captured - refunded:
            assert response.status_code == 201
            assert response.json()["amount"] == f"{amount:.2f}"
            refunded += amount
        else:
            assert response.status_code == 400
        state = Payment.objects.get(pk=payment.id)
        assert state.refunded_amount == refunded <= captured

    rest = staff_client.post(url)

    assert rest.status_code == (409 if refunded == captured else 201)
    if rest.status_code == 201:
        assert Decimal(rest.json()["amount"]) == captured - refunded
    state = Payment.objects.get(pk=payment.id)
    assert (state.status, state.refunded_amount) == ("refunded", captured)
    charge = SandboxCharge.objects.get(
        idempotency_key=payment_services.charge_idempotency_key(payment.id)
    )
    assert charge.refunded_amount == charge.amount == captured
