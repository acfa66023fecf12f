"""Events reach integrators' endpoints: one delivery per subscribed active endpoint, POSTed as
the event's JSON, signed, to a real receiver on 127.0.0.1; anything but a 2xx within the
timeout is retried with exponential backoff, and after 8 attempts the delivery has failed."""

import datetime
import json
import time

import pytest
from django.db import connection
from django.utils import timezone

from kernel import consumers, tasks
from kernel.models import WebhookDelivery
from kernel.signatures import InvalidSignature, verify_signature
from kernel.webhooks import services, transport
from kernel.webhooks.consumer import CONSUMER_NAME
from tests.webhooks.conftest import make_event

pytestmark = pytest.mark.django_db

BASE = 30


@pytest.fixture
def endpoint(receiver):
    return services.create_endpoint(url=receiver.url, event_types=["order.paid"])


def consume(event) -> list[WebhookDelivery]:
    consumers.consume(consumer=CONSUMER_NAME, event=event)
    return list(WebhookDelivery.objects.filter(event_id=event.id).order_by("pk"))


def log(client, endpoint) -> list[dict]:
    return client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()["results"]


def make_due(delivery: WebhookDelivery) -> None:
    """The clock has moved on to the delivery's next attempt."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_an_event_is_posted_as_its_json_signed_with_the_endpoints_secret(
    receiver, endpoint, integrations_client
):
    event = make_event()
    (delivery,) = consume(event)

    outcome = tasks.deliver_webhook(delivery.pk)

    assert outcome == "delivered"
    (request,) = receiver.received
    assert request.path == "/hooks?source=shop"
    assert json.loads(request.body) == {
        "id": event.id,
        "type": "order.paid",
        "created_at": "2026-12-02T12:00:00Z",
        "data": event.data,
    }
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Shop-Event-Id"] == event.id
    assert request.headers["User-Agent"].startswith("shop-webhooks/")
    signature = request.headers["Shop-Signature"]
    verify_signature(secret=endpoint.secret, body=request.body, header=signature)
    with pytest.raises(InvalidSignature):
        verify_signature(secret="whsec_someone_else", body=request.body, header=signature)
    (row,) = log(integrations_client, endpoint)
    assert {k: row[k] for k in ("status", "attempts", "last_status_code", "next_attempt_at")} == {
        "status": "delivered",
        "attempts": 1,
        "last_status_code": 204,
        "next_attempt_at": None,
    }


def test_an_endpoint_answering_500_is_retried_with_exponential_backoff_then_failed(
    receiver, endpoint, integrations_client, settings
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = BASE
    receiver.status = 500
    (delivery,) = consume(make_event())

    for attempt in range(1, 9):
        before = timezone.now()
        outcome = tasks.deliver_webhook(delivery.pk)
        after = timezone.now()
        (row,) = log(integrations_client, endpoint)
        assert (row["attempts"], row["last_status_code"]) == (attempt, 500)
        if attempt < 8:
            assert (outcome, row["status"]) == ("pending", "pending")
            delay = datetime.timedelta(seconds=BASE * 2 ** (attempt - 1))
            next_attempt = datetime.datetime.fromisoformat(row["next_attempt_at"])
            assert before + delay <= next_attempt <= after + delay
            assert tasks.deliver_webhook(delivery.pk) is None  # not due yet
            make_due(delivery)

    assert (outcome, row["status"], row["next_attempt_at"]) == ("failed", "failed", None)
    assert len(receiver.received) == 8
    make_due(delivery)
    assert tasks.deliver_webhook(delivery.pk) is None
    assert len(receiver.received) == 8


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt(receiver, endpoint, monkeypatch):
    monkeypatch.setattr(transport, "TIMEOUT_SECONDS", 0.5)
    receiver.delay = 2
    (delivery,) = consume(make_event())

    started = time.monotonic()
    outcome = tasks.deliver_webhook(delivery.pk)

    assert time.monotonic() - started < 1.5
    delivery.refresh_from_db()
    assert (outcome, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "Timed out" in delivery.last_error


def test_a_receiver_trickling_its_answer_is_cut_off_at_the_timeout(receiver, endpoint, monkeypatch):
    monkeypatch.setattr(transport, "TIMEOUT_SECONDS", 0.5)
    receiver.trickle = 0.2  # each byte within the socket's timeout, the whole far beyond it
    (delivery,) = consume(make_event())

    started = time.monotonic()
    outcome = tasks.deliver_webhook(delivery.pk)

    assert time.monotonic() - started < 1.5
    delivery.refresh_from_db()
    assert (outcome, delivery.last_status_code) == ("pending", None)
    assert "Timed out" in delivery.last_error


def test_a_redirect_is_a_failure_and_is_not_followed(receiver, endpoint):
    receiver.status = 302
    receiver.location = receiver.url.replace("/hooks", "/elsewhere")
    (delivery,) = consume(make_event())

    outcome = tasks.deliver_webhook(delivery.pk)

    delivery.refresh_from_db()
    assert (outcome, delivery.last_status_code) == ("pending", 302)
    assert [request.path for request in receiver.received] == ["/hooks?source=shop"]


def test_only_active_endpoints_subscribed_to_the_type_get_a_delivery(receiver):
    paid = services.create_endpoint(url=receiver.url, event_types=["order.paid"])
    every = services.create_endpoint(url=receiver.url, event_types=["*"])
    services.create_endpoint(url=receiver.url, event_types=["order.placed"])
    services.create_endpoint(url=receiver.url, event_types=["*"], is_active=False)

    paid_deliveries = consume(make_event(1, "order.paid"))
    shipped_deliveries = consume(make_event(2, "order.shipped"))

    assert [d.endpoint_id for d in paid_deliveries] == [paid.pk, every.pk]
    assert [d.endpoint_id for d in shipped_deliveries] == [every.pk]


def test_the_same_event_consumed_twice_is_delivered_once(receiver, endpoint):
    event = make_event()

    consume(event)
    consume(event)
    services.record_deliveries(event=event)  # even past the consumer's own deduplication
    for delivery in WebhookDelivery.objects.all():
        tasks.deliver_webhook(delivery.pk)
        tasks.deliver_webhook(delivery.pk)

    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.received) == 1


def test_a_disabled_endpoint_is_sent_nothing_it_had_pending(receiver, endpoint):
    (delivery,) = consume(make_event())
    services.update_endpoint(endpoint=endpoint, data={"is_active": False})

    outcome = tasks.deliver_webhook(delivery.pk)

    assert outcome is None
    assert services.dispatch_due() == 0
    assert receiver.received == []


def test_the_address_is_checked_again_at_delivery(receiver, endpoint, settings):
    """The URL was allowed when saved; at delivery its host resolves to a refused address (the
    setting changed here, a DNS answer that changed in production)."""
    (delivery,) = consume(make_event())
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False

    outcome = tasks.deliver_webhook(delivery.pk)

    delivery.refresh_from_db()
    assert (outcome, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "private" in delivery.last_error
    assert receiver.received == []


def test_a_worker_that_dies_mid_post_leaves_the_delivery_to_be_retried_after_its_lease(
    receiver, endpoint, monkeypatch
):
    (delivery,) = consume(make_event())

    def die(**kwargs):
        raise SystemExit("the worker was killed")

    with monkeypatch.context() as patched:
        patched.setattr(transport, "post", die)
        with pytest.raises(SystemExit):
            tasks.deliver_webhook(delivery.pk)
    claimed_at = timezone.now()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at >= claimed_at + datetime.timedelta(seconds=50)
    assert tasks.deliver_webhook(delivery.pk) is None
    assert services.dispatch_due() == 0
    lease_over = claimed_at + datetime.timedelta(seconds=services.LEASE_SECONDS + 1)
    assert services.dispatch_due(now=lease_over) == 1
    make_due(delivery)
    assert tasks.deliver_webhook(delivery.pk) == "delivered"
    assert len(receiver.received) == 1


def test_the_sweep_asks_for_the_due_deliveries_only(receiver, endpoint):
    consume(make_event(1))
    (later,) = consume(make_event(2))
    WebhookDelivery.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=5)
    )

    assert tasks.dispatch_webhooks() == 1


@pytest.mark.django_db(transaction=True)
def test_the_attempt_is_claimed_and_committed_before_the_post(receiver, staff_groups):
    """Another connection (the receiver's thread) sees the attempt counted and the lease taken
    while the POST is being made: no transaction is held open across it."""
    endpoint = services.create_endpoint(url=receiver.url, event_types=["*"])
    (delivery,) = consume(make_event())
    seen = []

    def look() -> None:
        row = WebhookDelivery.objects.get(pk=delivery.pk)
        seen.append((row.attempts, row.next_attempt_at > timezone.now()))
        connection.close()

    receiver.on_request = look

    assert tasks.deliver_webhook(delivery.pk) == "delivered"
    assert seen == [(1, True)]
    assert endpoint.deliveries.get().status == "delivered"


def test_housekeeping_deletes_finished_deliveries_past_the_retention(receiver, endpoint, settings):
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 30
    old = timezone.now() - datetime.timedelta(days=31)
    delivered, failed, pending, recent = (consume(make_event(n))[0] for n in range(1, 5))
    WebhookDelivery.objects.filter(pk=delivered.pk).update(status="delivered", created_at=old)
    WebhookDelivery.objects.filter(pk=failed.pk).update(status="failed", created_at=old)
    WebhookDelivery.objects.filter(pk=pending.pk).update(created_at=old)
    WebhookDelivery.objects.filter(pk=recent.pk).update(status="delivered")

    assert tasks.prune_webhook_deliveries() == 2
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {pending.pk, recent.pk}


def test_staff_retry_a_failed_delivery_now_from_the_admin(receiver, endpoint, client, make_staff):
    (delivery,) = consume(make_event())
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="failed", attempts=8, next_attempt_at=None
    )
    client.force_login(make_staff("Integrations"))

    response = client.post(
        "/admin/kernel/webhookdelivery/",
        {"action": "retry_now", "_selected_action": [delivery.pk]},
    )
    outcome = tasks.deliver_webhook(delivery.pk)

    assert response.status_code == 302
    assert outcome == "delivered"
    assert len(receiver.received) == 1


def test_the_webhooks_consumer_takes_every_event_type():
    """Its queue is bound to `shop.events` with `#`: no event type is left out."""
    assert consumers.get_consumer(CONSUMER_NAME).event_types == ("#",)
