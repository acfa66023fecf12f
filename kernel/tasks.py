"""The kernel's scheduled housekeeping (Celery tasks; the beat schedule names them)."""

from celery import shared_task

from kernel.idempotency import prune_expired_keys


@shared_task
def prune_idempotency_keys() -> int:
    """Delete the idempotency keys past their lifetime; how many were deleted."""
    return prune_expired_keys()
