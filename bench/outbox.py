"""The outbox's cost, in this process, against the bench's database once the load is over:

    python -m bench.outbox SEED.json OUT.json

(run by `bench.run` with its settings and database; RabbitMQ from `BENCH_RABBITMQ_URL`,
default amqp://guest:guest@127.0.0.1:5672//). Three measures:

1. **Placing an order** (`orders.services.place_order`, 3 lines) with the outbox and without it
   (`bench.views.no_outbox()`, as `/bench/orders/` runs), in alternating rounds: wall
   µs a placement. No HTTP, no other load: steadier than wrk's two scenarios.
2. **The relay** (`kernel.outbox.publish_pending(broker_url=RabbitMQ)`, a publisher confirm per
   message, marked sent after it): first the load's own backlog of `order.placed` events, then
   rounds of `RELAY_EVENTS` events recorded for it (copies of a real order's payload), each
   timed from the first publish to the last row marked sent. A durable queue of the bench's own
   is bound to `order.placed` meanwhile, so that the broker writes every message to disk before
   confirming it, as it does for the consumers' queues; the queue is deleted afterwards. Skipped,
   with the reason, when RabbitMQ does not answer.
3. **Consuming**: `kernel.consumers.consume` of `RELAY_EVENTS` events by a consumer that does
   nothing, so what is timed is its transaction and the dedupe record (`ConsumedEvent`). Not
   included: the broker's delivery and the Celery task around each call.
"""

import json
import os
import random
import statistics
import sys
import time
import uuid
from contextlib import nullcontext
from pathlib import Path

import django

PLACE_ROUNDS = 10
PLACE_PER_ROUND = 20
RELAY_EVENTS = 2_000
RELAY_ROUNDS = 3
NOOP_CONSUMER = "bench.noop"
RABBITMQ_URL = os.environ.get("BENCH_RABBITMQ_URL") or "amqp://guest:guest@127.0.0.1:5672//"


def _per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds else 0.0


def measure_placing(*, customer_id: int, variant_ids: list[int]) -> dict:
    """µs a placement with the outbox and without, in alternating rounds of each."""
    from bench.views import no_outbox
    from orders import services as orders
    from orders.dtos import OrderItem

    rng = random.Random(11)
    timings: dict[str, list[float]] = {"with_outbox": [], "without_outbox": []}
    sides = (("with_outbox", nullcontext), ("without_outbox", no_outbox))
    for round_number in range(PLACE_ROUNDS + 1):
        for side, patch in sides:
            with patch():
                for _ in range(PLACE_PER_ROUND):
                    items = [
                        OrderItem(quantity=1, variant_id=v) for v in rng.sample(variant_ids, 3)
                    ]
                    start = time.perf_counter_ns()
                    orders.place_order(customer_id=customer_id, items=items)
                    elapsed = (time.perf_counter_ns() - start) / 1000
                    if round_number:  # the first round warms up
                        timings[side].append(elapsed)
    result = {
        side: {
            "placements": len(values),
            "mean_us": statistics.fmean(values),
            "p50_us": statistics.median(values),
        }
        for side, values in timings.items()
    }
    result["outbox_us"] = result["with_outbox"]["p50_us"] - result["without_outbox"]["p50_us"]
    result["ratio"] = result["with_outbox"]["p50_us"] / result["without_outbox"]["p50_us"]
    return result


def broker_problem(url: str) -> str | None:
    """Why the broker at `url` cannot be used, or None when it answers."""
    from kombu import Connection
    from kombu.exceptions import OperationalError

    try:
        with Connection(url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except (OperationalError, OSError) as error:
        return f"RabbitMQ at {url} does not answer ({error})"
    return None


def measure_relay(*, broker_url: str) -> dict:
    """Events a second `publish_pending` relays to the broker: the backlog, then fresh rounds."""
    from django.db import transaction
    from django.test import override_settings
    from kombu import Connection, Queue

    from kernel import consumers, outbox
    from kernel.models import OutboxEvent

    sample = OutboxEvent.objects.filter(type="order.placed").order_by("-id").first()
    # The relay declares the shop's consumers' queues: under a prefix of the bench's own, deleted
    # after it, where no worker of a real shop on this broker would take the bench's events.
    with (
        Connection(broker_url) as connection,
        override_settings(EVENT_QUEUE_PREFIX=f"bench-{uuid.uuid4().hex}."),
    ):
        queue = Queue(
            f"bench-relay-{uuid.uuid4().hex}",
            exchange=outbox.EXCHANGE,
            routing_key="order.placed",
            durable=True,
            # Gone by itself within 10 minutes should the bench die before deleting it.
            queue_arguments={"x-expires": 600_000},
        )(connection)
        queue.declare()
        try:
            backlog = OutboxEvent.objects.filter(sent_at__isnull=True).count()
            start = time.perf_counter()
            drained = outbox.publish_pending(broker_url=broker_url)
            backlog_seconds = time.perf_counter() - start
            rounds = []
            for _ in range(RELAY_ROUNDS):
                with transaction.atomic():
                    for _ in range(RELAY_EVENTS):
                        outbox.record_event(type=sample.type, data=sample.data)
                start = time.perf_counter()
                published = outbox.publish_pending(broker_url=broker_url)
                seconds = time.perf_counter() - start
                rounds.append(
                    {
                        "events": published,
                        "seconds": seconds,
                        "events_per_s": _per_second(published, seconds),
                    }
                )
        finally:
            queue.delete()
            for consumer in consumers.registered():
                consumer.queue(outbox.EXCHANGE)(connection).delete()
    return {
        "broker_url": broker_url.split("@")[-1],
        "payload_bytes": len(json.dumps(sample.data)),
        "backlog": {
            "unsent": backlog,
            "events": drained,
            "seconds": backlog_seconds,
            "events_per_s": _per_second(drained, backlog_seconds),
        },
        "rounds": rounds,
        "events_per_s": statistics.median(row["events_per_s"] for row in rounds),
    }


def measure_consuming() -> dict:
    """Events a second `consume` applies for a consumer that does nothing."""
    from kernel import consumers, outbox
    from kernel.models import OutboxEvent

    def nothing(event: consumers.Event) -> None:
        """Does nothing: what is timed is `consume`'s transaction and its dedupe record."""

    consumers.consumer(name=NOOP_CONSUMER, event_types=["order.placed"])(nothing)
    rows = OutboxEvent.objects.filter(type="order.placed").order_by("-id")[:RELAY_EVENTS]
    events = [consumers.Event.from_json(outbox.event_json(row)) for row in rows]
    start = time.perf_counter()
    applied = sum(consumers.consume(consumer=NOOP_CONSUMER, event=event) for event in events)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    repeated = sum(consumers.consume(consumer=NOOP_CONSUMER, event=event) for event in events)
    repeat_seconds = time.perf_counter() - start
    return {
        "events": len(events),
        "applied": applied,
        "seconds": seconds,
        "events_per_s": _per_second(applied, seconds),
        "redelivered_applied": repeated,
        "redelivered_events_per_s": _per_second(len(events), repeat_seconds),
    }


def render(result: dict) -> str:
    placing = result["placing"]
    lines = [
        "the outbox, in-process (no HTTP):",
        f"  place a 3-line order: {placing['with_outbox']['p50_us']:,.0f} µs with the outbox, "
        f"{placing['without_outbox']['p50_us']:,.0f} µs without (medians of "
        f"{placing['with_outbox']['placements']} each, alternating rounds): "
        f"+{placing['outbox_us']:,.0f} µs, {placing['ratio']:.2f}×",
    ]
    relay = result["relay"]
    if "skipped" in relay:
        lines.append(f"  relay: skipped, {relay['skipped']}")
    else:
        rounds = ", ".join(f"{row['events_per_s']:,.0f}" for row in relay["rounds"])
        lines.append(
            f"  relay to RabbitMQ (a confirm per message): {relay['events_per_s']:,.0f} events/s "
            f"(median of {len(relay['rounds'])} rounds of {RELAY_EVENTS:,}: {rounds}; the load's "
            f"backlog of {relay['backlog']['events']:,}: "
            f"{relay['backlog']['events_per_s']:,.0f} events/s), payload "
            f"{relay['payload_bytes']:,} bytes"
        )
    consuming = result["consuming"]
    lines.append(
        f"  consume, no-op consumer: {consuming['events_per_s']:,.0f} events/s "
        f"({consuming['applied']:,} applied); redelivered, skipped: "
        f"{consuming['redelivered_events_per_s']:,.0f} events/s"
    )
    return "\n".join(lines)


def main() -> None:
    seed_file, out = sys.argv[1:3]
    django.setup()
    seed = json.loads(Path(seed_file).read_text())
    result = {
        "placing": measure_placing(
            customer_id=seed["placing_tokens"][0][0], variant_ids=seed["variant_ids"]
        )
    }
    problem = broker_problem(RABBITMQ_URL)
    result["relay"] = {"skipped": problem} if problem else measure_relay(broker_url=RABBITMQ_URL)
    result["consuming"] = measure_consuming()
    result["table"] = render(result)
    Path(out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
