from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` for one operation, and the response it first produced.

    A row without `response_status` is a request still being processed (or one that died and
    will be taken over once stale); a row with one is replayed to the same key and body.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    locked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scope", "key"], name="kernel_idempotency_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class OutboxEvent(models.Model):
    """A domain event, written in the transaction of the change it reports (`kernel.outbox`).

    `id` orders the events; `event_id` (`evt_…`) is what the world sees, as the message id
    consumers deduplicate on. A row without `sent_at` waits for the relay.
    """

    event_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=64)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The relay's look-up: the oldest unsent rows, however many sent ones wait for
            # housekeeping.
            models.Index(
                fields=["id"], condition=models.Q(sent_at__isnull=True), name="kernel_outbox_unsent"
            ),
            # Housekeeping's look-up: the rows sent before the retention.
            models.Index(fields=["sent_at"], name="kernel_outbox_sent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class ConsumedEvent(models.Model):
    """An event a consumer has applied (`kernel.consumers`): written in the transaction of the
    consumer's own writes, so a redelivered event is recognised and skipped."""

    consumer = models.CharField(max_length=100)
    event_id = models.CharField(max_length=40)
    consumed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "event_id"], name="kernel_consumed_event_unique"
            )
        ]
        indexes = [models.Index(fields=["consumed_at"], name="kernel_consumed_at")]

    def __str__(self) -> str:
        return f"{self.consumer} {self.event_id}"
