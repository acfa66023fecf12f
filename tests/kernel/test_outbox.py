"""The outbox's rules, in process: an event is a row of the caller's transaction, the relay is
asked for once per commit, and the relay publishes in order (on kombu's in-memory broker here;
tests/events/test_relay_rabbitmq.py runs it against RabbitMQ)."""

import json

import pytest
from django.conf import settings
from django.db import transaction
from django.db.transaction import TransactionManagementError
from kombu import Connection, Producer, Queue

from kernel import outbox
from kernel.models import OutboxEvent
from kernel.tasks import relay_events


def test_recording_an_event_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(TransactionManagementError):
        outbox.record_event(type="order.placed", data={"id": 1})

    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_an_event_is_a_row_with_a_unique_id_waiting_to_be_sent():
    with transaction.atomic():
        first = outbox.record_event(type="order.placed", data={"id": 1})
        second = outbox.record_event(type="order.paid", data={"id": 1})

    rows = list(OutboxEvent.objects.order_by("id"))
    assert [row.event_id for row in rows] == [first, second]
    assert first != second
    assert all(row.event_id.startswith("evt_") and len(row.event_id) == 28 for row in rows)
    assert [row.sent_at for row in rows] == [None, None]
    assert outbox.event_json(rows[0]) == {
        "id": first,
        "type": "order.placed",
        "created_at": rows[0].created_at.isoformat().replace("+00:00", "Z"),
        "data": {"id": 1},
    }


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_event():
    def change_that_fails() -> None:
        with transaction.atomic():
            outbox.record_event(type="order.placed", data={"id": 1})
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_a_write_sends_nothing_to_the_broker_its_event_waits_for_the_relay(
    django_capture_on_commit_callbacks, monkeypatch
):
    """A polling relay: the request that records an event pays for the INSERT alone."""
    sent = []
    monkeypatch.setattr(outbox.current_app, "send_task", lambda *args, **kwargs: sent.append(args))

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        outbox.record_event(type="order.placed", data={"id": 1})

    assert (callbacks, sent) == ([], [])
    assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 1


def test_beat_runs_the_relay_every_second_by_default():
    entry = settings.CELERY_BEAT_SCHEDULE[outbox.RELAY_TASK]
    assert entry["schedule"] == settings.OUTBOX_RELAY_INTERVAL_SECONDS == 1


@pytest.fixture
def memory_queue():
    """A queue of the in-memory broker bound to `shop.events` for every routing key."""
    with Connection("memory://") as connection:
        queue = Queue("outbox-test", exchange=outbox.EXCHANGE, routing_key="#")(connection)
        queue.declare()
        queue.purge()
        yield queue
        queue.delete()


@pytest.mark.django_db
def test_the_relay_publishes_every_unsent_event_in_order_and_marks_it_sent(memory_queue):
    types = ["order.placed", "payment.succeeded", "order.paid"]
    with transaction.atomic():
        for number, type in enumerate(types):
            outbox.record_event(type=type, data={"n": number})

    published = outbox.publish_pending(broker_url="memory://")

    rows = list(OutboxEvent.objects.order_by("id"))
    messages = [memory_queue.get(no_ack=True) for _ in rows]
    assert published == 3
    assert [message.delivery_info["routing_key"] for message in messages] == types
    assert [json.loads(message.body) for message in messages] == [
        outbox.event_json(row) for row in rows
    ]
    assert [message.properties["message_id"] for message in messages] == [
        row.event_id for row in rows
    ]
    assert all(message.properties["delivery_mode"] == 2 for message in messages)
    assert all(row.sent_at is not None for row in rows)
    assert outbox.publish_pending(broker_url="memory://") == 0


@pytest.mark.django_db
def test_the_relay_task_publishes_on_the_configured_broker(memory_queue):
    with transaction.atomic():
        outbox.record_event(type="product.deleted", data={"id": 7})

    assert relay_events() == 1
    assert json.loads(memory_queue.get(no_ack=True).body)["data"] == {"id": 7}


@pytest.mark.django_db
def test_an_event_the_broker_does_not_take_stays_unsent_with_every_one_after_it(
    monkeypatch, memory_queue
):
    """The broker refuses the second message (a nack, a lost connection): the first is sent,
    the second and third wait, and go out in order on the next run."""
    with transaction.atomic():
        event_ids = [outbox.record_event(type="order.placed", data={"n": n}) for n in range(3)]
    real_publish, calls = Producer.publish, []

    def publish(self, body, **options):
        calls.append(options["message_id"])
        if len(calls) == 2:
            raise ConnectionResetError("the broker went away")
        return real_publish(self, body, **options)

    monkeypatch.setattr(Producer, "publish", publish)

    assert outbox.publish_pending(broker_url="memory://") == 1
    rows = OutboxEvent.objects.order_by("id")
    assert [(row.event_id, row.sent_at is None) for row in rows] == [
        (event_ids[0], False),
        (event_ids[1], True),
        (event_ids[2], True),
    ]

    monkeypatch.setattr(Producer, "publish", real_publish)
    assert outbox.publish_pending(broker_url="memory://") == 2
    received = [memory_queue.get(no_ack=True).properties["message_id"] for _ in range(3)]
    assert received == event_ids
