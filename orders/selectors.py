"""Reads for the orders app's own views, as `.values()` rows, so query counts stay flat.

An order is a row of `ORDER_FIELDS`; its lines and its tracking history are rows too, read for
a whole page of orders at once (one query each) and grouped by order in Python. So a page or
one order costs the same few queries however many lines and events the orders have, and no
model instance is built: building a page's hundred instances cost more than the database spent
answering (see docs/PERFORMANCE.md). `orders.serializers.order_json` renders the rows.

Each query is built by the ORM but compiled once, by `kernel.db.CompiledQuery`, and run with
new values: building and compiling it cost 150-190 µs a query where SQLite answered in 20-80
µs, which made the order list twice as slow to read as hand-written SQL. The list is paged
explicitly (a count, then one window) by the kernel paginator's `paginate_rows`.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from kernel.db import COUNT_ROWS, CompiledQuery
from kernel.permissions import staff_may_view
from orders import keys
from orders.exceptions import OrderNotFound
from orders.models import Order, OrderEvent, OrderLine

ORDER_FIELDS = (
    "id",
    "number",
    "status",
    "customer_id",
    "key_hash",
    "email",
    "subtotal",
    "discount_total",
    "shipping_total",
    "tax_total",
    "total",
    "currency",
    "shipping_address",
    "shipping_method_code",
    "shipping_method_name",
    "shipping_method_price",
    "voucher_code",
    "carrier",
    "tracking_number",
    "expires_at",
    "cancellation_reason",
    "created_at",
    "updated_at",
)
LINE_FIELDS = (
    "product_id",
    "variant_id",
    "sku",
    "name",
    "variant_name",
    "unit_price",
    "quantity",
    "line_total",
)
EVENT_FIELDS = ("status", "note", "created_at")

# Each read is an ORM query compiled once (`kernel.db.CompiledQuery`) and run with new values:
# building and compiling these small queries cost several times what SQLite took to answer
# them. One compiled query per combination of filters a read uses.
_ORDERS = Order.objects.order_by().values(*ORDER_FIELDS)
_NEWEST_FIRST = _ORDERS.order_by("-created_at", "-id")
_COUNT = Order.objects.order_by().values(n=COUNT_ROWS)


def _by_filters(queryset: QuerySet, **always: type) -> dict[tuple[bool, bool], CompiledQuery]:
    """`queryset` filtered by `always`, by the customer (unless staff see every order) and by
    the status (when one is asked for), each combination compiled on its own."""
    return {
        (own, by_status): CompiledQuery(
            queryset.filter,
            **always,
            **({"customer_id": int} if own else {}),
            **({"status": str} if by_status else {}),
        )
        for own in (False, True)
        for by_status in (False, True)
    }


_PAGE = _by_filters(_NEWEST_FIRST)
_COUNTS = _by_filters(_COUNT)
_ONE = _by_filters(_ORDERS, pk=int)
_LINES = CompiledQuery(
    OrderLine.objects.order_by("id").values("order_id", *LINE_FIELDS).filter, order_id__in=[int]
)
_EVENTS = CompiledQuery(
    OrderEvent.objects.order_by("created_at", "id").values("order_id", *EVENT_FIELDS).filter,
    order_id__in=[int],
)


def _visible(
    queries: dict[tuple[bool, bool], CompiledQuery], *, user, status: str | None = None
) -> tuple[CompiledQuery, dict]:
    """The query of `queries` narrowing to the orders `user` may see (their own; staff who may
    view orders: everyone's), in `status` when one is given, and its filter values."""
    filters = {}
    own = not sees_every_order(user)
    if own:
        filters["customer_id"] = user.pk
    if status:
        filters["status"] = status
    return queries[own, bool(status)], filters


def count_orders(*, user, status: str | None = None) -> int:
    """How many orders `user` may see (in `status` when it is given)."""
    query, filters = _visible(_COUNTS, user=user, status=status)
    return query.value(**filters)


def order_page(*, user, status: str | None = None, limit: int, offset: int) -> list[dict]:
    """A window of the orders `user` may see (in `status` when it is given), newest first, as
    rows."""
    query, filters = _visible(_PAGE, user=user, status=status)
    return query.rows(limit=limit, offset=offset, **filters)


def order_row(*, user, order_id: int, order_key: str | None = None) -> dict:
    """One order `user` may see, as a row; `OrderNotFound` if it is missing or not theirs.

    `order_key` (the `Order-Key` header) opens the guest order it is the key of, whoever
    sends it; a key that does not open this order leaves it to `user` (anonymous: nobody).
    """
    if order_key is not None:
        rows = _ONE[False, False].rows(pk=order_id)
        if rows and keys.key_opens(key=order_key, stored_hash=rows[0]["key_hash"]):
            return rows[0]
    if not user.is_authenticated:
        raise OrderNotFound()
    query, filters = _visible(_ONE, user=user)
    rows = query.rows(pk=order_id, **filters)
    if not rows:
        raise OrderNotFound()
    return rows[0]


def lines_and_events(
    *, order_ids: Iterable[int]
) -> tuple[dict[int, list[dict]], dict[int, list[dict]]]:
    """The lines and the events of these orders as rows, oldest first, by order id (an order
    without any maps to an empty list): one query for all the lines, one for all the events."""
    order_ids = list(order_ids)
    lines: dict[int, list[dict]] = defaultdict(list)
    events: dict[int, list[dict]] = defaultdict(list)
    for line in _LINES.rows(order_id__in=order_ids):
        lines[line["order_id"]].append(line)
    for event in _EVENTS.rows(order_id__in=order_ids):
        events[event["order_id"]].append(event)
    return lines, events


def visible_order_customer_id(*, user, order_id: int) -> int | None:
    """The id of the customer who placed the order (None: a guest's); `OrderNotFound` unless
    `user` may see it (one cheap query)."""
    return order_row(user=user, order_id=order_id)["customer_id"]


def sees_every_order(user) -> bool:
    """Staff who may view orders (`orders.view_order` or `change_order`) see everyone's."""
    return staff_may_view(user, Order)
