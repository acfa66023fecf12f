"""The payment provider fails in the middle of a refund, and the refund is asked for again.

When the provider refunded but its answer was lost, shop rolls the refund back and answers
502; the provider still holds that refund under the idempotency key it was asked with. A
retry must ask with the same key, so that the provider answers with that one refund instead
of making (or, being more than the charge, refusing forever) a second one. The sandbox's
ledger lives in shop's own transaction and is rolled back with it, so the tests pin the keys.
"""

import pytest

from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment, Refund
from tests.factories import order_status, order_total
from tests.faults.test_gateway_failures import _captured_and_kept

pytestmark = pytest.mark.django_db


def lose_the_first_refund_answer(monkeypatch, error: Exception) -> list[str]:
    """The provider refunds every time; the first answer is lost (`error`). The keys asked."""
    real_refund = SandboxGateway.refund
    keys: list[str] = []

    def refund(self, **kwargs):
        keys.append(kwargs["idempotency_key"])
        result = real_refund(self, **kwargs)
        if len(keys) == 1:
            raise error
        return result

    monkeypatch.setattr(SandboxGateway, "refund", refund)
    return keys


ERRORS = [TimeoutError("read timeout"), ConnectionResetError("reset")]


@pytest.mark.parametrize("error", ERRORS, ids=str)
def test_a_cancellation_whose_refund_answer_was_lost_asks_for_the_same_refund_again(
    customer_client, shop, monkeypatch, error
):
    order_id = shop.orders["paid"]
    keys = lose_the_first_refund_answer(monkeypatch, error)

    lost = customer_client.post(f"/api/v1/orders/{order_id}/cancel/")

    assert lost.status_code == 502
    assert order_status(order_id) == "paid"

    retried = customer_client.post(f"/api/v1/orders/{order_id}/cancel/")

    assert retried.status_code == 200
    assert len(keys) == 2
    assert keys[1] == keys[0]
    assert order_status(order_id) == "cancelled"
    assert _captured_and_kept(order_id) == 0
    payment = Payment.objects.get(order_id=order_id)
    assert (payment.status, payment.refunded_amount) == ("refunded", order_total(order_id))
    assert Refund.objects.filter(payment=payment).count() == 1


@pytest.mark.parametrize("error", ERRORS, ids=str)
def test_a_staff_refund_whose_answer_was_lost_asks_for_the_same_refund_again(
    staff_client, shop, monkeypatch, error
):
    payment_id = shop.payments["succeeded"]
    url = f"/api/v1/payments/{payment_id}/refund/"
    keys = lose_the_first_refund_answer(monkeypatch, error)

    lost = staff_client.post(url, {"amount": "5.00"}, format="json")

    assert lost.status_code == 502
    assert Payment.objects.get(pk=payment_id).refunded_amount == 0

    retried = staff_client.post(url, {"amount": "5.00"}, format="json")
    more = staff_client.post(url, {"amount": "1.00"}, format="json")

    assert (retried.status_code, more.status_code) == (201, 201)
    assert len(keys) == 3
    assert keys[1] == keys[0]
    assert keys[2] != keys[1]
    payment = Payment.objects.get(pk=payment_id)
    assert (payment.status, str(payment.refunded_amount)) == ("partially_refunded", "6.00")
    assert _captured_and_kept(payment.order_id) == payment.amount - payment.refunded_amount
