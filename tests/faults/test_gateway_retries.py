"""A charge whose answer was lost, then the customer does something else than wait.

Retrying with another token, or cancelling the order before retrying: the provider is asked
again under the attempt's own idempotency key, so it charges at most once, and the provider's
ledger ends with exactly the order's total kept if it is paid, nothing if it is cancelled.
"""

import pytest

from payments.models import Payment, SandboxCharge
from tests.factories import order_status, order_total
from tests.faults.test_gateway_failures import _captured_and_kept
from tests.payments.support import fail_charge, pay

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first", "after_capturing", "retry", "status", "order", "kept"),
    [
        ("tok_visa", True, "tok_chargeDeclined", 201, "paid", "total"),
        ("tok_visa", False, "tok_chargeDeclined", 402, "pending", "0"),
        ("tok_chargeDeclined", True, "tok_visa", 402, "pending", "0"),
        ("tok_chargeDeclined", False, "tok_visa", 201, "paid", "total"),
    ],
    ids=[
        "captured-then-declined",
        "unsent-then-declined",
        "declined-then-visa",
        "unsent-then-visa",
    ],
)
def test_a_retry_with_another_token_gets_the_first_charge_s_answer(
    customer_client, shop, monkeypatch, first, after_capturing, retry, status, order, kept
):
    order_id = shop.orders["pending"]
    charges = SandboxCharge.objects.count()
    fail_charge(monkeypatch, after_capturing=after_capturing)

    assert pay(customer_client, order_id, first).status_code == 502

    monkeypatch.undo()
    retried = pay(customer_client, order_id, retry)

    assert retried.status_code == status
    assert order_status(order_id) == order
    assert SandboxCharge.objects.count() == charges + 1
    assert _captured_and_kept(order_id) == (order_total(order_id) if kept == "total" else 0)
    if status == 402:
        again = pay(customer_client, order_id, "tok_visa")

        assert again.status_code == 201
        assert order_status(order_id) == "paid"
        assert _captured_and_kept(order_id) == order_total(order_id)


@pytest.mark.parametrize("after_capturing", [True, False], ids=["captured", "unsent"])
def test_an_order_cancelled_after_its_charge_s_answer_was_lost_keeps_no_money_once_retried(
    customer_client, shop, monkeypatch, after_capturing
):
    order_id = shop.orders["pending"]
    charges = SandboxCharge.objects.count()
    fail_charge(monkeypatch, after_capturing=after_capturing)
    assert pay(customer_client, order_id).status_code == 502
    monkeypatch.undo()

    cancelled = customer_client.post(f"/api/v1/orders/{order_id}/cancel/")
    retried = pay(customer_client, order_id)
    again = pay(customer_client, order_id)

    assert cancelled.status_code == 200
    assert retried.status_code == 409
    assert retried.json()["code"] == "order_not_payable"
    assert retried.json()["payment"]["status"] == "refunded"
    assert (again.status_code, again.json()["current_status"]) == (409, "cancelled")
    assert order_status(order_id) == "cancelled"
    assert _captured_and_kept(order_id) == 0
    assert Payment.objects.filter(order_id=order_id).count() == 1
    assert SandboxCharge.objects.count() == charges + 1
