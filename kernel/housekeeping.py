"""Deleting rows that have outlived their use, a bounded batch at a time.

A backlog (the scheduler was down for a week) must not become one `DELETE` of millions of rows
that holds its locks and one long transaction: each batch is a short statement of its own, and
a run stops after `max_batches`, leaving the rest to the next run.
"""

from django.db.models import QuerySet

BATCH_SIZE = 1000
MAX_BATCHES = 50


def delete_in_batches(
    rows: QuerySet, *, batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES
) -> int:
    """Delete `rows`, `batch_size` at a time in id order, at most `max_batches` batches in a
    run; how many were deleted. Each batch deletes only ids that still match `rows`."""
    deleted = 0
    for _ in range(max_batches):
        ids = list(rows.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        count, _ = rows.filter(pk__in=ids).delete()
        deleted += count
        if len(ids) < batch_size:
            break
    return deleted
