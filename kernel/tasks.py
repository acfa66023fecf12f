"""The kernel's background tasks (run by the Celery worker; see shop/celery.py)."""

from celery import shared_task

from kernel import outbox


@shared_task(name=outbox.RELAY_TASK)
def relay_events() -> int:
    """Publish the outbox's unsent events to the broker (`kernel.outbox.publish_pending`)."""
    return outbox.publish_pending()
