"""The checkout's staff endpoints: shipping methods, tax rates and vouchers.

Thin viewsets that read through selectors and write through services. Every operation, reads
included, is for staff holding the matching Django permission of the model (the `Marketing`
group holds them all; a superuser has all): anyone else signed in gets 403 naming it, an
anonymous caller 401. The carts and their checkout, for customers and guests, come next.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from checkout import selectors, services
from checkout.exceptions import ShippingMethodNotFound, TaxRateNotFound, VoucherNotFound
from checkout.serializers import (
    ShippingMethodSerializer,
    ShippingMethodWriteSerializer,
    TaxRateChangeSerializer,
    TaxRateSerializer,
    TaxRateWriteSerializer,
    VoucherSerializer,
    VoucherWriteSerializer,
)
from kernel.api.pagination import PageQuerySerializer
from kernel.api.permissions import StaffPermission, forbidden_without
from kernel.api.schema import error_responses
from kernel.api.serializers import EmptyQuerySerializer, validated
from kernel.api.views import GenericViewSet


def _permissions(model: str) -> dict[str, list[str]]:
    """Each action's Django permission on `checkout.<model>`."""
    actions = {
        "list": "view",
        "retrieve": "view",
        "create": "add",
        "partial_update": "change",
        "destroy": "delete",
    }
    return {action: [f"checkout.{verb}_{model}"] for action, verb in actions.items()}


class _StaffViewSet(GenericViewSet):
    """A staff resource looked up by a code (`lookup_field`), not an id."""

    permission_classes = [StaffPermission]
    filter_backends: list = []
    lookup_value_converter = "slug"

    def get_query_serializer_class(self):
        return PageQuerySerializer if self.action == "list" else EmptyQuerySerializer


SHIPPING = _permissions("shippingmethod")


@extend_schema(tags=["checkout"])
class ShippingMethodViewSet(_StaffViewSet):
    required_permissions = SHIPPING
    serializer_class = ShippingMethodWriteSerializer
    lookup_field = "code"

    def get_queryset(self):
        return selectors.shipping_methods()

    def get_object(self):
        method = selectors.shipping_method(code=self.kwargs["code"])
        if method is None:
            raise ShippingMethodNotFound()
        return method

    @extend_schema(
        summary="List shipping methods (staff)",
        description="Every method, active or not, by code.",
        responses={
            200: ShippingMethodSerializer(many=True),
            **error_responses(400, 401, 404),
            **forbidden_without(*SHIPPING["list"]),
        },
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ShippingMethodSerializer(page, many=True).data)

    @extend_schema(
        summary="Get a shipping method (staff)",
        responses={
            200: ShippingMethodSerializer,
            **error_responses(401, 404),
            **forbidden_without(*SHIPPING["retrieve"]),
        },
    )
    def retrieve(self, request, code: str):
        return Response(ShippingMethodSerializer(self.get_object()).data)

    @extend_schema(
        summary="Create a shipping method (staff)",
        request=ShippingMethodWriteSerializer,
        responses={
            201: ShippingMethodSerializer,
            **error_responses(400, 401),
            **forbidden_without(*SHIPPING["create"]),
        },
    )
    def create(self, request):
        method = services.create_shipping_method(
            **validated(ShippingMethodWriteSerializer, request.data)
        )
        return Response(ShippingMethodSerializer(method).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a shipping method (staff)",
        request=ShippingMethodWriteSerializer(partial=True),
        responses={
            200: ShippingMethodSerializer,
            **error_responses(400, 401, 404),
            **forbidden_without(*SHIPPING["partial_update"]),
        },
    )
    def partial_update(self, request, code: str):
        method = self.get_object()
        data = validated(ShippingMethodWriteSerializer, request.data, partial=True)
        method = services.update_shipping_method(method=method, data=data)
        return Response(ShippingMethodSerializer(method).data)

    @extend_schema(
        summary="Delete a shipping method (staff)",
        responses={
            204: None,
            **error_responses(401, 404),
            **forbidden_without(*SHIPPING["destroy"]),
        },
    )
    def destroy(self, request, code: str):
        services.delete_shipping_method(method=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


TAX = _permissions("taxrate")


@extend_schema(tags=["checkout"])
class TaxRateViewSet(_StaffViewSet):
    required_permissions = TAX
    serializer_class = TaxRateWriteSerializer
    lookup_field = "country"

    def get_queryset(self):
        return selectors.tax_rates()

    def get_serializer_class(self):
        """The browsable API's form: a change has no country."""
        if self.action == "partial_update":
            return TaxRateChangeSerializer
        return TaxRateWriteSerializer

    def get_object(self):
        tax_rate = selectors.tax_rate(country=self.kwargs["country"])
        if tax_rate is None:
            raise TaxRateNotFound()
        return tax_rate

    @extend_schema(
        summary="List tax rates (staff)",
        description="By country; a country without a rate is taxed 0.00.",
        responses={
            200: TaxRateSerializer(many=True),
            **error_responses(400, 401, 404),
            **forbidden_without(*TAX["list"]),
        },
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(TaxRateSerializer(page, many=True).data)

    @extend_schema(
        summary="Get a country's tax rate (staff)",
        description="The country in any case (`de` is `DE`).",
        responses={
            200: TaxRateSerializer,
            **error_responses(401, 404),
            **forbidden_without(*TAX["retrieve"]),
        },
    )
    def retrieve(self, request, country: str):
        return Response(TaxRateSerializer(self.get_object()).data)

    @extend_schema(
        summary="Set a country's tax rate (staff)",
        description="A country that has a rate already is 400 on `country`: change it instead.",
        request=TaxRateWriteSerializer,
        responses={
            201: TaxRateSerializer,
            **error_responses(400, 401),
            **forbidden_without(*TAX["create"]),
        },
    )
    def create(self, request):
        tax_rate = services.create_tax_rate(**validated(TaxRateWriteSerializer, request.data))
        return Response(TaxRateSerializer(tax_rate).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a country's tax rate (staff)",
        request=TaxRateChangeSerializer,
        responses={
            200: TaxRateSerializer,
            **error_responses(400, 401, 404),
            **forbidden_without(*TAX["partial_update"]),
        },
    )
    def partial_update(self, request, country: str):
        tax_rate = self.get_object()
        data = validated(TaxRateChangeSerializer, request.data, partial=True)
        tax_rate = services.update_tax_rate(tax_rate=tax_rate, data=data)
        return Response(TaxRateSerializer(tax_rate).data)

    @extend_schema(
        summary="Delete a country's tax rate (staff): it is taxed 0.00 from now on",
        responses={
            204: None,
            **error_responses(401, 404),
            **forbidden_without(*TAX["destroy"]),
        },
    )
    def destroy(self, request, country: str):
        services.delete_tax_rate(tax_rate=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


VOUCHERS = _permissions("voucher")


@extend_schema(tags=["checkout"])
class VoucherViewSet(_StaffViewSet):
    required_permissions = VOUCHERS
    serializer_class = VoucherWriteSerializer
    lookup_field = "code"

    def get_queryset(self):
        return selectors.vouchers()

    def get_object(self):
        voucher = selectors.voucher(code=self.kwargs["code"])
        if voucher is None:
            raise VoucherNotFound()
        return voucher

    @extend_schema(
        summary="List vouchers (staff)",
        description="Newest first, with how often each has been used (`used_count`).",
        responses={
            200: VoucherSerializer(many=True),
            **error_responses(400, 401, 404),
            **forbidden_without(*VOUCHERS["list"]),
        },
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(VoucherSerializer(page, many=True).data)

    @extend_schema(
        summary="Get a voucher (staff)",
        description="The code in any case (`summer10` is `SUMMER10`).",
        responses={
            200: VoucherSerializer,
            **error_responses(401, 404),
            **forbidden_without(*VOUCHERS["retrieve"]),
        },
    )
    def retrieve(self, request, code: str):
        return Response(VoucherSerializer(self.get_object()).data)

    @extend_schema(
        summary="Create a voucher (staff)",
        description="A code another voucher has, in any case, is 400 on `code`.",
        request=VoucherWriteSerializer,
        responses={
            201: VoucherSerializer,
            **error_responses(400, 401),
            **forbidden_without(*VOUCHERS["create"]),
        },
    )
    def create(self, request):
        voucher = services.create_voucher(**validated(VoucherWriteSerializer, request.data))
        return Response(VoucherSerializer(voucher).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a voucher (staff)",
        description="`used_count` is not written: the checkout keeps it.",
        request=VoucherWriteSerializer(partial=True),
        responses={
            200: VoucherSerializer,
            **error_responses(400, 401, 404),
            **forbidden_without(*VOUCHERS["partial_update"]),
        },
    )
    def partial_update(self, request, code: str):
        voucher = self.get_object()
        data = validated(VoucherWriteSerializer, request.data, partial=True)
        voucher = services.update_voucher(voucher=voucher, data=data)
        return Response(VoucherSerializer(voucher).data)

    @extend_schema(
        summary="Delete a voucher (staff); orders placed with it keep its code",
        responses={
            204: None,
            **error_responses(401, 404),
            **forbidden_without(*VOUCHERS["destroy"]),
        },
    )
    def destroy(self, request, code: str):
        services.delete_voucher(voucher=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
