"""The checkout's endpoints: carts, for customers and guests, and the staff's shipping
methods, tax rates and vouchers.

Thin viewsets that read through selectors and write through services. A cart is its owner's;
a guest cart (no owner) is anyone's who holds its random id; another user's cart is 404
(`selectors.cart_for`). Every staff operation, reads included, is for staff holding the
matching Django permission of the model (the `Marketing` group holds them all; a superuser has
all): anyone else signed in gets 403 naming it, an anonymous caller 401. The checkout of a cart
answers with its order as `GET orders/{id}/` shows it (`orders.services.get_order_json`).
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from checkout import selectors, services
from checkout.exceptions import ShippingMethodNotFound, TaxRateNotFound, VoucherNotFound
from checkout.models import Cart
from checkout.serializers import (
    CartCreateSerializer,
    CartLineCreateSerializer,
    CartLineUpdateSerializer,
    CartSerializer,
    CartShippingOptionSerializer,
    CartUpdateSerializer,
    CartVoucherSerializer,
    ShippingMethodSerializer,
    ShippingMethodWriteSerializer,
    TaxRateChangeSerializer,
    TaxRateSerializer,
    TaxRateWriteSerializer,
    VoucherSerializer,
    VoucherWriteSerializer,
    cart_json,
    shipping_option_json,
)
from kernel.api.pagination import PageQuerySerializer
from kernel.api.permissions import StaffPermission, forbidden_without
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
from orders import services as orders


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


# Carts.


class CartProductUnavailableErrorSerializer(ErrorSerializer):
    """`product_unavailable`: the product is unknown or inactive, or the variant unknown."""

    unavailable_product_ids = serializers.ListField(child=serializers.IntegerField())
    unavailable_variant_ids = serializers.ListField(child=serializers.IntegerField())


class CartVariantRequiredErrorSerializer(ErrorSerializer):
    """`variant_required`: the product has several variants."""

    product_ids = serializers.ListField(child=serializers.IntegerField())


_CART = OpenApiResponse(CartSerializer, description="The cart, at today's prices.")
_LINE_ERRORS = {
    400: error_response(
        any_of(
            CartProductUnavailableErrorSerializer,
            CartVariantRequiredErrorSerializer,
            ErrorSerializer,
            ValidationErrorSerializer,
        ),
        'Validation error (`{"field": ["message", ...]}`: a quantity beyond 1000 for the line, '
        "more than 50 lines or 1000 units in the cart), `product_unavailable` or "
        "`variant_required` (a product with several variants: give its `variant_id`).",
    ),
    **error_responses(404),
}


class CartIncompleteErrorSerializer(ErrorSerializer):
    """`cart_incomplete`: what the cart lacks to be checked out."""

    missing = serializers.ListField(
        child=serializers.ChoiceField(
            choices=["lines", "email", "shipping_address", "shipping_method"]
        ),
        help_text="Among `lines`, `email` (a guest cart), `shipping_address` and "
        "`shipping_method` (when one ships to the address).",
    )


_CHECKED_OUT = OpenApiResponse(
    description="The order, as `GET orders/{id}/` shows it; for a guest cart with `order_key`."
)
_CHECKOUT_ERRORS = {
    400: error_response(
        any_of(CartIncompleteErrorSerializer, ErrorSerializer, ValidationErrorSerializer),
        "`cart_incomplete` naming what is `missing`, `product_unavailable` for a line whose "
        "product is gone, or a malformed `Idempotency-Key`.",
    ),
    409: error_response(
        ErrorSerializer,
        "`insufficient_stock` (nothing reserved), `voucher_invalid` (the voucher was used up "
        "or stopped being valid meanwhile), `price_changed` (a price changed while checking "
        "out), or `idempotency_key_in_progress`.",
    ),
    422: error_response(
        ErrorSerializer, "`idempotency_key_reused`: this key was used with another body."
    ),
}


class _CartMixin:
    """The cart in the URL, as the caller may use it (`selectors.cart_for`), and the response
    every cart endpoint gives: the cart, re-read and priced today. A write validates its body
    before it looks the cart up, as a bad body is a 400 whoever's cart it names."""

    cart_kwarg = "pk"

    def get_cart(self) -> Cart:
        return selectors.cart_for(cart_id=self.kwargs[self.cart_kwarg], user=self.request.user)

    def cart_response(self, cart: Cart, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(cart_json(selectors.priced_cart(cart=cart)), status=status_code)


@extend_schema(tags=["carts"])
class CartViewSet(_CartMixin, GenericViewSet):
    """A cart reserves nothing; its prices are today's (docs/API.md, "Carts and checkout")."""

    serializer_class = CartSerializer
    permission_classes = [AllowAny]
    filter_backends: list = []
    lookup_value_converter = "uuid"
    throttle_scope = "cart_creation"

    def get_permissions(self):
        return [IsAuthenticated()] if self.action == "claim" else [AllowAny()]

    def get_throttles(self):
        """Creating a cart is an anonymous write, throttled per client (per user when signed
        in) like registration; the cart's other writes need its id."""
        return [ScopedRateThrottle()] if self.action == "create" else []

    def get_serializer_class(self):
        """The input shape for the browsable API's forms."""
        return {
            "create": CartCreateSerializer,
            "partial_update": CartUpdateSerializer,
            "voucher": CartVoucherSerializer,
        }.get(self.action, CartSerializer)

    def get_queryset(self):
        """No rows: the reads go through `checkout.selectors`."""
        return Cart.objects.none()

    @extend_schema(
        summary="Create a cart",
        description="A signed-in caller's cart is theirs; a guest's is reachable by anyone "
        "holding its `id`, a random UUID. Throttled per client.",
        request=CartCreateSerializer,
        responses={201: _CART, **error_responses(400, 429)},
    )
    def create(self, request):
        data = validated(CartCreateSerializer, request.data)
        cart = services.create_cart(customer_id=request.user.pk, email=data["email"])
        return self.cart_response(cart, status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="A cart", responses={200: _CART, **error_responses(404)})
    def retrieve(self, request, pk):
        return self.cart_response(self.get_cart())

    @extend_schema(
        summary="Change a cart's email, shipping address or shipping method",
        description="`shipping_method` is a `code` from the cart's `shipping-methods/`, else "
        "400 `shipping_method_unavailable`. An address in a country the chosen method does not "
        "ship to drops the method.",
        request=CartUpdateSerializer,
        responses={200: _CART, **error_responses(400, 404)},
    )
    def partial_update(self, request, pk):
        data = validated(CartUpdateSerializer, request.data)
        cart = self.get_cart()
        services.update_cart(cart=cart, data=data)
        return self.cart_response(cart)

    @extend_schema(
        summary="The shipping methods for a cart",
        description="The active methods that ship to the cart's address country (every active "
        "one while it has no address), each at its price for the cart: 0.00 once the subtotal "
        "reaches its `free_over`.",
        responses={200: CartShippingOptionSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], url_path="shipping-methods", pagination_class=None)
    def shipping_methods(self, request, pk):
        priced = selectors.priced_cart(cart=self.get_cart())
        options = selectors.cart_shipping_options(priced=priced)
        return Response([shipping_option_json(option) for option in options])

    @extend_schema(
        summary="Put a voucher on a cart",
        description="400 `voucher_invalid` for an unknown, inactive, not yet or no longer "
        "valid or used-up code, or a subtotal below its minimum.",
        request=CartVoucherSerializer,
        responses={200: _CART, **error_responses(400, 404)},
        methods=["POST"],
    )
    @extend_schema(
        summary="Take the voucher off a cart",
        request=None,
        responses={200: _CART, **error_responses(404)},
        methods=["DELETE"],
    )
    @action(detail=True, methods=["post", "delete"])
    def voucher(self, request, pk):
        if request.method == "DELETE":
            cart = self.get_cart()
            services.remove_voucher(cart=cart)
        else:
            code = validated(CartVoucherSerializer, request.data)["code"]
            cart = self.get_cart()
            services.apply_voucher(cart=cart, code=code)
        return self.cart_response(cart)

    @extend_schema(
        summary="Check a cart out",
        description="Places the cart's order, `pending`, at the totals the cart shows, and "
        "deletes the cart (404 afterwards). Stock is reserved for every line or for none. A "
        "guest cart's order has no customer; its 201, and only it, carries `order_key`, the "
        "secret to send as `Order-Key` to read, cancel and pay it. `Idempotency-Key` is "
        "honoured for a signed-in caller, as for orders.",
        request=None,
        parameters=idempotency_parameters(201),
        responses={
            201: _CHECKED_OUT,
            404: error_response(ErrorSerializer, "No such cart (or not yours)."),
            **_CHECKOUT_ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def checkout(self, request, pk):
        validated(EmptyBodySerializer, request.data)
        if request.user.is_authenticated:
            return self._checkout_once(request, pk)
        return self._checkout(request)

    @idempotent("checkout.check_out", atomic=True)
    def _checkout_once(self, request, pk):
        return self._checkout(request)

    def _checkout(self, request) -> Response:
        checked_out = services.check_out(cart=self.get_cart(), customer_id=request.user.pk)
        body = orders.get_order_json(order_id=checked_out.order_id)
        if checked_out.order_key is not None:
            body["order_key"] = checked_out.order_key
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Claim a cart",
        description="A guest cart becomes the caller's; their own stays theirs; another user's "
        "cart is 404.",
        request=None,
        responses={200: _CART, **error_responses(401, 404)},
    )
    @action(detail=True, methods=["post"])
    def claim(self, request, pk):
        validated(EmptyBodySerializer, request.data)
        services.claim_cart(cart_id=pk, customer_id=request.user.pk)
        return self.cart_response(self.get_cart())


@extend_schema(tags=["carts"])
class CartLineViewSet(_CartMixin, GenericViewSet):
    """A cart's lines; every answer is the whole cart."""

    serializer_class = CartLineCreateSerializer
    permission_classes = [AllowAny]
    filter_backends: list = []
    lookup_url_kwarg = "line_id"
    cart_kwarg = "id"

    def get_serializer_class(self):
        if self.action == "partial_update":
            return CartLineUpdateSerializer
        return CartLineCreateSerializer

    def get_queryset(self):
        return Cart.objects.none()

    @extend_schema(
        summary="Add a line to a cart",
        description="The same variant again adds to its line. A line holds 1 to 1000 units, a "
        "cart at most 50 lines and 1000 units. Stock is not reserved: a line short of it reads "
        "`available: false`.",
        request=CartLineCreateSerializer,
        responses={201: _CART, **_LINE_ERRORS},
    )
    def create(self, request, id):
        data = validated(CartLineCreateSerializer, request.data)
        cart = self.get_cart()
        services.add_line(cart=cart, **data)
        return self.cart_response(cart, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a line's quantity",
        request=CartLineUpdateSerializer,
        responses={200: _CART, **error_responses(400, 404)},
    )
    def partial_update(self, request, id, line_id):
        quantity = validated(CartLineUpdateSerializer, request.data)["quantity"]
        cart = self.get_cart()
        services.update_line(cart=cart, line_id=line_id, quantity=quantity)
        return self.cart_response(cart)

    @extend_schema(
        summary="Remove a line", request=None, responses={200: _CART, **error_responses(404)}
    )
    def destroy(self, request, id, line_id):
        cart = self.get_cart()
        services.delete_line(cart=cart, line_id=line_id)
        return self.cart_response(cart)
