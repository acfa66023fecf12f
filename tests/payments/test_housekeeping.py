"""Processed webhook events are kept past their retention only, and the settings that keep
reconciliation and pruning safe are checked at start-up."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone

from payments import services, tasks
from payments.models import ProcessedWebhookEvent
from tests.payments.support import event_body, pay, send_webhook

pytestmark = pytest.mark.django_db


def processed_events(client, payment_id: int, count: int) -> list[str]:
    """`count` webhook events processed for the payment (the first settles it); their ids."""
    ids = [f"evt_{n}" for n in range(count)]
    for event_id in ids:
        response = send_webhook(client, event_body(payment_id=payment_id, event_id=event_id))
        assert response.status_code == 200
    return ids


def age(event_id: str, by: timedelta) -> None:
    ProcessedWebhookEvent.objects.filter(event_id=event_id).update(received_at=timezone.now() - by)


def retention() -> timedelta:
    return timedelta(days=settings.PAYMENTS_WEBHOOK_EVENT_RETENTION_DAYS)


def test_only_events_past_their_retention_are_pruned(client, customer_client, order_id):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    old, young = processed_events(client, payment_id, 2)
    age(old, retention() + timedelta(minutes=1))
    age(young, retention() - timedelta(minutes=1))

    assert services.prune_processed_webhook_events() == 1

    assert list(ProcessedWebhookEvent.objects.values_list("event_id", flat=True)) == [young]
    replayed = send_webhook(client, event_body(payment_id=payment_id, event_id=young))
    assert replayed.status_code == 200
    assert ProcessedWebhookEvent.objects.count() == 1


def test_the_task_prunes_the_old_events(client, customer_client, order_id):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    for event_id in processed_events(client, payment_id, 3):
        age(event_id, retention() + timedelta(days=1))

    assert tasks.prune_webhook_events.apply().get() == 3

    assert not ProcessedWebhookEvent.objects.exists()


@pytest.mark.parametrize(
    ("setting", "value", "error"),
    [
        ("PAYMENTS_RECONCILE_AFTER_SECONDS", 5, "payments.E003"),
        ("PAYMENTS_WEBHOOK_EVENT_RETENTION_DAYS", 0, "payments.E004"),
    ],
    ids=["reconcile-window-too-short", "retention-within-signature-tolerance"],
)
def test_a_window_shorter_than_what_it_waits_for_is_refused(settings, setting, value, error):
    setattr(settings, setting, value)

    with pytest.raises(SystemCheckError, match=error):
        call_command("check")
