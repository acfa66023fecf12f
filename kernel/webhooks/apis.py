"""HTTP for the outgoing webhooks: staff manage endpoints and read their delivery log.

Every operation needs a Django permission of the kernel's webhook models (the `Integrations`
group holds them all); a customer gets 403, an anonymous caller 401.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from kernel.api.pagination import PageQuerySerializer
from kernel.api.permissions import StaffPermission, forbidden_without
from kernel.api.schema import (
    ErrorSerializer,
    ValidationErrorSerializer,
    any_of,
    error_response,
    error_responses,
)
from kernel.api.serializers import EmptyQuerySerializer, validated
from kernel.api.views import GenericViewSet
from kernel.webhooks import selectors, services
from kernel.webhooks.serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWriteSerializer,
)

VIEW = "kernel.view_webhookendpoint"
ADD = "kernel.add_webhookendpoint"
CHANGE = "kernel.change_webhookendpoint"
DELETE = "kernel.delete_webhookendpoint"
VIEW_DELIVERIES = "kernel.view_webhookdelivery"
BAD_ENDPOINT = {
    400: error_response(
        any_of(ErrorSerializer, ValidationErrorSerializer),
        'Validation error: `{"field": ["message", ...]}`; or the URL\'s host resolves to a '
        "private, loopback or link-local address (`webhook_url_forbidden`), or does not "
        "resolve (`webhook_url_unresolvable`).",
    )
}


def _write_data(data: dict) -> dict:
    """The serializer's `events` is the model's `event_types`."""
    if "events" in data:
        data["event_types"] = data.pop("events")
    return data


@extend_schema(tags=["webhooks"])
class WebhookEndpointViewSet(GenericViewSet):
    permission_classes = [StaffPermission]
    required_permissions = {
        "list": [VIEW],
        "retrieve": [VIEW],
        "create": [ADD],
        "partial_update": [CHANGE],
        "destroy": [DELETE],
        "deliveries": [VIEW, VIEW_DELIVERIES],
    }
    filter_backends: list = []
    serializer_class = WebhookEndpointWriteSerializer

    def get_queryset(self):
        return selectors.endpoints()

    def get_query_serializer_class(self):
        if self.action in ("list", "deliveries"):
            return PageQuerySerializer
        return EmptyQuerySerializer

    @extend_schema(
        summary="List webhook endpoints (staff)",
        description="Newest first; secrets are never shown.",
        responses={
            200: WebhookEndpointSerializer(many=True),
            **error_responses(400, 401, 404),
            **forbidden_without(VIEW),
        },
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WebhookEndpointSerializer(page, many=True).data)

    @extend_schema(
        summary="Get a webhook endpoint (staff)",
        responses={
            200: WebhookEndpointSerializer,
            **error_responses(401, 404),
            **forbidden_without(VIEW),
        },
    )
    def retrieve(self, request, pk: int):
        return Response(WebhookEndpointSerializer(self.get_object()).data)

    @extend_schema(
        summary="Create a webhook endpoint (staff)",
        description="The response is the only one that shows the endpoint's `secret`, which "
        "signs each delivery (`Shop-Signature`).",
        request=WebhookEndpointWriteSerializer,
        responses={
            201: WebhookEndpointCreatedSerializer,
            **BAD_ENDPOINT,
            **error_responses(401),
            **forbidden_without(ADD),
        },
    )
    def create(self, request):
        data = _write_data(dict(validated(WebhookEndpointWriteSerializer, request.data)))
        endpoint = services.create_endpoint(**data)
        return Response(
            WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Change a webhook endpoint (staff)",
        request=WebhookEndpointWriteSerializer(partial=True),
        responses={
            200: WebhookEndpointSerializer,
            **BAD_ENDPOINT,
            **error_responses(401, 404),
            **forbidden_without(CHANGE),
        },
    )
    def partial_update(self, request, pk: int):
        endpoint = self.get_object()
        data = validated(WebhookEndpointWriteSerializer, request.data, partial=True)
        endpoint = services.update_endpoint(endpoint=endpoint, data=_write_data(dict(data)))
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Delete a webhook endpoint (staff), with its delivery log",
        responses={204: None, **error_responses(401, 404), **forbidden_without(DELETE)},
    )
    def destroy(self, request, pk: int):
        services.delete_endpoint(endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="List an endpoint's deliveries (staff)",
        description="Newest first. A delivery is `pending` until a 2xx answers it (retried "
        "with exponential backoff) or its 8th attempt fails (`failed`).",
        responses={
            200: WebhookDeliverySerializer(many=True),
            **error_responses(400, 401, 404),
            **forbidden_without(VIEW, VIEW_DELIVERIES),
        },
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk: int):
        endpoint = self.get_object()
        page = self.paginate_queryset(selectors.deliveries_of(endpoint_id=endpoint.pk))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
