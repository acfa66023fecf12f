"""payments.services: paying, settling, refunding and refunding cancelled orders."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from orders import services as order_services
from orders.exceptions import OrderNotFound, OrderNotPayable
from payments import services
from payments.exceptions import (
    GatewayUnavailable,
    InvalidPaymentToken,
    InvalidRefundAmount,
    PaymentNotFound,
    PaymentNotRefundable,
    RefundDeclined,
)
from payments.gateways.base import RefundResult
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment, Refund, SandboxCharge
from tests.factories import order_status
from tests.payments.support import ORDER_TOTAL, fail_charge, sandbox_charge_count


@pytest.fixture
def pay(order_id, customer):
    def pay_with(token: str = "tok_visa", *, order: int | None = None, payer=None):
        return services.pay_order(
            order_id=order or order_id, customer_id=(payer or customer).pk, token=token
        )

    return pay_with


@pytest.fixture
def paid(pay):
    """A payment of the customer's order that succeeded: the order is paid."""
    return pay("tok_visa")


# Paying


def test_paying_with_tok_visa_succeeds_and_marks_the_order_paid(pay, order_id, customer):
    payment = pay("tok_visa")

    assert payment.status == "succeeded"
    assert (payment.amount, payment.currency) == (ORDER_TOTAL, "USD")
    assert (payment.order_id, payment.customer_id) == (order_id, customer.pk)
    assert payment.provider == "sandbox"
    assert order_status(order_id) == "paid"
    assert SandboxCharge.objects.get().amount == ORDER_TOTAL


def test_the_charge_uses_the_payment_id_as_idempotency_key(pay):
    payment = pay("tok_visa")

    charge = SandboxCharge.objects.get()
    assert charge.idempotency_key == services.charge_idempotency_key(payment.id)
    assert Payment.objects.get().provider_reference == charge.reference


def test_no_card_data_or_token_is_stored(pay):
    pay("tok_visa")

    stored = [str(value) for value in Payment.objects.values().get().values()]
    assert not any("tok_" in value for value in stored)


@pytest.mark.parametrize(
    ("token", "failure_code"),
    [("tok_chargeDeclined", "card_declined"), ("tok_insufficientFunds", "insufficient_funds")],
)
def test_a_declined_payment_is_kept_as_failed_and_the_order_stays_pending(
    pay, order_id, token, failure_code
):
    payment = pay(token)

    assert (payment.status, payment.failure_code) == ("failed", failure_code)
    assert Payment.objects.get().status == "failed"
    assert order_status(order_id) == "pending"


def test_an_order_can_be_paid_again_after_a_declined_attempt(pay, order_id):
    pay("tok_chargeDeclined")

    payment = pay("tok_visa")

    assert payment.status == "succeeded"
    assert order_status(order_id) == "paid"
    assert sorted(Payment.objects.values_list("status", flat=True)) == ["failed", "succeeded"]


def test_tok_async_leaves_the_payment_processing_and_the_order_pending(pay, order_id):
    payment = pay("tok_async")

    assert payment.status == "processing"
    assert Payment.objects.get().provider_reference.startswith("ch_sandbox_")
    assert order_status(order_id) == "pending"


def test_an_unknown_token_is_refused_before_anything_is_recorded(pay, order_id):
    with pytest.raises(InvalidPaymentToken):
        pay("tok_bogus")

    assert Payment.objects.count() == 0
    assert sandbox_charge_count() == 0
    assert order_status(order_id) == "pending"


def test_another_customers_order_is_not_found(pay, other_customer):
    with pytest.raises(OrderNotFound):
        pay("tok_visa", payer=other_customer)

    assert Payment.objects.count() == 0


def test_an_unknown_order_is_not_found(pay):
    with pytest.raises(OrderNotFound):
        pay("tok_visa", order=10**9)


def test_a_paid_order_cannot_be_paid_again(paid, pay):
    with pytest.raises(OrderNotPayable):
        pay("tok_visa")

    assert sandbox_charge_count() == 1


def test_a_cancelled_order_cannot_be_paid(pay, order_id, customer):
    order_services.cancel_order(order_id=order_id, actor_id=customer.pk)

    with pytest.raises(OrderNotPayable):
        pay("tok_visa")
    assert Payment.objects.count() == 0


def test_an_order_whose_payment_awaits_the_provider_cannot_be_paid_again(pay):
    pay("tok_async")

    with pytest.raises(OrderNotPayable):
        pay("tok_visa")
    assert sandbox_charge_count() == 1


def test_the_database_refuses_a_second_live_payment_for_an_order(paid):
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            order_id=paid.order_id,
            customer_id=paid.customer_id,
            amount=paid.amount,
            currency="USD",
            provider="sandbox",
            status="processing",
        )


# The provider not answering


def test_a_gateway_timeout_leaves_the_payment_processing(pay, monkeypatch, order_id):
    fail_charge(monkeypatch, after_capturing=True)

    with pytest.raises(GatewayUnavailable):
        pay("tok_visa")

    payment = Payment.objects.get()
    assert (payment.status, payment.provider_reference) == ("processing", "")
    assert order_status(order_id) == "pending"


def test_a_retry_after_a_timeout_asks_again_with_the_same_key_and_charges_once(
    pay, monkeypatch, order_id
):
    keys = fail_charge(monkeypatch, after_capturing=True)
    with pytest.raises(GatewayUnavailable):
        pay("tok_visa")
    monkeypatch.undo()

    payment = pay("tok_visa")

    assert payment.status == "succeeded"
    assert Payment.objects.count() == 1
    assert keys == [services.charge_idempotency_key(payment.id)]
    assert SandboxCharge.objects.get().idempotency_key == keys[0]
    assert order_status(order_id) == "paid"


def test_a_retry_after_a_charge_that_never_reached_the_provider_charges_once(
    pay, monkeypatch, order_id
):
    fail_charge(monkeypatch, after_capturing=False)
    with pytest.raises(GatewayUnavailable):
        pay("tok_visa")
    assert sandbox_charge_count() == 0
    monkeypatch.undo()

    payment = pay("tok_chargeDeclined")

    assert (payment.status, payment.failure_code) == ("failed", "card_declined")
    assert Payment.objects.count() == sandbox_charge_count() == 1
    assert order_status(order_id) == "pending"


# Answers that do not add up, and orders cancelled meanwhile


@pytest.mark.parametrize(("amount", "currency"), [(Decimal("24.99"), "USD"), (ORDER_TOTAL, "EUR")])
def test_a_charge_for_another_amount_or_currency_fails_and_is_refunded(
    pay, monkeypatch, order_id, amount, currency
):
    real_charge = SandboxGateway.charge

    def charge_wrongly(self, **kwargs):
        return real_charge(self, **{**kwargs, "amount": amount, "currency": currency})

    monkeypatch.setattr(SandboxGateway, "charge", charge_wrongly)

    payment = pay("tok_visa")

    assert (payment.status, payment.failure_code) == ("failed", "amount_mismatch")
    assert order_status(order_id) == "pending"
    captured = SandboxCharge.objects.get()
    assert captured.refunded_amount == captured.amount == amount
    refund = Refund.objects.get()
    assert (refund.amount, refund.currency) == (amount, currency)


def test_a_charge_captured_for_an_order_cancelled_meanwhile_is_refunded_at_once(
    pay, monkeypatch, order_id, customer
):
    real_charge = SandboxGateway.charge

    def charge_while_the_customer_cancels(self, **kwargs):
        order_services.cancel_order(order_id=order_id, actor_id=customer.pk)
        return real_charge(self, **kwargs)

    monkeypatch.setattr(SandboxGateway, "charge", charge_while_the_customer_cancels)

    payment = pay("tok_visa")

    assert payment.status == "refunded"
    assert payment.refunded_amount == ORDER_TOTAL
    assert order_status(order_id) == "cancelled"
    assert SandboxCharge.objects.get().refunded_amount == ORDER_TOTAL


def test_a_charge_status_shop_does_not_know_waits_for_the_webhook(pay, monkeypatch, order_id):
    real_charge = SandboxGateway.charge

    def charge_needing_action(self, **kwargs):
        return replace(real_charge(self, **kwargs), status="requires_action")

    monkeypatch.setattr(SandboxGateway, "charge", charge_needing_action)

    payment = pay("tok_visa")

    assert payment.status == "processing"
    assert Payment.objects.get().provider_reference.startswith("ch_sandbox_")
    assert order_status(order_id) == "pending"


def test_a_declined_charge_without_a_code_gets_a_generic_one(pay, monkeypatch):
    real_charge = SandboxGateway.charge

    def charge_without_code(self, **kwargs):
        return replace(real_charge(self, **kwargs), failure_code="")

    monkeypatch.setattr(SandboxGateway, "charge", charge_without_code)

    assert pay("tok_chargeDeclined").failure_code == "payment_failed"


# Refunds


def test_a_refund_without_an_amount_refunds_everything(paid):
    refund = services.refund_payment(payment_id=paid.id)

    assert (refund.payment_id, refund.amount, refund.currency) == (paid.id, ORDER_TOTAL, "USD")
    payment = Payment.objects.get()
    assert (payment.status, payment.refunded_amount) == ("refunded", ORDER_TOTAL)
    assert SandboxCharge.objects.get().refunded_amount == ORDER_TOTAL


def test_partial_refunds_add_up_to_a_full_refund(paid):
    services.refund_payment(payment_id=paid.id, amount=Decimal("10.00"))
    assert Payment.objects.get().status == "partially_refunded"

    rest = services.refund_payment(payment_id=paid.id)

    payment = Payment.objects.get()
    assert rest.amount == Decimal("15.00")
    assert (payment.status, payment.refunded_amount) == ("refunded", ORDER_TOTAL)
    assert [refund.amount for refund in Refund.objects.order_by("id")] == [
        Decimal("10.00"),
        Decimal("15.00"),
    ]


def test_each_refund_has_its_own_provider_idempotency_key(paid):
    services.refund_payment(payment_id=paid.id, amount=Decimal("1.00"))
    services.refund_payment(payment_id=paid.id, amount=Decimal("1.00"))

    references = set(Refund.objects.values_list("provider_reference", flat=True))
    assert len(references) == 2
    assert SandboxCharge.objects.get().refunded_amount == Decimal("2.00")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("0"), "greater than 0"),
        (Decimal("-1.00"), "greater than 0"),
        (Decimal("1.001"), "2 decimal places"),
        (Decimal("25.01"), "left to refund"),
        (Decimal("NaN"), "greater than 0"),
        (Decimal("Infinity"), "greater than 0"),
    ],
)
def test_an_invalid_refund_amount_is_refused_and_changes_nothing(paid, amount, message):
    with pytest.raises(InvalidRefundAmount, match=message):
        services.refund_payment(payment_id=paid.id, amount=amount)

    assert Payment.objects.get().refunded_amount == 0
    assert Refund.objects.count() == 0


def test_a_refund_above_what_is_left_is_refused(paid):
    services.refund_payment(payment_id=paid.id, amount=Decimal("20.00"))

    with pytest.raises(InvalidRefundAmount):
        services.refund_payment(payment_id=paid.id, amount=Decimal("5.01"))
    assert Payment.objects.get().refunded_amount == Decimal("20.00")


@pytest.mark.parametrize("token", ["tok_chargeDeclined", "tok_async"])
def test_only_captured_payments_are_refundable(pay, token):
    payment = pay(token)

    with pytest.raises(PaymentNotRefundable):
        services.refund_payment(payment_id=payment.id)
    assert Refund.objects.count() == 0


def test_a_fully_refunded_payment_is_not_refundable(paid):
    services.refund_payment(payment_id=paid.id)

    with pytest.raises(PaymentNotRefundable):
        services.refund_payment(payment_id=paid.id)


def test_refunding_an_unknown_payment_is_not_found(db):
    with pytest.raises(PaymentNotFound):
        services.refund_payment(payment_id=10**9)


def test_a_refund_the_provider_does_not_answer_changes_nothing(paid, monkeypatch):
    def refund(self, **kwargs):
        raise ConnectionError("provider down")

    monkeypatch.setattr(SandboxGateway, "refund", refund)

    with pytest.raises(GatewayUnavailable):
        services.refund_payment(payment_id=paid.id)

    payment = Payment.objects.get()
    assert (payment.status, payment.refunded_amount) == ("succeeded", 0)
    assert Refund.objects.count() == 0


def test_a_refund_the_provider_declines_changes_nothing(paid, monkeypatch):
    real_refund = SandboxGateway.refund

    def decline(self, **kwargs):
        return replace(real_refund(self, **kwargs), status="failed", failure_code="disputed")

    monkeypatch.setattr(SandboxGateway, "refund", decline)

    with pytest.raises(RefundDeclined):
        services.refund_payment(payment_id=paid.id)

    assert Payment.objects.get().refunded_amount == 0
    assert Refund.objects.count() == 0


# Cancelled orders


def test_cancelling_a_paid_order_refunds_it_in_full(paid, order_id, customer):
    order_services.cancel_order(order_id=order_id, actor_id=customer.pk)

    payment = Payment.objects.get()
    assert (payment.status, payment.refunded_amount) == ("refunded", ORDER_TOTAL)
    assert SandboxCharge.objects.get().refunded_amount == ORDER_TOTAL
    assert order_status(order_id) == "cancelled"


def test_cancelling_a_partially_refunded_order_refunds_the_rest(paid, order_id, staff):
    services.refund_payment(payment_id=paid.id, amount=Decimal("5.00"))

    order_services.cancel_order(order_id=order_id, actor_id=staff.pk)

    payment = Payment.objects.get()
    assert (payment.status, payment.refunded_amount) == ("refunded", ORDER_TOTAL)
    assert Refund.objects.order_by("id").last().amount == Decimal("20.00")


def test_cancelling_a_pending_order_with_a_declined_attempt_refunds_nothing(
    pay, order_id, customer
):
    pay("tok_chargeDeclined")

    order_services.cancel_order(order_id=order_id, actor_id=customer.pk)

    assert Refund.objects.count() == 0
    assert Payment.objects.get().status == "failed"


def test_a_failing_refund_rolls_the_cancellation_back(paid, order_id, customer, monkeypatch):
    def refund(self, **kwargs):
        raise ConnectionError("provider down")

    monkeypatch.setattr(SandboxGateway, "refund", refund)

    with pytest.raises(GatewayUnavailable):
        order_services.cancel_order(order_id=order_id, actor_id=customer.pk)

    assert order_status(order_id) == "paid"
    assert Payment.objects.get().status == "succeeded"


def test_refund_for_cancelled_order_returns_the_refunds(paid):
    refunds = services.refund_for_cancelled_order(order_id=paid.order_id)

    assert [(refund.payment_id, refund.amount) for refund in refunds] == [(paid.id, ORDER_TOTAL)]


def test_refund_results_keep_the_provider_reference(paid, monkeypatch):
    real_refund = SandboxGateway.refund
    answers: list[RefundResult] = []

    def refund(self, **kwargs):
        answers.append(real_refund(self, **kwargs))
        return answers[-1]

    monkeypatch.setattr(SandboxGateway, "refund", refund)

    services.refund_payment(payment_id=paid.id)

    assert Refund.objects.get().provider_reference == answers[0].reference
