"""The relay against the real RabbitMQ: persistent JSON messages on the durable topic exchange
`shop.events`, confirmed before their rows are marked sent; a broker that does not answer loses
nothing; two relays at once publish every row once."""

import json

import pytest
from django.db import transaction
from kombu import Connection

from kernel import consumers, outbox
from kernel.models import OutboxEvent
from tests.concurrency import run_concurrently
from tests.servers import free_port

TYPES = ["order.placed", "payment.succeeded", "order.paid", "order.shipped"]


def record(types: list[str]) -> list[str]:
    with transaction.atomic():
        return [outbox.record_event(type=type, data={"n": n}) for n, type in enumerate(types)]


def received(queue, event_ids: list[str]) -> list:
    """This test's messages on `queue`, in the order they arrived (others' are dropped)."""
    wanted, messages = set(event_ids), []
    while len(messages) < len(wanted):
        message = queue.get(no_ack=True)
        assert message is not None, f"{len(wanted) - len(messages)} events never arrived"
        if message.properties.get("message_id") in wanted:
            messages.append(message)
    return messages


def drained(queue) -> list[str]:
    """The ids of the messages left on `queue`."""
    ids = []
    while (message := queue.get(no_ack=True)) is not None:
        ids.append(message.properties.get("message_id"))
    return ids


@pytest.mark.django_db
def test_each_event_is_a_persistent_json_message_routed_by_its_type(events_queue, rabbitmq_url):
    event_ids = record(TYPES)

    published = outbox.publish_pending(broker_url=rabbitmq_url)

    rows = list(OutboxEvent.objects.order_by("id"))
    messages = received(events_queue, event_ids)
    assert published == len(TYPES)
    assert [message.properties["message_id"] for message in messages] == event_ids
    assert [message.delivery_info["exchange"] for message in messages] == ["shop.events"] * 4
    assert [message.delivery_info["routing_key"] for message in messages] == TYPES
    assert {message.properties["delivery_mode"] for message in messages} == {2}
    assert {message.content_type for message in messages} == {"application/json"}
    assert [json.loads(message.body) for message in messages] == [
        outbox.event_json(row) for row in rows
    ]
    assert all(row.sent_at is not None for row in rows)


@pytest.mark.django_db
def test_a_broker_that_does_not_answer_loses_nothing_and_the_events_drain_in_order(
    events_queue, rabbitmq_url
):
    closed = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    first = record(TYPES[:2])

    assert outbox.publish_pending(broker_url=closed) == 0
    later = record(TYPES[2:])
    assert outbox.publish_pending(broker_url=closed) == 0
    assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 4

    assert outbox.publish_pending(broker_url=rabbitmq_url) == 4
    messages = received(events_queue, first + later)
    assert [message.properties["message_id"] for message in messages] == first + later
    assert not OutboxEvent.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.postgres("two relays lock their batches with FOR UPDATE SKIP LOCKED")
@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_publish_every_event_once(events_queue, rabbitmq_url):
    event_ids = record(["order.placed"] * (outbox.BATCH_SIZE * 3))

    counts = run_concurrently(
        lambda: outbox.publish_pending(broker_url=rabbitmq_url),
        lambda: outbox.publish_pending(broker_url=rabbitmq_url),
    )

    assert sum(counts) == len(event_ids)
    messages = received(events_queue, event_ids)
    assert sorted(message.properties["message_id"] for message in messages) == sorted(event_ids)
    assert not [message for message in drained(events_queue) if message in set(event_ids)]
    assert not OutboxEvent.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_shops_own_consumers_queues_exist_before_the_first_event_is_published(
    rabbitmq_url,
):
    """No worker has declared the consumer's queue yet (a first start): the relay does."""
    consumers.consumer(name="test.late", event_types=["order.*"])(lambda event: None)
    queue = consumers.get_consumer("test.late").queue(outbox.EXCHANGE)
    try:
        event_ids = record(TYPES)
        assert outbox.publish_pending(broker_url=rabbitmq_url) == len(TYPES)
        with Connection(rabbitmq_url) as connection:
            bound = queue(connection)
            messages = received(bound, [event_ids[0], *event_ids[2:]])  # order.* only
            assert [message.delivery_info["routing_key"] for message in messages] == [
                "order.placed",
                "order.paid",
                "order.shipped",
            ]
            # Other runs publish to the same exchange: only this test's other event matters.
            assert event_ids[1] not in drained(bound)
            bound.delete()
    finally:
        consumers._consumers.pop("test.late")
