"""HTTP for payments: thin views over `payments.services` and `payments.selectors`."""

from django.core.exceptions import RequestDataTooBig
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from kernel.api.order_key import (
    ORDER_KEY_PARAMETER,
    OrderKeyThrottle,
    SignedInOrOrderKey,
    order_key,
)
from kernel.api.permissions import StaffPermission, forbidden_without
from kernel.api.schema import (
    ErrorSerializer,
    any_of,
    error_response,
    error_responses,
    idempotency_parameters,
)
from kernel.api.serializers import EmptyQuerySerializer, validated
from kernel.api.views import APIView, GenericViewSet
from kernel.idempotency import idempotent
from orders import services as order_services
from orders.exceptions import OrderNotFound
from payments import selectors, services
from payments.exceptions import InvalidWebhook
from payments.gateways.webhooks import SIGNATURE_HEADER
from payments.models import PaymentStatus
from payments.serializers import (
    PaymentCreateSerializer,
    PaymentListQuerySerializer,
    PaymentSerializer,
    RefundCreateSerializer,
    RefundSerializer,
    WebhookEventSerializer,
    WebhookOutcomeSerializer,
)

CHANGE_PAYMENT = "payments.change_payment"


class PaymentErrorSerializer(ErrorSerializer):
    """A declined (402) or voided (409 `order_not_payable`) payment attempt."""

    payment = PaymentSerializer()


class OrderNotPayableErrorSerializer(ErrorSerializer):
    """`order_not_payable`: the order is not pending (or past its `expires_at`), or a payment
    of it is under way."""

    optional_response_fields = ("current_status",)

    current_status = serializers.CharField(help_text="The order's status, when it is not pending.")


def _pay_response(payment) -> Response:
    data = PaymentSerializer(payment).data
    if payment.status == PaymentStatus.SUCCEEDED:
        return Response(data, status=status.HTTP_201_CREATED)
    if payment.status == PaymentStatus.PROCESSING:
        return Response(data, status=status.HTTP_202_ACCEPTED)
    if payment.status == PaymentStatus.FAILED:
        return Response(
            {"detail": "The payment was declined.", "code": payment.failure_code, "payment": data},
            status=status.HTTP_402_PAYMENT_REQUIRED,
        )
    return Response(
        {
            "detail": (
                "The order was cancelled, or its payment window closed, while it was being "
                "paid; the payment was refunded."
            ),
            "code": "order_not_payable",
            "payment": data,
        },
        status=status.HTTP_409_CONFLICT,
    )


@extend_schema(tags=["payments"])
class PaymentViewSet(GenericViewSet):
    serializer_class = PaymentSerializer
    permission_classes = [SignedInOrOrderKey, StaffPermission]
    required_permissions = {"refund": [CHANGE_PAYMENT]}
    key_actions = frozenset({"list", "create"})

    def get_throttles(self):
        return [OrderKeyThrottle()] if self.action in self.key_actions else []

    filter_backends = []

    def get_queryset(self):
        return selectors.payments_visible_to(user=self.request.user)

    def get_query_serializer_class(self):
        return PaymentListQuerySerializer if self.action == "list" else EmptyQuerySerializer

    def get_serializer_class(self):
        """The input shape for the browsable API's forms; responses always use PaymentSerializer."""
        return {"create": PaymentCreateSerializer, "refund": RefundCreateSerializer}.get(
            self.action, PaymentSerializer
        )

    @extend_schema(
        summary="List payments",
        description="The caller's payments (staff who may view payments: everyone's), newest "
        "first. A guest order's `Order-Key` with `?order=` lists that order's payments; a "
        "wrong key without a signed-in caller is 404.",
        parameters=[PaymentListQuerySerializer, ORDER_KEY_PARAMETER],
        responses={200: PaymentSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def list(self, request):
        order_id, key = self.query.get("order"), order_key(request)
        key_opens_order = (
            key is not None
            and order_id is not None
            and order_services.order_key_matches(order_id=order_id, key=key)
        )
        if key is not None and not key_opens_order and not request.user.is_authenticated:
            raise OrderNotFound()
        payments = selectors.payments_visible_to(
            user=request.user, order_id=order_id, key_opens_order=key_opens_order
        )
        page = self.paginate_queryset(payments)
        return self.get_paginated_response(PaymentSerializer(page, many=True).data)

    @extend_schema(
        summary="Retrieve a payment",
        description="The payment's owner or staff who may view payments; anyone else gets 404.",
        responses={200: PaymentSerializer, **error_responses(401, 404)},
    )
    def retrieve(self, request, pk: int):
        return Response(PaymentSerializer(self.get_object()).data)

    @extend_schema(
        summary="Pay an order",
        description="Charges the order's amount (never an amount from the client) with a "
        "provider token; card data is never accepted. 201: succeeded, the order is paid. "
        "202: processing until the provider's webhook settles it. 402: declined; the failed "
        "attempt is kept and the order can be paid again. 502: the provider did not answer; "
        "retrying never charges twice. A guest order is paid with its `Order-Key` (a wrong "
        "key is 404); `Idempotency-Key` is honoured for signed-in callers only.",
        request=PaymentCreateSerializer,
        parameters=[*idempotency_parameters(201, 202), ORDER_KEY_PARAMETER],
        responses={
            201: PaymentSerializer,
            202: PaymentSerializer,
            402: error_response(
                PaymentErrorSerializer,
                "Declined: `code` is the reason (`card_declined`, `insufficient_funds`, ...), "
                "`payment` the failed attempt.",
            ),
            409: error_response(
                any_of(PaymentErrorSerializer, OrderNotPayableErrorSerializer),
                "`order_not_payable`: the order is not pending or past its `expires_at` (or a "
                "payment of it is processing), or was cancelled or expired while being paid "
                "(`payment` is the refunded attempt); `idempotency_key_in_progress`.",
            ),
            422: error_response(
                ErrorSerializer, "`idempotency_key_reused`: this key was used with another body."
            ),
            **error_responses(400, 401, 404, 502),
        },
    )
    @idempotent("payments.pay", atomic=False)
    def create(self, request):
        payload = validated(PaymentCreateSerializer, request.data)
        order_id, key = payload["order_id"], order_key(request)
        if key is not None and order_services.order_key_matches(order_id=order_id, key=key):
            payment = services.pay_order(order_id=order_id, order_key=key, token=payload["token"])
        elif request.user.is_authenticated:
            payment = services.pay_order(
                order_id=order_id, customer_id=request.user.pk, token=payload["token"]
            )
        else:
            raise OrderNotFound()
        return _pay_response(payment)

    @extend_schema(
        summary="Refund a payment",
        description="Staff with `payments.change_payment`. Refunds `amount`, or all that is "
        "left when it is omitted.",
        request=RefundCreateSerializer,
        responses={
            201: RefundSerializer,
            409: error_response(
                ErrorSerializer,
                "`payment_not_refundable` unless the payment is `succeeded` or "
                "`partially_refunded`; `refund_declined` by the provider.",
            ),
            **error_responses(400, 401, 404, 502),
            **forbidden_without(CHANGE_PAYMENT),
        },
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, pk: int):
        payload = validated(RefundCreateSerializer, request.data)
        refund = services.refund_payment(payment_id=pk, amount=payload.get("amount"))
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["payments"])
class SandboxWebhookView(APIView):
    """The sandbox provider's webhook: verified over the raw body, settled once per event id."""

    authentication_classes = []
    permission_classes = [AllowAny]
    # The signature covers the raw bytes: the body is never parsed by DRF (so never a 415).
    parser_classes: list = []
    provider = "sandbox"

    @extend_schema(
        summary="Sandbox provider webhook",
        description="Called by the provider, not by clients. The signature covers the raw "
        'body: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` (several '
        "`v1` allowed). A missing or wrong signature, a `t` more than 300 s from now or a body "
        "that is not the event JSON is 400 and changes nothing.",
        request={"application/json": WebhookEventSerializer},
        parameters=[
            OpenApiParameter(
                name=SIGNATURE_HEADER,
                type=str,
                location=OpenApiParameter.HEADER,
                required=True,
                description="`t=<unix seconds>,v1=<hex signature>`.",
            )
        ],
        responses={
            200: WebhookOutcomeSerializer,
            400: error_response(
                ErrorSerializer, "`invalid_webhook`: bad signature, stale or bad body."
            ),
        },
    )
    def post(self, request):
        try:
            raw_body = request.body
        except RequestDataTooBig:
            raise InvalidWebhook("The webhook body is too large.") from None
        outcome = services.handle_webhook(
            provider=self.provider, body=raw_body, headers=request.headers
        )
        return Response({"outcome": outcome})
