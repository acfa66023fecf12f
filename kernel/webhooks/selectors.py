"""The reads of the webhooks API."""

from django.db.models import QuerySet

from kernel.models import WebhookDelivery, WebhookEndpoint


def endpoints() -> QuerySet[WebhookEndpoint]:
    """Every endpoint, newest first."""
    return WebhookEndpoint.objects.order_by("-pk")


def deliveries_of(*, endpoint_id: int) -> QuerySet[WebhookDelivery]:
    """An endpoint's deliveries, newest first."""
    return WebhookDelivery.objects.filter(endpoint_id=endpoint_id).order_by("-pk")
