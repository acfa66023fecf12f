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


class WebhookEndpoint(models.Model):
    """An integrator's URL that the events of `event_types` (`["*"]`: every type) are POSTed to,
    signed with `secret` (`kernel.webhooks`)."""

    url = models.URLField(max_length=2000)
    event_types = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    secret = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event to one endpoint: `body` is the exact JSON POSTed, each attempt signed anew.

    A pending row is due at `next_attempt_at`; a worker claims it by pushing that out by a lease
    (and counting the attempt) before it POSTs, so one crashed mid-POST is retried after it.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=40)
    event_type = models.CharField(max_length=64)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="kernel_webhook_delivery_unique"
            ),
        ]
        indexes = [
            # The sweep's look-up: the pending rows that are due.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="kernel_webhook_due",
            ),
            # An endpoint's log, newest first.
            models.Index(fields=["endpoint", "-id"], name="kernel_webhook_log"),
            # Housekeeping's look-up: the finished rows past the retention.
            models.Index(fields=["created_at"], name="kernel_webhook_created_at"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id}"
