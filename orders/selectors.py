"""Reads for the orders app's own views, as `.values()` rows, so query counts stay flat.

An order is a row of `ORDER_FIELDS`; its lines and its tracking history are rows too, read for
a whole page of orders at once (one query each) and grouped by order in Python. So a page or
one order costs the same few queries however many lines and events the orders have, and no
model instance is built: building a page's hundred instances cost more than the database spent
answering (see docs/PERFORMANCE.md). `orders.serializers.order_json` renders the rows.
"""

from collections import defaultdict
from collections.abc import Iterable
from operator import itemgetter

from django.db.models import QuerySet

from kernel.permissions import staff_may_view
from orders.exceptions import OrderNotFound
from orders.models import Order, OrderEvent, OrderLine

ORDER_FIELDS = (
    "id",
    "number",
    "status",
    "customer_id",
    "subtotal",
    "total",
    "currency",
    "shipping_address",
    "carrier",
    "tracking_number",
    "created_at",
    "updated_at",
)
LINE_FIELDS = ("product_id", "sku", "name", "unit_price", "quantity", "line_total")
EVENT_FIELDS = ("status", "note", "created_at")

# Built once, never evaluated: `.values()` resolves its field names when it is called, which
# costs more than SQLite takes to answer these small queries; each read filters a copy. Lines
# and events come unordered and are sorted here: compiling an ORDER BY costs more than sorting
# a page's rows.
_ORDERS = Order.objects.order_by().values(*ORDER_FIELDS)
_NEWEST_FIRST = _ORDERS.order_by("-created_at", "-id")
_LINES = OrderLine.objects.order_by().values("id", "order_id", *LINE_FIELDS)
_EVENTS = OrderEvent.objects.order_by().values("id", "order_id", *EVENT_FIELDS)


def _visible(orders: QuerySet, *, user, **filters) -> QuerySet:
    """A copy of `orders` with `filters`, narrowed to those `user` may see: their own; staff who
    may view orders, everyone's (in one `filter()` call, as each call costs about as much
    again)."""
    if not sees_every_order(user):
        filters["customer_id"] = user.pk
    return orders.filter(**filters)


def order_rows(*, user, status: str | None = None) -> QuerySet[dict]:
    """The orders `user` may see (their own; staff who may view orders: everyone's), newest
    first, as rows;
    only those in `status` when it is given. DRF's paginator pages it: a count and a slice."""
    return _visible(_NEWEST_FIRST, user=user, **({"status": status} if status else {}))


def order_row(*, user, order_id: int) -> dict:
    """One order `user` may see, as a row; `OrderNotFound` if it is missing or not theirs."""
    row = next(iter(_visible(_ORDERS, user=user, pk=order_id)), None)
    if row is None:
        raise OrderNotFound()
    return row


def lines_and_events(
    *, order_ids: Iterable[int]
) -> tuple[dict[int, list[dict]], dict[int, list[dict]]]:
    """The lines and the events of these orders as rows, oldest first, by order id (an order
    without any maps to an empty list): one query for all the lines, one for all the events."""
    order_ids = list(order_ids)
    lines: dict[int, list[dict]] = defaultdict(list)
    events: dict[int, list[dict]] = defaultdict(list)
    for line in sorted(_LINES.filter(order_id__in=order_ids), key=itemgetter("id")):
        lines[line["order_id"]].append(line)
    for event in sorted(_EVENTS.filter(order_id__in=order_ids), key=itemgetter("created_at", "id")):
        events[event["order_id"]].append(event)
    return lines, events


def visible_order_customer_id(*, user, order_id: int) -> int:
    """The id of the customer who placed the order; `OrderNotFound` unless `user` may see it
    (one cheap query)."""
    customer_id = next(
        iter(_visible(Order.objects.values_list("customer_id", flat=True), user=user, pk=order_id)),
        None,
    )
    if customer_id is None:
        raise OrderNotFound()
    return customer_id


def sees_every_order(user) -> bool:
    """Staff who may view orders (`orders.view_order` or `change_order`) see everyone's."""
    return staff_may_view(user, Order)
