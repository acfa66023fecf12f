"""Input and output shapes of the payments API (no business logic: that is in services).

Bodies follow the kernel's strict rules (`kernel.api.serializers`).
"""

from rest_framework import serializers

from kernel.api.pagination import PageQuerySerializer
from kernel.api.serializers import IdField, MoneyField, StrictCharField, StrictSerializer
from kernel.ids import MAX_ID
from payments.models import PaymentStatus


class PaymentCreateSerializer(StrictSerializer):
    order_id = IdField()
    token = StrictCharField(
        max_length=255, help_text="A provider token (sandbox: `tok_visa`, `tok_async`, ...)."
    )


class PaymentListQuerySerializer(PageQuerySerializer):
    order = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Only this order's payments."
    )


class RefundCreateSerializer(StrictSerializer):
    amount = MoneyField(
        required=False,
        allow_null=True,
        help_text="Greater than 0, at most what is left to refund; the whole remainder if omitted.",
    )


class PaymentSerializer(serializers.Serializer):
    """A payment; works on a model instance and on a `PaymentSummary` alike."""

    id = serializers.IntegerField(read_only=True)
    order_id = serializers.IntegerField(read_only=True)
    amount = MoneyField(read_only=True)
    currency = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=PaymentStatus.choices, read_only=True)
    provider = serializers.CharField(read_only=True)
    failure_code = serializers.CharField(read_only=True)
    refunded_amount = MoneyField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class RefundSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    payment_id = serializers.IntegerField(read_only=True)
    amount = MoneyField(read_only=True)
    currency = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class WebhookEventSerializer(serializers.Serializer):
    """The webhook body, for the schema only: the view verifies the raw bytes, not this."""

    id = serializers.CharField(help_text='The event id, `"evt_…"`; each is processed once.')
    type = serializers.CharField(help_text="`payment.succeeded` or `payment.failed`.")
    data = serializers.DictField(
        help_text='`{"payment_id": <id>, "failure_code"?: "...", "charge"?: "<charge id>"}`.'
    )


class WebhookOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["processed", "duplicate", "ignored"],
        help_text="`duplicate`: the event id was processed before; `ignored`: another event "
        "type or an unknown payment. Neither changes anything.",
    )
