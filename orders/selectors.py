"""Reads for the orders app's own views, shaped so query counts stay flat.

The API reads orders as plain rows (`OrderRows`): a page or one order costs the same few
queries however many lines and events the orders have, and the queries are written out in SQL.
The ORM spent several times longer building each of these four small queries and the hundred
model instances of a page than the database spent answering them, and the order list is the
API's busiest authenticated read (see docs/PERFORMANCE.md). The rows have the order's fields
plus `lines` and `events`, lists of dicts, oldest first: what `OrderSerializer` renders.
"""

import datetime
import json
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch, QuerySet

from kernel.permissions import staff_may_view
from orders.exceptions import OrderNotFound
from orders.models import Order, OrderEvent, OrderLine


def _columns(model, names: tuple[str, ...]) -> str:
    return ", ".join(model._meta.get_field(name).column for name in names)


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
LINE_FIELDS = ("order_id", "product_id", "sku", "name", "unit_price", "quantity", "line_total")
EVENT_FIELDS = ("order_id", "status", "note", "created_at")
_ORDERS = Order._meta.db_table
_SELECT_ORDERS = f"SELECT {_columns(Order, ORDER_FIELDS)} FROM {_ORDERS}"
_COUNT_ORDERS = f"SELECT COUNT(*) FROM {_ORDERS}"
_NEWEST_FIRST = " ORDER BY created_at DESC, id DESC"
_SELECT_LINES = (
    f"SELECT {_columns(OrderLine, LINE_FIELDS)} FROM {OrderLine._meta.db_table}"
    " WHERE order_id IN ({}) ORDER BY id"
)
_SELECT_EVENTS = (
    f"SELECT {_columns(OrderEvent, EVENT_FIELDS)} FROM {OrderEvent._meta.db_table}"
    " WHERE order_id IN ({}) ORDER BY created_at, id"
)


def _decimal(value) -> Decimal:
    """SQLite hands decimals back as floats (the ORM converts them the same way)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _aware(value: datetime.datetime) -> datetime.datetime:
    """SQLite stores UTC without a zone; PostgreSQL answers in UTC with one."""
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


class OrderRows:
    """The orders a user may see (their own; staff: everyone's), newest first, as rows.

    Sliceable and countable, so DRF's paginator pages it like a queryset: a page costs a count,
    the page's orders, and their lines and events.
    """

    ordered = True

    def __init__(self, *, user, status: str | None = None, order_id: int | None = None) -> None:
        conditions, self._params = [], []
        if not sees_every_order(user):
            conditions.append("customer_id = %s")
            self._params.append(user.pk)
        if status:
            conditions.append("status = %s")
            self._params.append(status)
        if order_id is not None:
            conditions.append("id = %s")
            self._params.append(order_id)
        self._where = f" WHERE {' AND '.join(conditions)}" if conditions else ""

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(_COUNT_ORDERS + self._where, self._params)
            return cursor.fetchone()[0]

    def __getitem__(self, window: slice) -> list[dict]:
        start, stop = window.start or 0, window.stop
        sql = _SELECT_ORDERS + self._where + _NEWEST_FIRST + " LIMIT %s OFFSET %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self._params, stop - start, start])
            orders = [self._order(row) for row in cursor.fetchall()]
            if orders:
                self._add_lines_and_events(cursor, orders)
        return orders

    @staticmethod
    def _order(row: tuple) -> dict:
        order = dict(zip(ORDER_FIELDS, row, strict=True))
        for money in ("subtotal", "total"):
            order[money] = _decimal(order[money])
        order["shipping_address"] = _json(order["shipping_address"])
        order["created_at"] = _aware(order["created_at"])
        order["updated_at"] = _aware(order["updated_at"])
        order["lines"], order["events"] = [], []
        return order

    @staticmethod
    def _add_lines_and_events(cursor, orders: list[dict]) -> None:
        by_id = {order["id"]: order for order in orders}
        placeholders = ", ".join(["%s"] * len(by_id))
        cursor.execute(_SELECT_LINES.format(placeholders), list(by_id))
        for order_id, product_id, sku, name, unit_price, quantity, total in cursor.fetchall():
            by_id[order_id]["lines"].append(
                {
                    "product_id": product_id,
                    "sku": sku,
                    "name": name,
                    "unit_price": _decimal(unit_price),
                    "quantity": quantity,
                    "line_total": _decimal(total),
                }
            )
        cursor.execute(_SELECT_EVENTS.format(placeholders), list(by_id))
        for order_id, status, note, created_at in cursor.fetchall():
            by_id[order_id]["events"].append(
                {"status": status, "note": note, "created_at": _aware(created_at)}
            )


def order_rows(*, user, status: str | None = None) -> OrderRows:
    """The orders `user` may see, newest first, optionally only those in `status`."""
    return OrderRows(user=user, status=status)


def order_row(*, user, order_id: int) -> dict:
    """One order `user` may see, as a row; `OrderNotFound` if it is missing or not theirs."""
    rows = OrderRows(user=user, order_id=order_id)[0:1]
    if not rows:
        raise OrderNotFound()
    return rows[0]


def _visible_orders(*, user) -> QuerySet[Order]:
    orders = (
        Order.objects.all() if sees_every_order(user) else Order.objects.filter(customer_id=user.pk)
    )
    return orders.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "id")),
    )


def order_list(*, user) -> QuerySet[Order]:
    """The orders `user` may see as model instances, newest first (for DRF's generic views)."""
    return _visible_orders(user=user).order_by("-created_at", "-id")


def order_detail(*, user, order_id: int) -> Order:
    """One order `user` may see, with its lines and events; `OrderNotFound` otherwise."""
    order = _visible_orders(user=user).filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    return order


def visible_order_customer_id(*, user, order_id: int) -> int:
    """The id of the customer who placed the order; `OrderNotFound` unless `user` may see it
    (one cheap query, nothing prefetched)."""
    orders = Order.objects.filter(pk=order_id)
    if not sees_every_order(user):
        orders = orders.filter(customer_id=user.pk)
    customer_id = orders.values_list("customer_id", flat=True).first()
    if customer_id is None:
        raise OrderNotFound()
    return customer_id


def sees_every_order(user) -> bool:
    """Staff who may view orders (`orders.view_order` or `change_order`) see everyone's."""
    return staff_may_view(user, Order)
