"""Reads for payments' own views, admin and consumers."""

from decimal import Decimal

from django.db.models import QuerySet

from kernel.permissions import staff_may_view
from payments.models import Payment, Refund


def payments_visible_to(
    *, user, order_id: int | None = None, key_opens_order: bool = False
) -> QuerySet[Payment]:
    """Staff who may view payments see every payment, anyone else only their own; newest first.

    `key_opens_order`: the caller presented the guest order `order_id`'s key (checked by the
    caller with `orders.services.order_key_matches`), which shows that order's payments.
    """
    if (key_opens_order and order_id is not None) or staff_may_view(user, Payment):
        payments = Payment.objects.all()
    elif user.is_authenticated:
        payments = Payment.objects.filter(customer=user)
    else:
        payments = Payment.objects.none()
    if order_id is not None:
        payments = payments.filter(order_id=order_id)
    return payments.order_by("-created_at", "-id")


def refund_reported(*, payment_id: int, refunded_amount: Decimal) -> Refund:
    """The refund that a `payment.refunded` event of this payment reports: the one that brought
    its `refunded_amount` to the event's (a payment's refunds add up to it, oldest first), with
    its payment. Its amount is not in the event, which is the payment as the API shows it."""
    refunds = Refund.objects.filter(payment_id=payment_id).select_related("payment")
    total = Decimal("0.00")
    for refund in refunds.order_by("pk"):
        total += refund.amount
        if total == refunded_amount:
            return refund
    raise LookupError(f"No refund of payment {payment_id} brings it to {refunded_amount}.")
