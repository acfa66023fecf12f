"""The project's only use of database cursors: ORM queries compiled once, and raw statements.

`CompiledQuery` runs a `.values()` queryset many times with new parameter values without
building it again. The ORM still writes the SQL: the queryset is built once per database alias
(and per length of each list parameter) with a unique sentinel for every parameter, compiled,
and the position of each sentinel in the compiled parameters recorded; a run puts the values in
those positions and executes the cached SQL. Why: on the hot reads (the order list and detail,
a product) building and compiling each small query cost 150-190 µs where SQLite answered in
20-80 µs, so a page of orders spent more time in the ORM than in the database. Measured
in-process on SQLite (the least CPU time of a full request, 20 orders of 3 lines), hand-written
SQL / the ORM / the ORM compiled once: the order list 1,780 / 3,000 / 1,910 µs, one order
820 / 1,420 / 860 µs, one product 365 / 605 / 380 µs.

Rows are converted to the Python values the ORM's `.values()` would return (a test pins them on
SQLite and PostgreSQL). Django's own converters do it, except for the three whose per-value
overhead dominated a page (about 380 µs for a page's 20 orders, 60 lines and 60 events, where
converting directly took 66 µs): SQLite's datetimes and decimals, and JSON on both backends.
Those get a direct equivalent derived once per column from the field (`_fast_converter`).

`execute()` runs a statement the ORM cannot express cheaply (the stock UPDATE with one CASE for
several rows) or at all (the health check's `SELECT 1`); SQL naming a table or column must
still be built from model `_meta` names.
"""

import datetime
import decimal
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func, IntegerField, JSONField, QuerySet
from django.db.models.expressions import Col

COUNT_ROWS = Func(template="COUNT(*)", output_field=IntegerField())
"""`COUNT(*)` as a plain expression, for `.values(n=COUNT_ROWS)`: Django's `Count` is an
aggregate, and in `.values()` it groups by every column, one count per row."""

_RESERVED = frozenset({"using", "limit", "offset"})
# Within every integer column's range (the ORM turns an out-of-range lookup into an empty or a
# full result, with no parameter left to find); no real value of an app comes near.
_INT_SENTINEL_BASE = 2_147_000_000


class CompilationError(Exception):
    """The queryset cannot be compiled once and rerun: a parameter's sentinel did not reach the
    SQL's parameters exactly once (a lookup transformed it, or it was used twice), or the
    queryset is not a plain `.values()` query."""


class CompiledQuery:
    """A `.values()` query built by `build(**parameters)`, compiled once, run with new values.

    `parameters` names each keyword `build` takes and its type: `int` or `str`, or `[int]` /
    `[str]` for a list (an `__in` lookup), compiled once per length. Only ints and strings,
    because the ORM passes those to the database unchanged (or wrapped in a subclass, which is
    applied to new values too), so a value can replace its sentinel as it is. Never None: the
    ORM would write `IS NULL` where this query has `= %s`. For example
    `CompiledQuery(Order.objects.values("id").filter, customer_id=int)`.
    """

    def __init__(self, build: Callable[..., QuerySet], **parameters: type | list[type]) -> None:
        if _RESERVED & parameters.keys():
            raise CompilationError(f"Parameter names {sorted(_RESERVED)} are reserved.")
        for name, kind in parameters.items():
            element = kind[0] if isinstance(kind, list) and len(kind) == 1 else kind
            if element not in (int, str):
                raise CompilationError(f"{name}: only int, str, [int] or [str] parameters.")
        self._build = build
        self._parameters = parameters
        self._lists = tuple(name for name, kind in parameters.items() if isinstance(kind, list))
        self._compiled: dict[tuple, _Compiled] = {}
        self.compilations = 0

    def rows(
        self,
        *,
        using: str = DEFAULT_DB_ALIAS,
        limit: int | None = None,
        offset: int = 0,
        **values: Any,
    ) -> list[dict]:
        """The rows for these parameter values, as `.values()` dicts; `limit` and `offset`
        window them (after the queryset's ordering). An empty list parameter matches nothing."""
        if values.keys() != self._parameters.keys():
            raise TypeError(
                f"Expected parameters {sorted(self._parameters)}, got {sorted(values)}."
            )
        if any(not values[name] for name in self._lists):
            return []
        compiled = self._compiled_for(using, tuple(len(values[name]) for name in self._lists))
        return compiled.run(connections[using], values, limit, offset)

    def value(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> Any:
        """The first column of the first row, or None when there is no row."""
        rows = self.rows(using=using, limit=1, **values)
        return next(iter(rows[0].values())) if rows else None

    def _compiled_for(self, alias: str, lengths: tuple[int, ...]) -> "_Compiled":
        key = (alias, lengths)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(alias, dict(zip(self._lists, lengths, strict=True)))
            self._compiled[key] = compiled
            self.compilations += 1
        return compiled

    def _compile(self, alias: str, lengths: dict[str, int]) -> "_Compiled":
        sentinels: dict[Any, tuple[str, int | None]] = {}
        arguments = {}
        for name, kind in self._parameters.items():
            if name in lengths:
                arguments[name] = [
                    _sentinel(kind[0], len(sentinels) + i) for i in range(lengths[name])
                ]
                for i, sentinel in enumerate(arguments[name]):
                    sentinels[(type(sentinel), sentinel)] = (name, i)
            else:
                arguments[name] = _sentinel(kind, len(sentinels))
                sentinels[(type(arguments[name]), arguments[name])] = (name, None)
        queryset = self._build(**arguments)
        query = queryset.query
        if query.is_sliced:
            raise CompilationError("Pass limit and offset to rows() instead of slicing.")
        if query.select_for_update:
            raise CompilationError("A locking read cannot take a LIMIT after its FOR UPDATE.")
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        if not names or len(names) != compiler.col_count:
            raise CompilationError("Only a .values() queryset can be compiled.")
        slots, found = [], set()
        for position, param in enumerate(params):
            kind = next((kind for kind in (int, str) if isinstance(param, kind)), None)
            slot = None if kind is None else sentinels.get((kind, kind(param)))
            if slot is not None:
                if slot in found:
                    raise CompilationError(f"Parameter {slot[0]!r} appears twice in the SQL.")
                found.add(slot)
                # The ORM may wrap a value in a subclass naming the column's type (psycopg's
                # Int4 on PostgreSQL): a new value is wrapped the same way.
                wrap = None if type(param) is kind else type(param)
                slots.append((position, *slot, wrap))
        missing = sorted({name for name, index in sentinels.values() if (name, index) not in found})
        if missing:
            raise CompilationError(
                f"Parameters {missing} do not reach the SQL as they are (a lookup transformed "
                "them, or the queryset ignores them): they cannot be compiled once."
            )
        connection = connections[alias]
        fields = [select[0] for select in compiler.select[: compiler.col_count]]
        converters = [
            (position, _converter(connection, fields[position], django_converters))
            for position, (django_converters, _) in compiler.get_converters(fields).items()
        ]
        return _Compiled(sql, list(params), slots, tuple(names), converters)


def _sentinel(kind: type, index: int) -> int | str:
    return _INT_SENTINEL_BASE + index if kind is int else f"\x00kernel.db sentinel {index}\x00"


class _Compiled:
    """One compiled variant: the SQL, its parameters with sentinels, where each value goes."""

    def __init__(self, sql, params, slots, names, converters) -> None:
        self.sql = sql
        self.params = params
        self.slots = slots
        self.names = names
        self.converters = converters

    def run(self, connection, values: dict, limit: int | None, offset: int) -> list[dict]:
        params = self.params.copy()
        for position, name, index, wrap in self.slots:
            value = values[name] if index is None else values[name][index]
            params[position] = value if wrap is None else wrap(value)
        sql = self.sql
        if limit is not None:
            # Appended rather than compiled: the ORM writes LIMIT and OFFSET into the SQL as
            # literals, which would mean one compilation per page. Both SQLite and PostgreSQL
            # take this form.
            sql = f"{sql} LIMIT %s OFFSET %s"
            params += [limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        names, converters = self.names, self.converters
        if not converters:
            return [dict(zip(names, row, strict=True)) for row in fetched]
        rows = []
        for row in fetched:
            row = list(row)
            for position, convert in converters:
                value = row[position]
                if value is not None:
                    row[position] = convert(value)
            rows.append(dict(zip(names, row, strict=True)))
        return rows


def _converter(connection, expression, django_converters: list) -> Callable[[Any], Any]:
    """A one-argument function converting a column's non-NULL database value (no converter
    Django has for SQLite or PostgreSQL turns NULL into anything else): the direct equivalent
    from `_fast_converter` when there is one, Django's converters otherwise."""

    def django(value):
        for converter in django_converters:
            value = converter(value, expression, connection)
        return value

    return _fast_converter(connection, expression, django) or django


def _fast_converter(connection, expression, django: Callable) -> Callable[[Any], Any] | None:
    """A direct equivalent of Django's converters for the costly cases, or None. A value it
    does not expect (a datetime stored as text, say) goes to `django`.

    SQLite: the driver already parses declared datetimes into naive ones in the connection's
    zone; Django makes them aware (`make_aware` is `replace(tzinfo=...)`). A column's decimals
    come back as floats (or ints), which Django rounds to 15 significant digits and quantizes
    to the field's places. JSON, on both: Django's `from_db_value` parses text with the field's
    decoder (a subclass with its own `from_db_value` keeps Django's way, which calls it).
    """
    field = expression.output_field
    internal_type = field.get_internal_type()
    plain_json = getattr(type(field), "from_db_value", None) is JSONField.from_db_value
    if plain_json and isinstance(expression, Col):
        decoder = field.decoder

        def from_json(value):
            if isinstance(value, str):
                try:
                    return json.loads(value, cls=decoder)
                except json.JSONDecodeError:
                    return value
            return django(value)

        return from_json
    if connection.vendor != "sqlite":
        return None
    if internal_type == "DateTimeField" and settings.USE_TZ:
        zone = connection.timezone

        def aware(value):
            if type(value) is datetime.datetime and value.tzinfo is None:
                return value.replace(tzinfo=zone)
            return django(value)

        return aware
    if internal_type == "DecimalField" and isinstance(expression, Col):
        create_decimal = decimal.Context(prec=15).create_decimal_from_float
        quantum = decimal.Decimal(1).scaleb(-field.decimal_places)
        context = field.context

        def to_decimal(value):
            if type(value) is float or type(value) is int:
                return create_decimal(value).quantize(quantum, context=context)
            return django(value)

        return to_decimal
    return None


def execute(sql: str, params: Sequence, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Run one statement the ORM cannot express cheaply; the number of rows it changed.

    Build `sql` from model `_meta` column names quoted with `connection.ops.quote_name`, never
    from input: values go in `params`."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
