"""HTTP for orders: place, list, read, cancel, ship and deliver. Thin: services do the work."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from kernel.api.order_key import (
    ORDER_KEY_PARAMETER,
    OrderKeyThrottle,
    SignedInOrOrderKey,
    order_key,
)
from kernel.api.permissions import StaffPermission, denied_message, forbidden_without
from kernel.api.schema import (
    ErrorSerializer,
    ValidationErrorSerializer,
    any_of,
    error_response,
    error_responses,
    idempotency_parameters,
)
from kernel.api.serializers import EmptyBodySerializer, EmptyQuerySerializer, validated
from kernel.api.throttling import ScopedRateThrottle
from kernel.api.views import GenericViewSet
from kernel.idempotency import idempotent
from kernel.permissions import staff_has
from orders import selectors, services
from orders.models import Order, OrderStatus
from orders.serializers import (
    OrderCreateSerializer,
    OrderListParamsSerializer,
    OrderSerializer,
    OrderShipSerializer,
    order_items,
    order_json,
)


class ShortageSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    variant_id = serializers.IntegerField()
    requested = serializers.IntegerField()
    available = serializers.IntegerField()


class ReservationErrorSerializer(ErrorSerializer):
    """`product_unavailable` (400) or `insufficient_stock` (409): nothing was reserved."""

    unavailable_product_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="Unknown or inactive products."
    )
    unavailable_variant_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="Unknown variants."
    )
    shortages = ShortageSerializer(many=True, help_text="Variants short of stock.")


class VariantRequiredErrorSerializer(ErrorSerializer):
    """`variant_required`: an item named a product that has several variants."""

    product_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="The products to name a variant of."
    )


class InvalidTransitionErrorSerializer(ErrorSerializer):
    """`invalid_transition`: the order cannot go from its status to the one asked for."""

    current_status = serializers.ChoiceField(choices=OrderStatus.choices)
    requested_status = serializers.ChoiceField(choices=OrderStatus.choices)


class ShippingAddressMissingErrorSerializer(ErrorSerializer):
    """`shipping_address_missing`: the order cannot be shipped without a complete address."""

    missing_fields = serializers.ListField(
        child=serializers.CharField(), help_text="The address fields the order lacks."
    )


CHANGE_ORDER = "orders.change_order"
_ORDER = OpenApiResponse(OrderSerializer, description="The order.")
_INVALID_TRANSITION = {
    409: error_response(
        InvalidTransitionErrorSerializer,
        "`invalid_transition`: not from the order's current status.",
    )
}
_PLACEMENT_ERRORS = {
    **error_responses(401, 429),
    400: error_response(
        any_of(
            ReservationErrorSerializer,
            VariantRequiredErrorSerializer,
            ErrorSerializer,
            ValidationErrorSerializer,
        ),
        'Validation error (`{"field": ["message", ...]}`), a malformed `Idempotency-Key`, '
        "`product_unavailable` naming the unknown or inactive products and unknown variants "
        "(`unavailable_product_ids`, `unavailable_variant_ids`), or `variant_required` naming "
        "the products ordered by `product_id` that have several variants (`product_ids`).",
    ),
    409: error_response(
        any_of(ReservationErrorSerializer, ErrorSerializer),
        "`insufficient_stock` naming the variants short (`shortages`), or "
        "`idempotency_key_in_progress`.",
    ),
    422: error_response(
        ErrorSerializer, "`idempotency_key_reused`: this key was used with another body."
    ),
}


def _orders_json(orders: list[dict]) -> list[dict]:
    """These order rows as the API renders them, with their lines and events (two queries)."""
    lines, events = selectors.lines_and_events(order_ids=[order["id"] for order in orders])
    zone = timezone.get_current_timezone()
    return [order_json(order, lines[order["id"]], events[order["id"]], zone) for order in orders]


@extend_schema(tags=["orders"])
class OrderViewSet(GenericViewSet):
    serializer_class = OrderSerializer
    filter_backends: list = []
    throttle_scope = "order_placement"
    permission_classes = [SignedInOrOrderKey, StaffPermission]
    required_permissions = {"ship": [CHANGE_ORDER], "deliver": [CHANGE_ORDER]}
    key_actions = frozenset({"retrieve", "cancel"})

    def get_serializer_class(self):
        """The input shape for the browsable API's forms; responses always use OrderSerializer."""
        return {"create": OrderCreateSerializer, "ship": OrderShipSerializer}.get(
            self.action, OrderSerializer
        )

    def get_query_serializer_class(self):
        return OrderListParamsSerializer if self.action == "list" else EmptyQuerySerializer

    def get_queryset(self):
        """No rows: the browsable API asks a view for its queryset to build a filter form (there
        is none here); the reads go through `orders.selectors`."""
        return Order.objects.none()

    def get_throttles(self):
        if self.action == "create":
            return [ScopedRateThrottle()]
        return [OrderKeyThrottle()] if self.action in self.key_actions else []

    def _order_response(self, order_id: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        order = selectors.order_row(
            user=self.request.user, order_id=order_id, order_key=order_key(self.request)
        )
        return Response(_orders_json([order])[0], status=status_code)

    @extend_schema(
        summary="Your orders, newest first (staff: everyone's)",
        parameters=[OrderListParamsSerializer],
        responses={200: OrderSerializer(many=True), **error_responses(400, 401)},
    )
    def list(self, request):
        user, order_status = request.user, self.query.get("status")
        orders = self.paginator.paginate_rows(
            request,
            count=selectors.count_orders(user=user, status=order_status),
            fetch=lambda limit, offset: selectors.order_page(
                user=user, status=order_status, limit=limit, offset=offset
            ),
            view=self,
        )
        return self.get_paginated_response(_orders_json(orders))

    @extend_schema(
        summary="Place an order",
        description=(
            "Reserves stock for every line at once, or for none. An unknown or inactive product "
            "is 400 `product_unavailable`; a product short of stock is 409 `insufficient_stock` "
            "naming every product short (`shortages`)."
        ),
        request=OrderCreateSerializer,
        parameters=idempotency_parameters(201),
        responses={201: _ORDER, **_PLACEMENT_ERRORS},
    )
    @idempotent("orders.place", atomic=True)
    def create(self, request):
        data = validated(OrderCreateSerializer, request.data)
        placed = services.place_order(
            customer_id=request.user.pk,
            email=request.user.email,
            items=order_items(data["items"]),
            shipping_address=data.get("shipping_address"),
        )
        return self._order_response(placed.id, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="One order",
        description="Its customer's, staff's, or anyone's with the guest order's `Order-Key`.",
        parameters=[ORDER_KEY_PARAMETER],
        responses={200: _ORDER, **error_responses(401, 404)},
    )
    def retrieve(self, request, pk: int):
        return self._order_response(pk)

    @extend_schema(
        summary="Cancel an order (owner or staff)",
        description=(
            "From `pending` or `paid`: the stock comes back and a paid order is refunded in "
            "full. 409 `invalid_transition` from any other status. The owner may cancel their "
            "own order; anyone else's needs staff with `orders.change_order`. A guest order's "
            "`Order-Key` cancels it while `pending` (409 `invalid_transition` after)."
        ),
        parameters=[ORDER_KEY_PARAMETER],
        request=None,
        responses={
            200: _ORDER,
            **error_responses(401, 404),
            **forbidden_without(CHANGE_ORDER, who="Staff who may see the order but not change it"),
            **_INVALID_TRANSITION,
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk: int):
        validated(EmptyBodySerializer, request.data)
        key = order_key(request)
        if key is not None and services.order_key_matches(order_id=pk, key=key):
            services.cancel_order(order_id=pk, actor_id=None)
            return self._order_response(pk)
        customer_id = selectors.visible_order_customer_id(user=request.user, order_id=pk)
        if customer_id != request.user.pk and not staff_has(request.user, CHANGE_ORDER):
            self.permission_denied(request, message=denied_message([CHANGE_ORDER]))
        services.cancel_order(order_id=pk, actor_id=request.user.pk)
        return self._order_response(pk)

    @extend_schema(
        summary="Ship a paid order (staff)",
        description="Only a `paid` order with a shipping address can be shipped.",
        request=OrderShipSerializer,
        responses={
            200: _ORDER,
            **error_responses(400, 401, 404),
            **forbidden_without(CHANGE_ORDER),
            409: error_response(
                any_of(InvalidTransitionErrorSerializer, ShippingAddressMissingErrorSerializer),
                "`invalid_transition`: the order is not `paid`; "
                "`shipping_address_missing`: it has no complete shipping address "
                "(`missing_fields` names what it lacks).",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def ship(self, request, pk: int):
        services.ship_order(order_id=pk, **validated(OrderShipSerializer, request.data))
        return self._order_response(pk)

    @extend_schema(
        summary="Mark a shipped order delivered (staff)",
        request=None,
        responses={
            200: _ORDER,
            **error_responses(401, 404),
            **forbidden_without(CHANGE_ORDER),
            **_INVALID_TRANSITION,
        },
    )
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk: int):
        validated(EmptyBodySerializer, request.data)
        services.deliver_order(order_id=pk)
        return self._order_response(pk)
