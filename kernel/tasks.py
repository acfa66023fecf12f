"""The kernel's background tasks (run by the Celery worker; see shop/celery.py): the outbox's
relay, the webhooks' deliveries, and the scheduled housekeeping (the beat schedule in settings
names them)."""

from celery import shared_task

from kernel import consumers, outbox
from kernel.idempotency import prune_expired_keys
from kernel.webhooks import services as webhooks


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


@shared_task(
    name=consumers.CONSUME_TASK,
    # A handler that fails (a mail server or a database away for a while) is tried again, with
    # backoff up to 10 minutes, for about an hour and a half before it is given up (logged).
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=12,
)
def consume_event(consumer: str, event: dict) -> bool:
    """Apply a published event to one consumer, once (`kernel.consumers.consume`)."""
    return consumers.consume(consumer=consumer, event=consumers.Event.from_json(event))


@shared_task(name="kernel.prune_consumed_events")
def prune_consumed_events() -> int:
    """Delete the consumers' records of events applied before the retention; how many."""
    return consumers.prune_consumed_events()


@shared_task(name=webhooks.DELIVER_TASK)
def deliver_webhook(delivery_id: int) -> str | None:
    """Make one attempt at a webhook delivery, if it is due (`kernel.webhooks.services.deliver`)."""
    return webhooks.deliver(delivery_id=delivery_id)


@shared_task(name="kernel.dispatch_webhooks")
def dispatch_webhooks() -> int:
    """Ask for every due webhook delivery (beat's sweep); how many were asked for."""
    return webhooks.dispatch_due()


@shared_task(name="kernel.prune_webhook_deliveries")
def prune_webhook_deliveries() -> int:
    """Delete the finished webhook deliveries past their retention; how many were deleted."""
    return webhooks.prune_deliveries()
