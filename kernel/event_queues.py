"""The worker's reader of the event consumers' queues (`kernel.consumers`), a Celery bootstep.

Celery's own consumer takes task messages only; the events on `shop.events` are plain JSON.
This step declares each registered consumer's durable queue, bound to `shop.events` with the
consumer's event types, and hands every event that arrives to the task `kernel.consume_event`,
acknowledging the message only once that task is on the broker (publisher confirms on RabbitMQ):
a worker killed in between leaves the message to be delivered again, never lost, and the
consumer's record of applied events makes the second delivery a no-op.
"""

import logging
from dataclasses import asdict
from functools import partial

from celery import bootsteps
from kombu import Consumer

logger = logging.getLogger(__name__)

# How many events the broker hands the worker ahead of those it acknowledged, per queue.
PREFETCH_COUNT = 50


class EventQueues(bootsteps.ConsumerStep):
    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.app = parent.app

    def get_consumers(self, channel):
        from kernel.consumers import registered
        from kernel.outbox import EXCHANGE

        return [
            Consumer(
                channel,
                queues=[consumer.queue(EXCHANGE)],
                callbacks=[partial(self.hand_over, consumer.name)],
                accept=["json"],
                prefetch_count=PREFETCH_COUNT,
            )
            for consumer in registered()
        ]

    def hand_over(self, consumer: str, body, message) -> None:
        from kernel.consumers import CONSUME_TASK, Event

        try:
            event = Event.from_json(body)
        except (KeyError, TypeError):
            logger.error("Dropped a message on %s that is not an event: %r", consumer, body)
            message.ack()
            return
        self.app.send_task(
            CONSUME_TASK,
            kwargs={"consumer": consumer, "event": asdict(event)},
            retry=True,
        )
        message.ack()
