"""Reads for the orders app's own views, shaped so query counts stay flat.

An order is always read with its lines and events prefetched: a list or a detail costs the
same few queries however many lines and events the orders have.
"""

from django.db.models import Prefetch, QuerySet

from orders.exceptions import OrderNotFound
from orders.models import Order, OrderEvent, OrderLine


def _visible_orders(*, user) -> QuerySet[Order]:
    orders = Order.objects.all()
    if not user.is_staff:
        orders = orders.filter(customer_id=user.pk)
    return orders.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "id")),
    )


def order_list(*, user, status: str | None = None) -> QuerySet[Order]:
    """The orders `user` may see (their own; staff: everyone's), newest first."""
    orders = _visible_orders(user=user)
    if status:
        orders = orders.filter(status=status)
    return orders.order_by("-created_at", "-id")


def check_order_visible(*, user, order_id: int) -> None:
    """`OrderNotFound` unless `user` may see the order (one cheap query, nothing prefetched)."""
    orders = Order.objects.filter(pk=order_id)
    if not user.is_staff:
        orders = orders.filter(customer_id=user.pk)
    if not orders.exists():
        raise OrderNotFound()


def order_detail(*, user, order_id: int) -> Order:
    """One order `user` may see; `OrderNotFound` for an order that is missing or not theirs."""
    order = _visible_orders(user=user).filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    return order
