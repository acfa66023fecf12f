"""What the tests of the email consumers (`orders.emails`, `payments.emails`) share: the events
as the worker receives them, the one email sent, and a mail server that refuses."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from kernel import consumers, outbox
from kernel.consumers import Event
from kernel.models import ConsumedEvent, OutboxEvent


def recorded_events(event_type: str, object_id: int) -> list[Event]:
    """The events of this type about this object (`data.id`), oldest first, as the relay
    publishes them and the worker receives them."""
    rows = OutboxEvent.objects.filter(type=event_type, data__id=object_id).order_by("pk")
    return [Event.from_json(outbox.event_json(row)) for row in rows]


def only_email() -> tuple[mail.EmailMultiAlternatives, str]:
    """The one email sent, and its HTML alternative."""
    (message,) = mail.outbox
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return message, html


def assert_a_refusal_is_retried(
    monkeypatch, *, consumer: str, event: Event, error: Exception
) -> None:
    """While the mail server raises `error`, consuming `event` fails with it and records
    nothing (no email, no `ConsumedEvent`), so the task's retry runs it again: and the retry,
    the server back, sends the one email."""

    def refuse(self, messages):
        raise error

    with monkeypatch.context() as patched:
        patched.setattr(EmailBackend, "send_messages", refuse)
        with pytest.raises(type(error)):
            consumers.consume(consumer=consumer, event=event)
    assert not ConsumedEvent.objects.filter(consumer=consumer, event_id=event.id).exists()
    assert mail.outbox == []

    assert consumers.consume(consumer=consumer, event=event) is True
    assert len(mail.outbox) == 1
