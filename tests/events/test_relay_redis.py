"""Redis as the broker, for a shop that has Redis and no RabbitMQ: the relay publishes the events
to the same topic exchange `shop.events`, routed by type, and the shop's consumers' queues get
theirs (kombu's Redis transport keeps the bindings in Redis; it has no publisher confirms, so an
event is marked sent once Redis took the message)."""

import json

import pytest
from django.db import transaction
from kombu import Connection, Queue

from kernel import consumers, outbox
from kernel.models import OutboxEvent

pytestmark = pytest.mark.django_db


def test_the_relay_publishes_to_redis_and_each_consumer_gets_its_types(redis):
    with transaction.atomic():
        placed = outbox.record_event(type="order.placed", data={"id": 1})
        refunded = outbox.record_event(type="payment.refunded", data={"id": 2})
    with Connection(redis.url) as broker:
        everything = Queue("storefront", exchange=outbox.EXCHANGE, routing_key="#")(broker)
        everything.declare()

        assert outbox.publish_pending(broker_url=redis.url) == 2

        received = [everything.get(no_ack=True) for _ in range(2)]
        assert [json.loads(message.body)["id"] for message in received] == [placed, refunded]
        assert everything.get(no_ack=True) is None
        orders_emails = consumers.get_consumer("orders.emails").queue(outbox.EXCHANGE)(broker)
        assert json.loads(orders_emails.get(no_ack=True).body)["id"] == placed
        assert orders_emails.get(no_ack=True) is None
    assert not OutboxEvent.objects.filter(sent_at__isnull=True).exists()


def test_redis_gone_loses_nothing(redis):
    with transaction.atomic():
        outbox.record_event(type="order.placed", data={"id": 1})
    redis.stop()

    assert outbox.publish_pending(broker_url=redis.url) == 0
    assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 1
