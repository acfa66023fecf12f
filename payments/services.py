"""The payments app's public interface: paying orders, refunds and provider webhooks.

Paying talks to the outside world, so it cannot be one transaction. It is three steps:
record the attempt (`processing`) and commit; ask the provider, with the payment's own id as
the idempotency key; settle the answer in a new transaction. If the provider does not answer,
the payment stays `processing` with no provider reference, and the next attempt to pay the
order asks again with the same key instead of opening a second charge. So `pay_order` is
called outside any transaction: the attempt must be committed before the provider is asked.

Every transaction that touches both an order and its payments locks the order first (through
`orders.services`), then the payments, so settling, paying and cancelling never deadlock.
"""

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from kernel.dtos import from_fields
from kernel.housekeeping import delete_in_batches
from kernel.money import CENT
from kernel.outbox import record_event
from orders import services as order_services
from orders.exceptions import InvalidTransition, OrderNotFound, OrderNotPayable
from payments.dtos import PaymentSummary, RefundSummary
from payments.exceptions import (
    GatewayUnavailable,
    InvalidRefundAmount,
    InvalidWebhook,
    PaymentNotFound,
    PaymentNotRefundable,
    RefundDeclined,
)
from payments.gateways import get_gateway
from payments.gateways.base import ChargeResult, WebhookEvent
from payments.gateways.webhooks import DEFAULT_FAILURE_CODE, PAYMENT_SUCCEEDED
from payments.models import (
    LIVE_STATUSES,
    REFUNDABLE_STATUSES,
    Payment,
    PaymentStatus,
    ProcessedWebhookEvent,
    Refund,
)
from payments.serializers import PaymentSerializer

logger = logging.getLogger(__name__)

AMOUNT_MISMATCH = "amount_mismatch"
NOT_CAPTURED = "not_captured"
RECONCILE_BATCH_SIZE = 100
WebhookOutcome = Literal["processed", "duplicate", "ignored"]


def charge_idempotency_key(payment_id: int) -> str:
    """The provider idempotency key of a payment's charge: one payment, at most one charge."""
    return f"payment-{payment_id}"


def _refund_idempotency_key(payment: Payment) -> str:
    """The key of the refund being asked for a locked payment: its number among the payment's
    refunds. A refund whose answer was lost is rolled back, so asking again reuses its key and
    the provider answers with the refund it may have made instead of making a second one."""
    return f"payment-{payment.pk}-refund-{Refund.objects.filter(payment=payment).count()}"


def _payment_summary(payment: Payment) -> PaymentSummary:
    return from_fields(PaymentSummary, payment)


def _refund_summary(refund: Refund) -> RefundSummary:
    return from_fields(RefundSummary, refund)


def _record_event(type: str, payment: Payment) -> None:
    """Record `type` in the caller's transaction, its data the payment as the API shows it
    (times in UTC, as every event's)."""
    with timezone.override(UTC):
        data = dict(PaymentSerializer(payment).data)
    record_event(type=type, data=data)


def pay_order(
    *, order_id: int, token: str, customer_id: int | None = None, order_key: str | None = None
) -> PaymentSummary:
    """Charge a pending order of the customer's once, with a provider token; settle the answer.

    A guest order is paid with its key (`order_key`, and no `customer_id`): `OrderNotFound`
    unless it is that order's. Exactly one of the two is given.
    """
    if (customer_id is None) == (order_key is None):
        raise TypeError("Pay as a customer (customer_id) or with a guest order's key.")
    get_gateway().validate_token(token=token)
    payment = _open_payment(order_id=order_id, customer_id=customer_id, order_key=order_key)
    gateway = get_gateway(payment.provider)
    try:
        result = gateway.charge(
            amount=payment.amount,
            currency=payment.currency,
            token=token,
            idempotency_key=charge_idempotency_key(payment.pk),
        )
    except Exception as exc:
        logger.exception("Charging payment %s failed; it stays processing.", payment.pk)
        raise GatewayUnavailable() from exc
    return _settle_charge(payment=payment, result=result)


@transaction.atomic
def _open_payment(*, order_id: int, customer_id: int | None, order_key: str | None) -> Payment:
    """The order's payment attempt to send to the provider, committed before the call.

    An order cancelled while its attempt's answer was lost still gets that attempt back: asked
    again with the same key, the provider tells what it did, and a capture is refunded at once.
    """
    try:
        due = order_services.lock_order_for_payment(
            order_id=order_id, customer_id=customer_id, order_key=order_key
        )
    except OrderNotPayable:
        unsettled = (
            Payment.objects.select_for_update()
            .filter(order_id=order_id, status=PaymentStatus.PROCESSING, provider_reference="")
            .first()
        )
        if unsettled is None:
            raise
        return _asking_now(unsettled)
    live = (
        Payment.objects.select_for_update()
        .filter(order_id=due.order_id, status__in=LIVE_STATUSES)
        .first()
    )
    if live is not None:
        if live.status == PaymentStatus.PROCESSING and not live.provider_reference:
            return _asking_now(live)
        raise OrderNotPayable("A payment of this order is already processing or has succeeded.")
    if due.amount <= 0:
        raise OrderNotPayable("This order has nothing to pay.")
    try:
        with transaction.atomic():
            return Payment.objects.create(
                order_id=due.order_id,
                customer_id=customer_id,
                amount=due.amount,
                currency=due.currency,
                provider=get_gateway().name,
                status=PaymentStatus.PROCESSING,
            )
    except IntegrityError:
        raise OrderNotPayable("A payment of this order is already processing.") from None


def _asking_now(payment: Payment) -> Payment:
    """Mark a locked processing attempt as being sent to the provider now, so reconciliation
    leaves it alone until it is stale again (and then fails it only if nobody asked since)."""
    payment.save(update_fields=["updated_at"])
    return payment


def _lock_order_if_payable(payment: Payment) -> bool:
    """Lock the payment's order if it is still pending; False when it no longer takes money."""
    try:
        order_services.lock_order_for_payment(
            order_id=payment.order_id, customer_id=payment.customer_id
        )
    except (OrderNotPayable, OrderNotFound):
        return False
    return True


def _settle_charge(*, payment: Payment, result: ChargeResult) -> PaymentSummary:
    with transaction.atomic():
        order_payable = _lock_order_if_payable(payment)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != PaymentStatus.PROCESSING:
            return _payment_summary(payment)
        payment.provider_reference = payment.provider_reference or result.reference
        if result.status == "failed":
            _fail(payment, failure_code=result.failure_code or DEFAULT_FAILURE_CODE)
        elif result.status != "succeeded":
            payment.save(update_fields=["provider_reference", "updated_at"])
        elif result.amount != payment.amount or result.currency != payment.currency:
            logger.error(
                "Provider captured %s %s for payment %s of %s %s; refunding it.",
                result.amount,
                result.currency,
                payment.pk,
                payment.amount,
                payment.currency,
            )
            _fail(payment, failure_code=AMOUNT_MISMATCH)
            if result.amount > 0:
                _refund_at_provider(
                    payment=payment,
                    refund=Refund.objects.create(
                        payment=payment, amount=result.amount, currency=result.currency
                    ),
                )
        else:
            _capture(payment, order_payable=order_payable)
    return _payment_summary(payment)


def _fail(payment: Payment, *, failure_code: str) -> None:
    payment.status = PaymentStatus.FAILED
    payment.failure_code = failure_code
    payment.save(update_fields=["status", "failure_code", "provider_reference", "updated_at"])
    _record_event("payment.failed", payment)


def _capture(payment: Payment, *, order_payable: bool) -> None:
    """Book a captured charge: the order is paid, or, if it was cancelled meanwhile, refunded."""
    payment.status = PaymentStatus.SUCCEEDED
    payment.save(update_fields=["status", "provider_reference", "updated_at"])
    _record_event("payment.succeeded", payment)
    if order_payable:
        try:
            with transaction.atomic():
                order_services.mark_paid(order_id=payment.order_id, note=f"Payment {payment.pk}.")
        except InvalidTransition:
            pass
        else:
            return
    _refund(payment, amount=payment.refundable_amount)


def _refund(payment: Payment, *, amount: Decimal) -> Refund:
    """Give `amount` of a locked, captured payment back through its provider."""
    refund = Refund.objects.create(payment=payment, amount=amount, currency=payment.currency)
    _refund_at_provider(payment=payment, refund=refund)
    payment.refunded_amount += amount
    payment.status = (
        PaymentStatus.REFUNDED
        if payment.refunded_amount == payment.amount
        else PaymentStatus.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["refunded_amount", "status", "updated_at"])
    _record_event("payment.refunded", payment)
    return refund


def _refund_at_provider(*, payment: Payment, refund: Refund) -> None:
    """Ask the provider for `refund`; raising rolls the caller's transaction (and refund) back."""
    try:
        result = get_gateway(payment.provider).refund(
            charge_reference=payment.provider_reference,
            amount=refund.amount,
            currency=refund.currency,
            idempotency_key=_refund_idempotency_key(payment),
        )
    except Exception as exc:
        logger.exception("Refunding payment %s failed.", payment.pk)
        raise GatewayUnavailable() from exc
    if result.status != "succeeded":
        raise RefundDeclined(failure_code=result.failure_code)
    refund.provider_reference = result.reference
    refund.save(update_fields=["provider_reference"])


def _valid_refund_amount(amount: Decimal, *, refundable: Decimal) -> Decimal:
    if not amount.is_finite() or amount <= 0:
        raise InvalidRefundAmount("Must be greater than 0.")
    if amount != amount.quantize(CENT):
        raise InvalidRefundAmount("Must have at most 2 decimal places.")
    if amount > refundable:
        raise InvalidRefundAmount(f"Must not be more than what is left to refund ({refundable}).")
    return amount.quantize(CENT)


@transaction.atomic
def refund_payment(*, payment_id: int, amount: Decimal | None = None) -> RefundSummary:
    """Refund `amount` of a captured payment (all that is left when None) through its provider;
    the refund that gives the last of it back makes the order `refunded`.

    The order is locked first (the lock order of every transaction touching an order and its
    payments), so a refund and a ship or cancel of the same order queue instead of deadlocking,
    and a fully refunded order can never be shipped.
    """
    order_id = Payment.objects.filter(pk=payment_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise PaymentNotFound()
    order_services.lock_order(order_id=order_id)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status not in REFUNDABLE_STATUSES:
        raise PaymentNotRefundable()
    refundable = payment.refundable_amount
    amount = refundable if amount is None else _valid_refund_amount(amount, refundable=refundable)
    refund = _refund(payment, amount=amount)
    if payment.status == PaymentStatus.REFUNDED:
        order_services.mark_refunded(
            order_id=order_id, note=f"Refunded in full (payment {payment.pk})."
        )
    return _refund_summary(refund)


@transaction.atomic
def refund_for_cancelled_order(*, order_id: int) -> list[RefundSummary]:
    """Refund in full every captured payment of an order being cancelled, in its transaction."""
    payments = (
        Payment.objects.select_for_update()
        .filter(order_id=order_id, status__in=REFUNDABLE_STATUSES)
        .order_by("pk")
    )
    return [
        _refund_summary(_refund(payment, amount=payment.refundable_amount)) for payment in payments
    ]


def _names_another_charge(payment: Payment, event: WebhookEvent) -> bool:
    return bool(
        payment.provider_reference
        and event.charge_reference
        and payment.provider_reference != event.charge_reference
    )


def handle_webhook(*, provider: str, body: bytes, headers: Mapping[str, str]) -> WebhookOutcome:
    """Verify a provider's webhook and settle the payment it names, once per event id."""
    event = get_gateway(provider).parse_webhook(body=body, headers=headers)
    if event.payment_id is None:
        return "ignored"
    payment = Payment.objects.filter(pk=event.payment_id, provider=provider).first()
    if payment is None:
        return "ignored"
    with transaction.atomic():
        order_payable = _lock_order_if_payable(payment)
        try:
            with transaction.atomic():
                ProcessedWebhookEvent.objects.create(
                    provider=provider, event_id=event.id, type=event.type
                )
        except IntegrityError:
            return "duplicate"
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != PaymentStatus.PROCESSING or _names_another_charge(payment, event):
            return "processed"
        payment.provider_reference = payment.provider_reference or event.charge_reference
        if event.type == PAYMENT_SUCCEEDED:
            if not payment.provider_reference:
                # The charge's answer was lost: without its reference the money could never
                # be refunded, so the event must name the charge (rolls back the event id).
                raise InvalidWebhook("The payment's charge is unknown: name it in data.charge.")
            _capture(payment, order_payable=order_payable)
        else:
            _fail(payment, failure_code=event.failure_code)
    return "processed"


def reconcile_processing_payments(*, now: datetime | None = None) -> int:
    """Ask the provider about the payments processing for longer than
    `PAYMENTS_RECONCILE_AFTER_SECONDS` and settle its answers; how many are settled now.

    Each answer is settled in a transaction of its own, by the path a charge's answer takes
    (`_settle_charge`): captured → succeeded and the order paid, or refunded at once if the
    order no longer takes money; declined → failed. A charge the provider never received fails
    `not_captured` (the order stays payable, and paying again opens a new attempt with a new
    key), unless a retry of `pay_order` touched the attempt since the claim: that retry is
    asking the provider itself. A provider that does not answer leaves the payment processing,
    asked again once it is stale again. No transaction is open while the provider is asked.
    """
    now = timezone.now() if now is None else now
    settled = 0
    for payment in _claim_stale_payments(now=now):
        try:
            summary = _reconcile(payment, claimed_at=now)
        except Exception:
            logger.exception("Reconciling payment %s failed; it stays processing.", payment.pk)
            continue
        settled += summary is not None and summary.status != PaymentStatus.PROCESSING
    return settled


@transaction.atomic
def _claim_stale_payments(*, now: datetime) -> list[Payment]:
    """A batch of stale processing payments, each marked as asked about at `now`, so that an
    overlapping run leaves it alone. Rows another transaction holds are skipped, never waited
    for: this lock, taken without the order's, can never be part of a deadlock."""
    stale_since = now - timedelta(seconds=settings.PAYMENTS_RECONCILE_AFTER_SECONDS)
    payments = list(
        Payment.objects.select_for_update(skip_locked=True)
        .filter(status=PaymentStatus.PROCESSING, updated_at__lte=stale_since)
        .order_by("updated_at", "pk")[:RECONCILE_BATCH_SIZE]
    )
    Payment.objects.filter(pk__in=[payment.pk for payment in payments]).update(updated_at=now)
    for payment in payments:
        payment.updated_at = now
    return payments


def _reconcile(payment: Payment, *, claimed_at: datetime) -> PaymentSummary | None:
    """Ask the provider what became of a claimed payment's charge and settle its answer."""
    try:
        result = get_gateway(payment.provider).retrieve_charge(
            idempotency_key=charge_idempotency_key(payment.pk),
            reference=payment.provider_reference,
        )
    except Exception:
        logger.exception("Asking about payment %s failed; it stays processing.", payment.pk)
        return None
    if result is not None:
        return _settle_charge(payment=payment, result=result)
    with transaction.atomic():
        _lock_order_if_payable(payment)
        untouched = Payment.objects.select_for_update().filter(
            pk=payment.pk, status=PaymentStatus.PROCESSING, updated_at=claimed_at
        )
        if not untouched.exists():
            return None
        never_charged = ChargeResult(
            status="failed",
            reference="",
            amount=payment.amount,
            currency=payment.currency,
            failure_code=NOT_CAPTURED,
        )
        return _settle_charge(payment=payment, result=never_charged)


def prune_processed_webhook_events(*, now: datetime | None = None) -> int:
    """Forget the provider events received more than `PAYMENTS_WEBHOOK_EVENT_RETENTION_DAYS`
    ago, in bounded batches; how many were deleted. A replay that old fails its signature's
    300 s tolerance long before, and would find its payment settled anyway."""
    now = timezone.now() if now is None else now
    retention = timedelta(days=settings.PAYMENTS_WEBHOOK_EVENT_RETENTION_DAYS)
    return delete_in_batches(ProcessedWebhookEvent.objects.filter(received_at__lt=now - retention))
