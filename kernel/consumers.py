"""Consumers of the domain events: the reactions that may happen later, each applied once.

An app declares a consumer in its `consumers.py`, which the kernel imports when Django starts
(as the admin imports each app's `admin.py`):

    @consumer(name="orders.emails", event_types=["order.placed", "order.shipped"])
    def email_the_customer(event: Event) -> None:
        ...

Each consumer has a durable queue of its own on the broker, `shop.<name>`, bound to the topic
exchange `shop.events` with its event types as routing keys ("#" for every type), so what the
relay publishes reaches it through the broker, as it would reach a service of its own. The
worker hands every message of those queues to the task `kernel.consume_event`, which runs
`consume`: the handler and a `ConsumedEvent` row (consumer, event id) in one transaction, so an
event the broker delivers twice (it delivers at least once) is applied once. A handler that
raises rolls its writes back and the task is retried with backoff.

A handler writes to the database and sends nothing outside itself that it could not send twice:
where a reaction reaches the outside world (an email, an HTTP call), a redelivery after a crash
between the outside call and the commit repeats that call, and the receiver sees the event id
twice (docs/ARCHITECTURE.md, "In the transaction or eventual").
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu import Exchange, Queue, binding

from kernel.housekeeping import delete_in_batches
from kernel.models import ConsumedEvent

logger = logging.getLogger(__name__)

CONSUME_TASK = "kernel.consume_event"


@dataclass(frozen=True)
class Event:
    """A domain event as it is published: `{"id", "type", "created_at", "data"}`."""

    id: str
    type: str
    created_at: str
    data: dict[str, Any]

    @classmethod
    def from_json(cls, message: dict[str, Any]) -> "Event":
        return cls(
            id=message["id"],
            type=message["type"],
            created_at=message["created_at"],
            data=message["data"],
        )


Handler = Callable[[Event], None]


@dataclass(frozen=True)
class Consumer:
    name: str
    event_types: tuple[str, ...]
    handle: Handler

    def queue(self, exchange: Exchange) -> Queue:
        """Its durable queue, `<EVENT_QUEUE_PREFIX><name>`, bound to `exchange` by its types."""
        return Queue(
            f"{settings.EVENT_QUEUE_PREFIX}{self.name}",
            [binding(exchange, routing_key=event_type) for event_type in self.event_types],
            durable=True,
        )


_consumers: dict[str, Consumer] = {}


def consumer(*, name: str, event_types: Iterable[str]) -> Callable[[Handler], Handler]:
    """Register the decorated function as the consumer `name` of `event_types` (routing keys of
    `shop.events`: types, or "#" for all)."""

    def register(handle: Handler) -> Handler:
        if name in _consumers and _consumers[name].handle is not handle:
            raise ValueError(f"A consumer named {name!r} is registered already.")
        _consumers[name] = Consumer(name=name, event_types=tuple(event_types), handle=handle)
        return handle

    return register


def registered() -> list[Consumer]:
    """Every registered consumer, by name."""
    return [_consumers[name] for name in sorted(_consumers)]


def get_consumer(name: str) -> Consumer:
    return _consumers[name]


def consume(*, consumer: str, event: Event) -> bool:
    """Apply `event` to the consumer named `consumer` unless it was applied before; whether it
    was applied now. The handler's writes and the record of the event commit together."""
    handle = _consumers[consumer].handle
    try:
        with transaction.atomic():
            ConsumedEvent.objects.create(consumer=consumer, event_id=event.id)
            handle(event)
    except IntegrityError:
        if ConsumedEvent.objects.filter(consumer=consumer, event_id=event.id).exists():
            logger.info("%s had applied %s already; skipped.", consumer, event.id)
            return False
        raise
    return True


def prune_consumed_events(*, now: datetime.datetime | None = None) -> int:
    """Delete the records of events consumed more than `OUTBOX_RETENTION_DAYS` ago (no broker
    redelivers that late), in bounded batches; how many were deleted."""
    now = timezone.now() if now is None else now
    cutoff = now - datetime.timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    return delete_in_batches(ConsumedEvent.objects.filter(consumed_at__lt=cutoff))
