"""The kernel's background tasks (run by the Celery worker; see shop/celery.py): the outbox's
relay, and the scheduled housekeeping (the beat schedule in settings names them)."""

from celery import shared_task

from kernel import outbox
from kernel.idempotency import prune_expired_keys


@shared_task(name=outbox.RELAY_TASK)
def relay_events() -> int:
    """Publish the outbox's unsent events to the broker (`kernel.outbox.publish_pending`)."""
    return outbox.publish_pending()


@shared_task(name="kernel.prune_idempotency_keys")
def prune_idempotency_keys() -> int:
    """Delete the idempotency keys past their lifetime; how many were deleted."""
    return prune_expired_keys()


@shared_task(name="kernel.prune_sent_events")
def prune_sent_events() -> int:
    """Delete the outbox's events sent before their retention; how many were deleted."""
    return outbox.prune_sent_events()
