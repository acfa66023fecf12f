"""Housekeeping deletes the outbox's events once they were sent longer ago than
`OUTBOX_RETENTION_DAYS`; an event not yet sent is kept however old it is."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from kernel import outbox, tasks
from kernel.models import OutboxEvent

pytestmark = pytest.mark.django_db


def event(*, sent_days_ago: float | None, created_days_ago: float = 30) -> str:
    with transaction.atomic():
        event_id = outbox.record_event(type="product.updated", data={"id": 1})
    now = timezone.now()
    OutboxEvent.objects.filter(event_id=event_id).update(
        created_at=now - timedelta(days=created_days_ago),
        sent_at=None if sent_days_ago is None else now - timedelta(days=sent_days_ago),
    )
    return event_id


def remaining() -> set[str]:
    return set(OutboxEvent.objects.values_list("event_id", flat=True))


def test_only_events_sent_before_the_retention_are_pruned(settings):
    settings.OUTBOX_RETENTION_DAYS = 7
    old = event(sent_days_ago=8)
    recent = event(sent_days_ago=6)
    unsent = event(sent_days_ago=None, created_days_ago=100)

    assert outbox.prune_sent_events() == 1
    assert remaining() == {recent, unsent}
    assert old not in remaining()


def test_the_retention_is_the_setting(settings):
    settings.OUTBOX_RETENTION_DAYS = 1
    sent = event(sent_days_ago=2)

    assert outbox.prune_sent_events(now=timezone.now() - timedelta(days=1.5)) == 0
    assert outbox.prune_sent_events() == 1
    assert sent not in remaining()


def test_the_task_prunes_the_sent_events(settings):
    settings.OUTBOX_RETENTION_DAYS = 7
    event(sent_days_ago=10)
    event(sent_days_ago=9)

    assert tasks.prune_sent_events.apply().get() == 2
    assert remaining() == set()
