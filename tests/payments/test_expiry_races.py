"""Expiry racing payments on real connections: whichever wins, an order is either paid or
cancelled as expired, a cancelled order never keeps money, and no stock is lost or made
(stock plus the units of the live orders is what the shop started with).

The sweep runs at the order's `expires_at` while the payment's wall clock is still inside the
window: the two disagree by a moment, as a scheduler's and a web server's clocks do.
"""

import time
from datetime import timedelta

import pytest
from django.db.models import Sum

from orders.models import Order, OrderEvent, OrderLine
from orders.services import expire_overdue_orders
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment, Refund, SandboxCharge
from payments.services import charge_idempotency_key
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import order_status, stock_of
from tests.payments.support import pay

pytestmark = [
    pytest.mark.postgres(
        "expiry and payment race for the order's row lock (SELECT ... FOR UPDATE SKIP LOCKED), "
        "which SQLite cannot show: it serialises every writer"
    ),
    pytest.mark.django_db(transaction=True),
]

LIVE = ("pending", "paid", "shipped", "delivered")


@pytest.fixture
def slow_charges(monkeypatch):
    """The provider takes a moment to answer, so the sweep can land while a charge is out."""
    real_charge = SandboxGateway.charge

    def slow_charge(self, **kwargs):
        time.sleep(0.05)
        return real_charge(self, **kwargs)

    monkeypatch.setattr(SandboxGateway, "charge", slow_charge)


def units_in_live_orders(product) -> int:
    lines = OrderLine.objects.filter(product_id=product.id, order__status__in=LIVE)
    return lines.aggregate(units=Sum("quantity"))["units"] or 0


def due_at(order_id: int):
    return Order.objects.values_list("expires_at", flat=True).get(pk=order_id)


def assert_no_money_kept_on_a_cancelled_order(order_id: int) -> None:
    payments = list(Payment.objects.filter(order_id=order_id))
    assert all(payment.status in {"refunded", "failed"} for payment in payments)
    keys = [charge_idempotency_key(payment.pk) for payment in payments]
    for charge in SandboxCharge.objects.filter(idempotency_key__in=keys, status="succeeded"):
        assert charge.refunded_amount == charge.amount


@pytest.mark.usefixtures("slow_charges")
@pytest.mark.parametrize("sweep_delay", [0, 0.02, 0.04, 0.08, 0.2])
def test_expiry_racing_a_payment_never_keeps_money_or_loses_stock(
    customer, place_order, teapot, sweep_delay
):
    initial = stock_of(teapot)
    order_id = place_order(customer)
    payer = client_for(customer)
    sweep_at = due_at(order_id)

    def sweep() -> int:
        time.sleep(sweep_delay)
        return expire_overdue_orders(now=sweep_at)

    paying, expired = run_concurrently(lambda: pay(payer, order_id, "tok_visa"), sweep)

    assert stock_of(teapot) + units_in_live_orders(teapot) == initial
    status = order_status(order_id)
    if status == "paid":
        assert (paying.status_code, expired) == (201, 0)
        assert Payment.objects.get(order_id=order_id).status == "succeeded"
        assert Refund.objects.count() == 0
    else:
        assert (status, expired) == ("cancelled", 1)
        assert Order.objects.get(pk=order_id).cancellation_reason == "expired"
        assert paying.status_code == 409
        assert paying.json()["code"] == "order_not_payable"
        assert_no_money_kept_on_a_cancelled_order(order_id)
    assert (
        OrderEvent.objects.filter(order_id=order_id, status__in=["paid", "cancelled"]).count() == 1
    )


@pytest.mark.usefixtures("slow_charges")
def test_many_orders_paid_while_swept_twice_end_paid_or_expired_once(customer, place_order, teapot):
    initial = stock_of(teapot)
    order_ids = [place_order(customer) for _ in range(6)]
    payers = [client_for(customer) for _ in order_ids]
    sweep_at = max(due_at(order_id) for order_id in order_ids) + timedelta(seconds=1)

    *_, first_sweep, second_sweep = run_concurrently(
        *[
            lambda payer=payer, order_id=order_id: pay(payer, order_id, "tok_visa")
            for payer, order_id in zip(payers, order_ids, strict=True)
        ],
        lambda: expire_overdue_orders(now=sweep_at),
        lambda: expire_overdue_orders(now=sweep_at),
    )

    statuses = [order_status(order_id) for order_id in order_ids]
    assert set(statuses) <= {"paid", "cancelled", "pending"}
    assert first_sweep + second_sweep == statuses.count("cancelled")
    assert expire_overdue_orders(now=sweep_at) == statuses.count("pending")
    for order_id in order_ids:
        assert OrderEvent.objects.filter(order_id=order_id).exclude(status="pending").count() == 1
        if order_status(order_id) == "cancelled":
            assert_no_money_kept_on_a_cancelled_order(order_id)
        else:
            assert Payment.objects.get(order_id=order_id, status="succeeded")
    assert stock_of(teapot) + units_in_live_orders(teapot) == initial
