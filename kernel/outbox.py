"""The transactional outbox: domain events written with the change they report, then relayed.

A service calls `record_event(type=…, data=…)` inside its own transaction: the event is one
INSERT into `kernel_outboxevent`, so it commits or rolls back with the change (no change without
its event, no event without its change). Nothing talks to the broker inside that transaction,
nor in the request at all: beat runs the relay every `OUTBOX_RELAY_INTERVAL_SECONDS` (1 s by
default), a polling publisher, so a write pays for one INSERT and no message of its own (asking
for the relay after each commit cost a request more than the INSERT did: docs/PERFORMANCE.md).

`publish_pending` is the relay: it takes the unsent rows oldest first, publishes each to the
durable topic exchange `shop.events` (routing key: the event type; persistent JSON; the event
id as message id), waits for the broker's confirmation of each and only then marks it sent. A
broker that does not answer leaves the rows where they are, to be published in order later.
It declares the queues of the shop's own consumers (`kernel.consumers`) first, so none misses an
event for want of a queue. On PostgreSQL it locks its batch with `FOR UPDATE SKIP LOCKED`, so
two relays never publish the same row at the same time; SQLite's write lock serialises them.
Delivery is at least once (a relay that dies between the broker's confirmation and its commit
publishes again), so every consumer deduplicates on the event id.
"""

import contextlib
import datetime
import json
import logging
import secrets
import threading
from collections.abc import Mapping
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from kombu import Connection, Exchange
from kombu.common import maybe_declare
from kombu.exceptions import OperationalError

from kernel.api.serializers import iso_datetime
from kernel.consumers import registered
from kernel.housekeeping import delete_in_batches
from kernel.models import OutboxEvent

logger = logging.getLogger(__name__)

EXCHANGE = Exchange("shop.events", type="topic", durable=True)
RELAY_TASK = "kernel.relay_events"
BATCH_SIZE = 100
# How long the relay waits for the broker: to connect, and to confirm one message.
BROKER_TIMEOUT_SECONDS = 10


def new_event_id() -> str:
    """A fresh, unguessable event id, `evt_` and 24 hex digits."""
    return f"evt_{secrets.token_hex(12)}"


def record_event(*, type: str, data: Mapping[str, Any]) -> str:
    """Write an event of `type` with the JSON `data` in the caller's transaction; its id.

    Must run inside `transaction.atomic()`: outside one the event would commit on its own, and
    a change that then failed would still be reported.
    """
    if not connection.in_atomic_block:
        raise TransactionManagementError("Record an event only inside transaction.atomic().")
    event_id = new_event_id()
    OutboxEvent.objects.create(event_id=event_id, type=type, data=data)
    return event_id


def event_json(row: OutboxEvent) -> dict:
    """The event as it is published: `{"id", "type", "created_at", "data"}`."""
    return {
        "id": row.event_id,
        "type": row.type,
        "created_at": iso_datetime(row.created_at, datetime.UTC),
        "data": row.data,
    }


def _unsent_batch() -> list[OutboxEvent]:
    unsent = OutboxEvent.objects.filter(sent_at__isnull=True).order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        unsent = unsent.select_for_update(skip_locked=True)
    return list(unsent[:BATCH_SIZE])


def publish_pending(*, broker_url: str | None = None) -> int:
    """Publish the unsent events oldest first, each marked sent once the broker confirmed it;
    how many were published. Stops at the first that the broker does not take (logged).

    `broker_url`: the Celery broker's unless given.
    """
    published = 0
    broker = _connection(broker_url)
    try:
        broker.ensure_connection(max_retries=1)
    except (OperationalError, *broker.connection_errors):
        logger.warning("The broker does not answer; the outbox waits.", exc_info=True)
        _close_connection(broker_url)
        return 0
    # The shop's own consumers' queues, declared before anything is published: an event
    # published before a worker had declared them (the first start) would reach no queue.
    # `maybe_declare` declares each once per connection.
    for consumer in registered():
        maybe_declare(consumer.queue(EXCHANGE), broker.default_channel)
    producer = broker.Producer()
    while True:
        with transaction.atomic():
            rows = _unsent_batch()
            sent, failed = _publish(producer, rows)
            OutboxEvent.objects.filter(pk__in=sent).update(sent_at=timezone.now())
        published += len(sent)
        if failed:
            _close_connection(broker_url)
        if failed or len(rows) < BATCH_SIZE:
            return published


# The relay's connections to the broker, one per URL and thread, kept open between runs: beat
# runs the relay every second, and a connection opened and closed by each run would be one a
# second in the broker's log. Per thread, since an AMQP connection is not to be shared by two
# (a worker's pool may be threads).
_local = threading.local()


def _connection(broker_url: str | None) -> Connection:
    connections = _connections()
    key = broker_url or ""
    if key not in connections:
        connections[key] = current_app.connection_for_write(
            url=broker_url,
            connect_timeout=BROKER_TIMEOUT_SECONDS,
            transport_options={"confirm_publish": True},
        )
    return connections[key]


def _connections() -> dict[str, Connection]:
    if not hasattr(_local, "connections"):
        _local.connections = {}
    return _local.connections


def _close_connection(broker_url: str | None) -> None:
    """Forget a connection that failed: the next run connects afresh."""
    broker = _connections().pop(broker_url or "", None)
    if broker is not None:
        with contextlib.suppress(Exception):
            broker.release()


def _publish(producer, rows: list[OutboxEvent]) -> tuple[list[int], bool]:
    """Publish `rows` in order until one fails: the ids confirmed, and whether one failed."""
    sent = []
    for row in rows:
        try:
            producer.publish(
                json.dumps(event_json(row)),
                exchange=EXCHANGE,
                declare=[EXCHANGE],
                routing_key=row.type,
                delivery_mode=2,
                content_type="application/json",
                content_encoding="utf-8",
                message_id=row.event_id,
                retry=False,
                timeout=BROKER_TIMEOUT_SECONDS,
            )
        except Exception:
            logger.warning("Publishing event %s failed; it waits.", row.event_id, exc_info=True)
            return sent, True
        sent.append(row.pk)
    return sent, False


def prune_sent_events(*, now: datetime.datetime | None = None) -> int:
    """Delete the events sent more than `OUTBOX_RETENTION_DAYS` ago, in bounded batches; how
    many were deleted. Unsent events are never deleted, however old."""
    now = timezone.now() if now is None else now
    cutoff = now - datetime.timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    return delete_in_batches(OutboxEvent.objects.filter(sent_at__lt=cutoff))
