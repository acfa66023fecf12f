"""A consumer applies each event once: its writes and the record of the event commit together,
a redelivered event is skipped, and a handler that fails leaves nothing behind."""

import datetime

import pytest
from django.utils import timezone

from kernel import consumers, outbox
from kernel.consumers import Event
from kernel.models import ConsumedEvent, OutboxEvent

pytestmark = pytest.mark.django_db

EVENT = Event(
    id="evt_000000000000000000000001",
    type="order.paid",
    created_at="2026-12-02T12:00:00Z",
    data={"id": 7},
)


def reactions():
    return OutboxEvent.objects.filter(type="test.reaction", data__to=EVENT.id)


@pytest.fixture
def applied():
    """A consumer registered for this test that records an event of its own per event."""
    seen = []

    def handle(event: Event) -> None:
        outbox.record_event(type="test.reaction", data={"to": event.id})
        seen.append(event.id)
        if event.data.get("fail"):
            raise RuntimeError("the handler failed")

    consumers.consumer(name="test.applied", event_types=["order.paid"])(handle)
    yield seen
    consumers._consumers.pop("test.applied")


def test_an_event_is_applied_once_however_often_it_is_delivered(applied):
    assert consumers.consume(consumer="test.applied", event=EVENT) is True
    assert consumers.consume(consumer="test.applied", event=EVENT) is False

    assert applied == [EVENT.id]
    assert reactions().count() == 1
    assert ConsumedEvent.objects.filter(consumer="test.applied", event_id=EVENT.id).count() == 1


def test_a_handler_that_fails_leaves_nothing_and_the_event_is_applied_on_the_next_delivery(
    applied,
):
    failing = Event(id=EVENT.id, type=EVENT.type, created_at=EVENT.created_at, data={"fail": 1})
    with pytest.raises(RuntimeError):
        consumers.consume(consumer="test.applied", event=failing)
    assert not reactions().exists()
    assert not ConsumedEvent.objects.exists()

    assert consumers.consume(consumer="test.applied", event=EVENT) is True
    assert reactions().count() == 1


def test_two_consumers_each_apply_the_same_event(applied):
    consumers.consumer(name="test.other", event_types=["#"])(lambda event: None)
    try:
        assert consumers.consume(consumer="test.applied", event=EVENT) is True
        assert consumers.consume(consumer="test.other", event=EVENT) is True
    finally:
        consumers._consumers.pop("test.other")
    assert ConsumedEvent.objects.filter(event_id=EVENT.id).count() == 2


def test_a_second_consumer_with_a_name_in_use_is_refused(applied):
    with pytest.raises(ValueError, match="registered already"):
        consumers.consumer(name="test.applied", event_types=["#"])(lambda event: None)


def test_housekeeping_forgets_consumed_events_past_the_retention(settings):
    settings.OUTBOX_RETENTION_DAYS = 7
    now = timezone.now()
    old = ConsumedEvent.objects.create(
        consumer="c", event_id="evt_old", consumed_at=now - datetime.timedelta(days=8)
    )
    recent = ConsumedEvent.objects.create(
        consumer="c", event_id="evt_new", consumed_at=now - datetime.timedelta(days=6)
    )

    assert consumers.prune_consumed_events(now=now) == 1
    assert list(ConsumedEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not ConsumedEvent.objects.filter(pk=old.pk).exists()
