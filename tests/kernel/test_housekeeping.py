"""Idempotency keys past their 24 h lifetime are deleted, in bounded batches, by a task."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kernel import tasks
from kernel.housekeeping import delete_in_batches
from kernel.idempotency import KEY_LIFETIME, prune_expired_keys
from kernel.models import IdempotencyKey

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def place(client, product, key: str):
    body = {"items": [{"product_id": product.id, "quantity": 1}]}
    return client.post(ORDERS, body, format="json", headers={"Idempotency-Key": key})


def age(key: str, by: timedelta) -> None:
    IdempotencyKey.objects.filter(key=key).update(created_at=timezone.now() - by)


def make_keys(customer, count: int, *, older_than: timedelta) -> None:
    created_at = timezone.now() - older_than
    IdempotencyKey.objects.bulk_create(
        IdempotencyKey(
            user=customer, scope="tests", key=f"k{n}", fingerprint="f", created_at=created_at
        )
        for n in range(count)
    )


def test_only_keys_past_their_lifetime_are_pruned(customer_client, product):
    assert place(customer_client, product, "old").status_code == 201
    assert place(customer_client, product, "young").status_code == 201
    age("old", KEY_LIFETIME + timedelta(minutes=1))
    age("young", KEY_LIFETIME - timedelta(minutes=1))

    assert prune_expired_keys() == 1

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["young"]
    replay = place(customer_client, product, "young")
    assert (replay.status_code, replay.headers["Idempotent-Replayed"]) == (201, "true")
    assert prune_expired_keys(now=timezone.now() + timedelta(minutes=2)) == 1


def test_a_backlog_is_deleted_in_bounded_batches_across_runs(customer):
    make_keys(customer, 5, older_than=KEY_LIFETIME * 2)
    expired = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEY_LIFETIME)

    with CaptureQueriesContext(connection) as queries:
        deleted = delete_in_batches(expired, batch_size=2, max_batches=2)

    deletes = [query for query in queries if query["sql"].startswith("DELETE")]
    assert (deleted, len(deletes), IdempotencyKey.objects.count()) == (4, 2, 1)
    assert delete_in_batches(expired, batch_size=2, max_batches=2) == 1
    assert not IdempotencyKey.objects.exists()


def test_the_task_prunes_the_expired_keys(customer):
    make_keys(customer, 3, older_than=KEY_LIFETIME + timedelta(seconds=1))
    IdempotencyKey.objects.create(user=customer, scope="tests", key="young", fingerprint="f")

    assert tasks.prune_idempotency_keys.apply().get() == 3

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["young"]
