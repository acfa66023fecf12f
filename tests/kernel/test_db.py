"""`kernel.db`: an ORM query compiled once and run with new values, its rows the same Python
values the ORM's `.values()` gives, on whichever database the suite runs on."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kernel.db import COUNT_ROWS, CompilationError, CompiledQuery, execute
from kernel.models import IdempotencyKey

pytestmark = pytest.mark.django_db

KEY_FIELDS = (
    "id",
    "user_id",
    "scope",
    "key",
    "response_status",
    "response_body",
    "created_at",
    "locked_at",
)


@pytest.fixture
def keys(customer, other_customer) -> list[IdempotencyKey]:
    now = timezone.now()
    return [
        IdempotencyKey.objects.create(
            user=customer, scope="orders.place", key="a", fingerprint="f", created_at=now
        ),
        IdempotencyKey.objects.create(
            user=customer,
            scope="orders.place",
            key="b",
            fingerprint="f",
            response_status=201,
            response_body={"id": 7, "total": "10.50", "items": [1, None], "ok": True},
            created_at=now - timedelta(days=1, microseconds=3),
        ),
        IdempotencyKey.objects.create(
            user=other_customer,
            scope="payments.pay",
            key="c",
            fingerprint="f",
            response_status=200,
            response_body=[],
        ),
    ]


def test_rows_are_what_the_orms_values_gives(keys):
    query = CompiledQuery(
        IdempotencyKey.objects.order_by("id").values(*KEY_FIELDS).filter, user_id=int
    )

    for user_id in {key.user_id for key in keys}:
        expected = list(
            IdempotencyKey.objects.order_by("id").values(*KEY_FIELDS).filter(user_id=user_id)
        )
        rows = query.rows(user_id=user_id)
        assert rows == expected
        for row, orm_row in zip(rows, expected, strict=True):
            for name in KEY_FIELDS:
                assert type(row[name]) is type(orm_row[name]), name
    assert all(timezone.is_aware(row["created_at"]) for row in query.rows(user_id=keys[0].user_id))
    assert [row["response_body"] for row in query.rows(user_id=keys[0].user_id)] == [
        None,
        {"id": 7, "total": "10.50", "items": [1, None], "ok": True},
    ]


def test_it_compiles_once_and_runs_with_new_values(keys):
    query = CompiledQuery(
        IdempotencyKey.objects.order_by("id").values("key").filter, user_id=int, scope=str
    )
    assert [row["key"] for row in query.rows(user_id=keys[0].user_id, scope="orders.place")] == [
        "a",
        "b",
    ]

    with mock.patch.object(SQLCompiler, "as_sql", autospec=True) as as_sql:
        assert query.rows(user_id=keys[2].user_id, scope="payments.pay") == [{"key": "c"}]
        assert query.rows(user_id=keys[2].user_id, scope="orders.place") == []
        assert query.rows(user_id=keys[0].user_id, scope="payments.pay") == []

    as_sql.assert_not_called()
    assert query.compilations == 1


def test_in_lists_compile_once_per_length(keys):
    query = CompiledQuery(IdempotencyKey.objects.order_by("id").values("key").filter, id__in=[int])
    ids = [key.id for key in keys]

    assert query.rows(id__in=ids[:1]) == [{"key": "a"}]
    assert query.rows(id__in=ids) == [{"key": "a"}, {"key": "b"}, {"key": "c"}]
    assert query.rows(id__in=ids[1:2]) == [{"key": "b"}]
    assert query.rows(id__in=[ids[2], ids[0], ids[1]]) == [{"key": "a"}, {"key": "b"}, {"key": "c"}]
    assert query.compilations == 2
    with CaptureQueriesContext(connection) as queries:
        assert query.rows(id__in=[]) == []
    assert len(queries) == 0


def test_limit_offset_and_a_count(keys):
    keys_by_scope = IdempotencyKey.objects.order_by("key").values("key")
    page = CompiledQuery(keys_by_scope.filter, fingerprint=str)
    count = CompiledQuery(IdempotencyKey.objects.order_by().values(n=COUNT_ROWS).filter, scope=str)

    assert page.rows(fingerprint="f", limit=2, offset=0) == [{"key": "a"}, {"key": "b"}]
    assert page.rows(fingerprint="f", limit=2, offset=2) == [{"key": "c"}]
    assert page.rows(fingerprint="f", limit=2, offset=4) == []
    assert count.value(scope="orders.place") == 2
    assert count.value(scope="nothing") == 0
    assert page.compilations == count.compilations == 1


def test_compiled_queries_count_as_queries(keys):
    query = CompiledQuery(IdempotencyKey.objects.values("key").filter, pk=int)

    with CaptureQueriesContext(connection) as queries:
        query.rows(pk=keys[0].pk)
        query.rows(pk=keys[1].pk)

    assert len(queries) == 2


def test_a_parameter_used_twice_fails_loudly(keys):
    query = CompiledQuery(
        lambda key: IdempotencyKey.objects.values("id").filter(key=key).exclude(scope=key),
        key=str,
    )

    with pytest.raises(CompilationError, match="appears twice"):
        query.rows(key="a")


def test_a_parameter_a_lookup_transforms_fails_loudly(keys):
    query = CompiledQuery(IdempotencyKey.objects.values("id").filter, key__contains=str)

    with pytest.raises(CompilationError, match="key__contains"):
        query.rows(key__contains="a")


def test_a_parameter_the_query_ignores_fails_loudly(keys):
    query = CompiledQuery(lambda key: IdempotencyKey.objects.values("id"), key=str)

    with pytest.raises(CompilationError, match="key"):
        query.rows(key="a")


def test_only_values_querysets_and_simple_parameters_compile(keys):
    with pytest.raises(CompilationError, match="values"):
        CompiledQuery(IdempotencyKey.objects.filter, pk=int).rows(pk=1)
    with pytest.raises(CompilationError, match="only int, str"):
        CompiledQuery(IdempotencyKey.objects.values("id").filter, created_at=object)
    with pytest.raises(CompilationError, match="FOR UPDATE"):
        CompiledQuery(IdempotencyKey.objects.select_for_update().values("id").filter, pk=int).rows(
            pk=1
        )
    with pytest.raises(CompilationError, match="reserved"):
        CompiledQuery(IdempotencyKey.objects.values("id").filter, limit=int)
    with pytest.raises(TypeError, match="Expected parameters"):
        CompiledQuery(IdempotencyKey.objects.values("id").filter, pk=int).rows(id=1)


def test_execute_runs_a_statement_and_counts_the_rows_it_changed(keys):
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    column = connection.ops.quote_name(IdempotencyKey._meta.get_field("fingerprint").column)

    changed = execute(f"UPDATE {table} SET {column} = %s WHERE {column} = %s", ["g", "f"])

    assert changed == 3
    assert set(IdempotencyKey.objects.values_list("fingerprint", flat=True)) == {"g"}
