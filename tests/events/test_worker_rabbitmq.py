"""The shop as production runs it on RabbitMQ: gunicorn serving the API beside `make worker`'s
Celery worker and beat, on a virtual host of the test's own (tests/events/conftest.py) and a
database of their own. What a storefront and an integrator see: an order's events on a queue of
theirs bound to `shop.events`, signed webhooks at their endpoint, the order expiring, the
customer's emails. Then the worker killed with SIGKILL in the middle of a delivery: no event is
lost, none is applied twice."""

import json
import threading
from collections.abc import Callable

import pytest
from kombu import Connection, Queue

from kernel import outbox
from kernel.signatures import verify_signature
from tests.factories import ADDRESS
from tests.servers import Server, Worker, manage, receiving, sqlite_rows, wait_until

STAFF, CUSTOMER, PASSWORD = "ops@example.com", "ada@example.com", "a-long-passphrase-1"
SET_UP = f"""
from decimal import Decimal
from accounts.services import create_user
from catalog.services import create_product
create_user(email={STAFF!r}, password={PASSWORD!r}, is_staff=True, is_superuser=True)
create_user(email={CUSTOMER!r}, password={PASSWORD!r}, first_name="Ada")
print(create_product(sku="MUG-1", name="Blue mug", price=Decimal("12.50"), stock=10).id)
"""


def until(condition: Callable[[], object], worker: Worker | None) -> None:
    """Until `condition()` holds, for at most a minute, while the worker (if any) runs."""
    wait_until(
        condition,
        None if worker is None else worker.process,
        None if worker is None else worker.log,
        timeout=60,
    )


@pytest.fixture
def site(tmp_path, rabbitmq_vhost):
    """A migrated shop on SQLite (a file every process opens) with a superuser, a customer and a
    product; the settings its processes share; the product's id."""
    database = tmp_path / "shop.sqlite3"
    settings = {
        "CELERY_BROKER_URL": rabbitmq_vhost,
        "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "ORDER_PAYMENT_WINDOW_SECONDS": "4",
        "ORDER_EXPIRY_INTERVAL_SECONDS": "1",
    }
    manage(f"sqlite:///{database}", "migrate", "--noinput", "-v", "0", **settings)
    output = manage(f"sqlite:///{database}", "shell", "-v", "0", "-c", SET_UP, **settings)
    return database, settings, int(output.split()[-1])


def test_an_order_reaches_a_queue_an_endpoint_and_the_customer_then_expires(
    site, tmp_path, collected_static, rabbitmq_vhost
):
    database, settings, mug = site
    with (
        receiving() as receiver,
        Connection(rabbitmq_vhost) as broker,
    ):
        storefront = Queue("storefront", exchange=outbox.EXCHANGE, routing_key="order.*")(broker)
        storefront.declare()
        server = Server(f"sqlite:///{database}", tmp_path, static_root=collected_static, **settings)
        worker = Worker(f"sqlite:///{database}", tmp_path, **settings)
        try:
            staff, customer = (
                json.loads(
                    server.request(
                        "POST", "/api/v1/auth/token/", {"email": email, "password": PASSWORD}
                    ).text
                )["access"]
                for email in (STAFF, CUSTOMER)
            )
            endpoint = {"url": receiver.url, "events": ["order.placed", "order.cancelled"]}
            created = server.request("POST", "/api/v1/webhooks/", endpoint, token=staff)
            assert created.status == 201, created.text
            secret = json.loads(created.text)["secret"]
            order = {"items": [{"product_id": mug, "quantity": 2}], "shipping_address": ADDRESS}
            placed = server.request("POST", "/api/v1/orders/", order, token=customer)
            assert placed.status == 201, placed.text
            order = json.loads(placed.text)
            assert order["expires_at"] is not None

            # Unpaid, it expires: cancelled by the worker's beat, its stock back.
            until(lambda: len(receiver.received) >= 2, worker)
            until(lambda: len(list((tmp_path / "mail").glob("*.log"))) >= 2, worker)
            shown = json.loads(
                server.request("GET", f"/api/v1/orders/{order['id']}/", token=customer).text
            )
            product = json.loads(server.request("GET", f"/api/v1/products/{mug}/").text)
        finally:
            worker.stop()
            server.stop()

        # The integrator: two webhooks, each signed with the endpoint's secret.
        for webhook in receiver.received:
            verify_signature(
                secret=secret, body=webhook.body, header=webhook.headers["Shop-Signature"]
            )
        webhooks = [json.loads(webhook.body) for webhook in receiver.received]
        assert [event["type"] for event in webhooks] == ["order.placed", "order.cancelled"]
        assert [event["data"]["id"] for event in webhooks] == [order["id"]] * 2
        assert webhooks[1]["data"]["cancellation_reason"] == "expired"
        assert [w.headers["Shop-Event-Id"] for w in receiver.received] == [
            e["id"] for e in webhooks
        ]
        assert (shown["status"], shown["cancellation_reason"]) == ("cancelled", "expired")
        assert product["stock"] == 10

        # The storefront's queue: the same events, persistent JSON, by type.
        messages = [storefront.get(no_ack=True) for _ in range(2)]
        assert [json.loads(message.body) for message in messages] == webhooks
        assert [message.delivery_info["routing_key"] for message in messages] == [
            "order.placed",
            "order.cancelled",
        ]
        assert {message.properties["delivery_mode"] for message in messages} == {2}

    # The customer: the confirmation, then that the order expired unpaid.
    emails = sorted((tmp_path / "mail").glob("*.log"), key=lambda path: path.stat().st_mtime)
    texts = [email.read_text() for email in emails]
    assert len(texts) == 2
    assert all(f"To: {CUSTOMER}" in text for text in texts)
    assert order["number"] in texts[0]
    assert "expired" in texts[1].lower()


EVENTS_BEFORE, EVENTS_AFTER = 10, 10
RECORD = """
from django.db import transaction
from kernel.outbox import record_event
with transaction.atomic():
    for n in range({count}):
        record_event(type="product.updated", data={{"id": {start} + n}})
"""
ENDPOINT = """
from kernel.webhooks.services import create_endpoint
create_endpoint(url={url!r}, event_types=["product.updated"])
"""


def test_a_worker_killed_mid_delivery_loses_no_event_and_applies_none_twice(site, tmp_path):
    database, settings, _ = site
    database_url = f"sqlite:///{database}"
    arrived, held = threading.Event(), threading.Event()

    def hold() -> None:
        arrived.set()
        held.wait(timeout=60)

    with receiving() as receiver:
        receiver.on_request = hold
        manage(database_url, "shell", "-c", ENDPOINT.format(url=receiver.url), **settings)
        manage(database_url, "shell", "-c", RECORD.format(count=EVENTS_BEFORE, start=0), **settings)
        worker = Worker(database_url, tmp_path, **settings)
        try:
            # The first POST is held at the receiver: the worker is in the middle of it.
            until(arrived.is_set, worker)
        finally:
            worker.kill()
        receiver.on_request = None
        held.set()
        until(lambda: receiver.received, worker=None)
        (in_flight,) = {json.loads(webhook.body)["id"] for webhook in receiver.received}
        # Events recorded while no worker runs wait in the outbox.
        manage(
            database_url,
            "shell",
            "-c",
            RECORD.format(count=EVENTS_AFTER, start=EVENTS_BEFORE),
            **settings,
        )

        worker = Worker(database_url, tmp_path, **settings)
        try:
            until(
                lambda: (
                    sqlite_rows(
                        database,
                        "SELECT COUNT(*) FROM kernel_webhookdelivery WHERE status = 'delivered'",
                    )[0][0]
                    >= EVENTS_BEFORE + EVENTS_AFTER - 1
                ),
                worker,
            )
        finally:
            worker.stop()

    events = {
        event_id
        for (event_id,) in sqlite_rows(
            database, "SELECT event_id FROM kernel_outboxevent WHERE type = 'product.updated'"
        )
    }
    deliveries = sqlite_rows(
        database, "SELECT event_id, status, attempts FROM kernel_webhookdelivery ORDER BY id"
    )
    consumed = sqlite_rows(
        database, "SELECT event_id FROM kernel_consumedevent WHERE consumer = 'webhooks'"
    )
    # Every event was consumed once and made one delivery: none lost, none applied twice.
    assert len(events) == EVENTS_BEFORE + EVENTS_AFTER
    every_event = sqlite_rows(
        database, "SELECT event_id FROM kernel_outboxevent"
    )  # product.created too
    assert sorted(consumed) == sorted(every_event)
    assert sorted(event_id for event_id, _, _ in deliveries) == sorted(events)
    # The delivery that was in flight waits for its lease to run out, then goes again (at least
    # once: the receiver deduplicates on the event id); every other went once.
    for event_id, status, attempts in deliveries:
        if event_id == in_flight:
            assert (status, attempts) in {("pending", 1), ("delivered", 2)}
        else:
            assert (status, attempts) == ("delivered", 1)
    posted = [json.loads(webhook.body)["id"] for webhook in receiver.received]
    assert set(posted) == events
    assert len(posted) - len(events) == posted.count(in_flight) - 1
