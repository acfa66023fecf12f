"""Input and output shapes of the webhooks API; bodies follow `kernel.api.serializers`' rules."""

from urllib.parse import urlsplit

from rest_framework import serializers

from kernel.api.serializers import (
    StrictBooleanField,
    StrictCharField,
    StrictSerializer,
    StrictURLField,
)
from kernel.models import WebhookDelivery
from kernel.webhooks.services import ALL_EVENTS, EVENT_TYPES

SCHEMES = ("http", "https")


class WebhookEndpointWriteSerializer(StrictSerializer):
    url = StrictURLField(
        max_length=2000,
        help_text="http or https; its host must not resolve to a private, loopback or "
        "link-local address.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=[*EVENT_TYPES, ALL_EVENTS]),
        allow_empty=False,
        max_length=len(EVENT_TYPES) + 1,
        help_text='The event types to send, or `["*"]` for every type.',
    )
    is_active = StrictBooleanField(default=True)
    secret = StrictCharField(
        min_length=16,
        max_length=255,
        required=False,
        help_text="The key signing each delivery; generated (`whsec_…`) when not given.",
    )

    def validate_url(self, value: str) -> str:
        if urlsplit(value).scheme.lower() not in SCHEMES:
            raise serializers.ValidationError("Only http and https URLs are allowed.")
        return value

    def validate_events(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.CharField(read_only=True)
    events = serializers.ListField(
        child=serializers.CharField(), source="event_types", read_only=True
    )
    is_active = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """The endpoint as its creation returns it: the only response that shows its secret."""

    secret = serializers.CharField(read_only=True)


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    event_id = serializers.CharField(read_only=True)
    event_type = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices, read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    last_status_code = serializers.IntegerField(read_only=True, allow_null=True)
    next_attempt_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
