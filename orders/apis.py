"""HTTP for orders: place, list, read, cancel, ship and deliver. Thin: services do the work."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kernel.api.permissions import IsStaff
from kernel.api.schema import ErrorSerializer, error_responses
from kernel.api.throttling import ScopedRateThrottle
from kernel.idempotency import HEADER as IDEMPOTENCY_HEADER
from kernel.idempotency import idempotent
from orders import selectors, services
from orders.serializers import (
    OrderCreateSerializer,
    OrderListParamsSerializer,
    OrderSerializer,
    OrderShipSerializer,
    order_json,
)

ORDER_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The order's id."
)
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "1–255 printable ASCII characters, scoped to you. Retrying with the same key and body "
        "returns the first successful response and places the order once; the same key with "
        "another body is 422 `idempotency_key_reused`; while the first request is still being "
        "processed a twin gets 409 `idempotency_key_in_progress`."
    ),
)
_ORDER = OpenApiResponse(OrderSerializer, description="The order.")
_INVALID_TRANSITION = {
    409: OpenApiResponse(
        ErrorSerializer, description="`invalid_transition`: not from the order's current status."
    )
}
_PLACEMENT_ERRORS = {
    **error_responses(400, 401, 409, 422, 429),
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description=(
            'Validation error (`{"field": ["message", ...]}`), a malformed `Idempotency-Key`, or '
            "`product_unavailable` naming the unknown or inactive products "
            "(`unavailable_product_ids`)."
        ),
    ),
    409: OpenApiResponse(
        ErrorSerializer,
        description=(
            "`insufficient_stock` naming the products short (`shortages`: product_id, "
            "requested, available), or `idempotency_key_in_progress`."
        ),
    ),
    422: OpenApiResponse(
        ErrorSerializer,
        description="`idempotency_key_reused`: this key was used with another body.",
    ),
}


def _orders_json(orders: list[dict]) -> list[dict]:
    """These order rows as the API renders them, with their lines and events (two queries)."""
    lines, events = selectors.lines_and_events(order_ids=[order["id"] for order in orders])
    return [order_json(order, lines[order["id"]], events[order["id"]]) for order in orders]


@extend_schema(tags=["orders"])
class OrderViewSet(viewsets.GenericViewSet):
    serializer_class = OrderSerializer
    filter_backends: list = []
    lookup_value_regex = "[0-9]{1,18}"
    throttle_scope = "order_placement"

    def get_serializer_class(self):
        """The input shape for the browsable API's forms; responses always use OrderSerializer."""
        return {"create": OrderCreateSerializer, "ship": OrderShipSerializer}.get(
            self.action, OrderSerializer
        )

    def get_queryset(self):
        return selectors.order_rows(user=self.request.user)

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.action == "create" else []

    def _order_response(self, order_id: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        order = selectors.order_row(user=self.request.user, order_id=order_id)
        return Response(_orders_json([order])[0], status=status_code)

    @extend_schema(
        summary="Your orders, newest first (staff: everyone's)",
        parameters=[OrderListParamsSerializer],
        responses={200: OrderSerializer(many=True), **error_responses(400, 401)},
    )
    def list(self, request):
        params = OrderListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        orders = selectors.order_rows(user=request.user, status=params.validated_data.get("status"))
        return self.get_paginated_response(_orders_json(self.paginate_queryset(orders)))

    @extend_schema(
        summary="Place an order",
        description=(
            "Reserves stock for every line at once, or for none. An unknown or inactive product "
            "is 400 `product_unavailable`; a product short of stock is 409 `insufficient_stock` "
            "naming every product short (`shortages`)."
        ),
        request=OrderCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: _ORDER, **_PLACEMENT_ERRORS},
    )
    @idempotent("orders.place", atomic=True)
    def create(self, request):
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        placed = services.place_order(
            customer_id=request.user.pk,
            items=[(item["product_id"], item["quantity"]) for item in data["items"]],
            shipping_address=data.get("shipping_address"),
        )
        return self._order_response(placed.id, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="One order",
        parameters=[ORDER_ID],
        responses={200: _ORDER, **error_responses(401, 404)},
    )
    def retrieve(self, request, pk: str):
        return self._order_response(int(pk))

    @extend_schema(
        summary="Cancel an order (owner or staff)",
        description=(
            "From `pending` or `paid`: the stock comes back and a paid order is refunded in "
            "full. 409 `invalid_transition` from any other status."
        ),
        parameters=[ORDER_ID],
        request=None,
        responses={200: _ORDER, **error_responses(401, 404), **_INVALID_TRANSITION},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk: str):
        selectors.check_order_visible(user=request.user, order_id=int(pk))
        services.cancel_order(order_id=int(pk), actor_id=request.user.pk)
        return self._order_response(int(pk))

    @extend_schema(
        summary="Ship a paid order (staff)",
        parameters=[ORDER_ID],
        request=OrderShipSerializer,
        responses={200: _ORDER, **error_responses(400, 401, 403, 404), **_INVALID_TRANSITION},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def ship(self, request, pk: str):
        serializer = OrderShipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ship_order(order_id=int(pk), **serializer.validated_data)
        return self._order_response(int(pk))

    @extend_schema(
        summary="Mark a shipped order delivered (staff)",
        parameters=[ORDER_ID],
        request=None,
        responses={200: _ORDER, **error_responses(401, 403, 404), **_INVALID_TRANSITION},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def deliver(self, request, pk: str):
        services.deliver_order(order_id=int(pk))
        return self._order_response(int(pk))
