"""Reads for payments' own views and admin."""

from django.db.models import QuerySet

from kernel.permissions import staff_may_view
from payments.models import Payment


def payments_visible_to(*, user, order_id: int | None = None) -> QuerySet[Payment]:
    """Staff who may view payments see every payment, anyone else only their own; newest first."""
    payments = (
        Payment.objects.all()
        if staff_may_view(user, Payment)
        else Payment.objects.filter(customer=user)
    )
    if order_id is not None:
        payments = payments.filter(order_id=order_id)
    return payments.order_by("-created_at", "-id")
