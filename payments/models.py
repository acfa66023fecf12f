from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from kernel.money import DECIMAL_PLACES, MAX_DIGITS


class PaymentStatus(models.TextChoices):
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


# Processing, or money captured at some point: an order has at most one such payment.
LIVE_STATUSES = (
    PaymentStatus.PROCESSING,
    PaymentStatus.SUCCEEDED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.REFUNDED,
)
REFUNDABLE_STATUSES = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED)


class Payment(models.Model):
    """One attempt to pay one order, through one provider.

    The order is referenced by id (orders is another app). At most one payment of an order is
    live (processing, or money captured): the database, not only the code, refuses a second,
    so an order can never be charged twice.
    """

    order_id = models.PositiveBigIntegerField(db_index=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payments",
        null=True,
        blank=True,
        help_text="Empty for a guest order's payment.",
    )
    amount = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PROCESSING
    )
    provider = models.CharField(max_length=32)
    provider_reference = models.CharField(
        max_length=255,
        blank=True,
        help_text="The provider's id of the charge; empty until the provider has answered.",
    )
    failure_code = models.CharField(max_length=64, blank=True)
    refunded_amount = models.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, default=0
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PaymentStatus.values),
                name="payments_payment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("amount")),
                name="payments_payment_refunded_within_amount",
            ),
            models.UniqueConstraint(
                fields=["order_id"],
                condition=Q(status__in=[status.value for status in LIVE_STATUSES]),
                name="payments_payment_one_live_per_order",
            ),
        ]
        indexes = [
            # Reconciliation's question: which payments have been processing for too long.
            models.Index(
                fields=["updated_at"],
                condition=Q(status=PaymentStatus.PROCESSING),
                name="payments_payment_processing",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk} for order {self.order_id} ({self.status})"

    @property
    def refundable_amount(self) -> Decimal:
        return self.amount - self.refunded_amount


class Refund(models.Model):
    """Money given back on a payment; its refunds add up to the payment's refunded_amount.

    The one exception: a capture the provider made for another amount or currency than asked
    (the payment failed with `amount_mismatch`) is refunded as captured, recorded here in the
    captured currency, and is not part of refunded_amount.
    """

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)
    currency = models.CharField(max_length=3)
    provider_reference = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_refund_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.pk} of payment {self.payment_id}"


class ProcessedWebhookEvent(models.Model):
    """A provider event already acted on: recorded with its effect, so a replay changes nothing."""

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="payments_webhook_event_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"


class SandboxCharge(models.Model):
    """The sandbox provider's own ledger (its side, not shop's): one row per idempotency key."""

    idempotency_key = models.CharField(max_length=255, unique=True)
    reference = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20)
    failure_code = models.CharField(max_length=64, blank=True)
    refunded_amount = models.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, default=0
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("amount")),
                name="payments_sandboxcharge_refunded_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class SandboxRefund(models.Model):
    """A refund in the sandbox provider's ledger, once per idempotency key."""

    idempotency_key = models.CharField(max_length=255, unique=True)
    reference = models.CharField(max_length=64, unique=True)
    charge = models.ForeignKey(SandboxCharge, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.reference
