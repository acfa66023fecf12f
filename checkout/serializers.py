"""Input and output shapes of the checkout's staff API (no business logic: that is in
services, which check every value again). Bodies follow `kernel.api.serializers`' rules."""

from decimal import Decimal

from rest_framework import serializers

from checkout import pricing
from checkout.dtos import PricedLine
from checkout.models import MAX_PERCENTAGE, RATE_DIGITS, RATE_PLACES, VoucherKind
from checkout.selectors import PricedCart, ShippingOption
from checkout.services import VOUCHER_CODE
from kernel.address import country_codes
from kernel.api.address import AddressSerializer
from kernel.api.serializers import (
    IdField,
    MoneyField,
    ShopCurrencyField,
    StrictBooleanField,
    StrictCharField,
    StrictEmailField,
    StrictIntegerField,
    StrictSerializer,
    StrictSlugField,
    iso_datetime,
)
from kernel.money import format_money, shop_currency
from orders.services import MAX_QUANTITY

MAX_COUNT = 2**31 - 1
COUNTRY_HELP = "ISO 3166-1 alpha-2 code, e.g. `DE` (lower case is upper-cased)."


def _country(value: str) -> str:
    code = value.upper()
    if code not in country_codes():
        raise serializers.ValidationError("Not an ISO 3166-1 alpha-2 country code.")
    return code


class RateField(serializers.DecimalField):
    """A tax rate: a decimal string (`"0.2"`, `"0.0825"`) with up to 4 places, 0 ≤ rate < 1."""

    default_error_messages = {
        "not_a_string": 'Expected a decimal string, e.g. "0.2".',
        "max_value": "The rate must be less than 1.",
    }

    def __init__(self, **kwargs) -> None:
        super().__init__(
            max_digits=RATE_DIGITS,
            decimal_places=RATE_PLACES,
            min_value=Decimal(0),
            max_value=Decimal("0.9999"),
            **kwargs,
        )

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


# Shipping methods.


class ShippingMethodWriteSerializer(StrictSerializer):
    code = StrictSlugField(max_length=50, help_text="Unique; letters, digits, `-` and `_`.")
    name = StrictCharField(max_length=100)
    price = MoneyField(min_value=Decimal(0))
    countries = serializers.ListField(
        child=StrictCharField(max_length=2),
        max_length=len(country_codes()),
        default=list,
        help_text="ISO 3166-1 alpha-2 codes it ships to; empty (the default) for everywhere.",
    )
    free_over = MoneyField(
        min_value=Decimal(0),
        required=False,
        allow_null=True,
        help_text="Free when the subtotal (before any discount) reaches this; null for never.",
    )
    is_active = StrictBooleanField(default=True)

    def validate_countries(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(_country(country) for country in value))


class ShippingMethodSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    price = MoneyField(read_only=True)
    currency = ShopCurrencyField()
    countries = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Empty: ships everywhere."
    )
    free_over = MoneyField(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)


# Tax rates.


class TaxRateWriteSerializer(StrictSerializer):
    country = StrictCharField(max_length=2, help_text=COUNTRY_HELP)
    rate = RateField(help_text="0.2 for 20 %: at least 0, less than 1, up to 4 places.")

    def validate_country(self, value: str) -> str:
        return _country(value)


class TaxRateChangeSerializer(StrictSerializer):
    """A rate's change: the country is its identity (delete and create to move it)."""

    rate = RateField(help_text="0.2 for 20 %: at least 0, less than 1, up to 4 places.")


class TaxRateSerializer(serializers.Serializer):
    country = serializers.CharField(read_only=True)
    rate = serializers.DecimalField(
        max_digits=RATE_DIGITS, decimal_places=RATE_PLACES, read_only=True
    )


# Vouchers.


class VoucherWriteSerializer(StrictSerializer):
    code = StrictCharField(
        max_length=32,
        help_text="Letters, digits, `-` and `_`; unique whatever its case, stored upper-case.",
    )
    kind = serializers.ChoiceField(choices=VoucherKind.choices)
    value = MoneyField(
        help_text="A percentage of the subtotal (more than 0, at most 100), or an amount "
        "(more than 0)."
    )
    min_subtotal = MoneyField(min_value=Decimal(0), default=Decimal("0.00"))
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="After `starts_at`; a past one ends the voucher."
    )
    max_uses = StrictIntegerField(
        min_value=1,
        max_value=MAX_COUNT,
        required=False,
        allow_null=True,
        help_text="At least 1; null (the default) for no limit.",
    )
    max_uses_per_email = StrictIntegerField(
        min_value=1,
        max_value=MAX_COUNT,
        required=False,
        allow_null=True,
        help_text="At least 1; null (the default) for no limit.",
    )
    is_active = StrictBooleanField(default=True)

    def validate_code(self, value: str) -> str:
        code = value.upper()
        if not VOUCHER_CODE.match(code):
            raise serializers.ValidationError("1 to 32 letters, digits, hyphens or underscores.")
        return code

    def validate_value(self, value: Decimal) -> Decimal:
        if value <= 0:
            raise serializers.ValidationError("The value must be more than 0.")
        return value

    def validate(self, data: dict) -> dict:
        """What two fields of the body say together; a PATCH's fields meet the stored ones in
        the service, which checks the whole voucher again."""
        if data.get("kind") == VoucherKind.PERCENTAGE and data.get("value", 0) > MAX_PERCENTAGE:
            raise serializers.ValidationError({"value": ["A percentage may be at most 100."]})
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            raise serializers.ValidationError({"ends_at": ["The end must come after the start."]})
        return data


class VoucherSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=VoucherKind.choices, read_only=True)
    value = MoneyField(read_only=True)
    min_subtotal = MoneyField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True, allow_null=True)
    ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    max_uses = serializers.IntegerField(read_only=True, allow_null=True)
    max_uses_per_email = serializers.IntegerField(read_only=True, allow_null=True)
    used_count = serializers.IntegerField(
        read_only=True, help_text="Orders checked out with it and not cancelled; read-only."
    )
    is_active = serializers.BooleanField(read_only=True)


# Carts.


class CartCreateSerializer(StrictSerializer):
    email = StrictEmailField(required=False, allow_blank=True, default="")


class CartUpdateSerializer(StrictSerializer):
    email = StrictEmailField(
        required=False, allow_blank=True, allow_null=True, help_text="Null or blank: none."
    )
    shipping_address = AddressSerializer(required=False, allow_null=True)
    shipping_method = StrictCharField(
        max_length=100,
        required=False,
        allow_null=True,
        help_text="A `code` from the cart's `shipping-methods/`; null for none.",
    )


class CartLineCreateSerializer(StrictSerializer):
    """A variant, or a product that has exactly one variant (else 400 `variant_required`)."""

    variant_id = IdField(required=False)
    product_id = IdField(
        required=False, help_text="Instead of `variant_id`, for a product with one variant."
    )
    quantity = StrictIntegerField(min_value=1, max_value=MAX_QUANTITY)

    def validate(self, attrs: dict) -> dict:
        if ("variant_id" in attrs) == ("product_id" in attrs):
            raise serializers.ValidationError("Give a variant_id or a product_id, not both.")
        return attrs


class CartLineUpdateSerializer(StrictSerializer):
    quantity = StrictIntegerField(min_value=1, max_value=MAX_QUANTITY)


class CartVoucherSerializer(StrictSerializer):
    code = StrictCharField(max_length=100, help_text="The voucher's code, in any case.")


class CartLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product_id = serializers.IntegerField(read_only=True)
    variant_id = serializers.IntegerField(read_only=True)
    sku = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True, help_text="The product's name.")
    variant_name = serializers.CharField(read_only=True)
    unit_price = MoneyField(read_only=True, help_text="Today's price.")
    quantity = serializers.IntegerField(read_only=True)
    line_total = MoneyField(read_only=True)
    available = serializers.BooleanField(
        read_only=True,
        help_text="False when the variant is gone, its product inactive, or short of the "
        "quantity: such a line is shown but counts in no total.",
    )


class CartShippingMethodSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    price = MoneyField(read_only=True, help_text="0.00 once the subtotal reaches its free_over.")


class CartShippingOptionSerializer(CartShippingMethodSerializer):
    currency = ShopCurrencyField()


# Documents a cart's shape (OpenAPI, the browsable API); `cart_json` renders it.
class CartSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    email = serializers.EmailField(read_only=True, allow_null=True)
    lines = CartLineSerializer(many=True, read_only=True)
    shipping_address = AddressSerializer(read_only=True, allow_null=True)
    shipping_method = CartShippingMethodSerializer(
        read_only=True,
        allow_null=True,
        help_text="Null when none is chosen, or the chosen one is inactive or no longer ships "
        "to the address.",
    )
    voucher_code = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="It discounts only while it may be used on the subtotal.",
    )
    subtotal = MoneyField(read_only=True, help_text="The available lines' totals.")
    discount_total = MoneyField(read_only=True)
    shipping_total = MoneyField(read_only=True)
    tax_total = MoneyField(read_only=True)
    total = MoneyField(read_only=True)
    currency = ShopCurrencyField()
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


def cart_json(priced: PricedCart) -> dict:
    """A cart as the API renders it everywhere (every cart endpoint's response):
    `CartSerializer`'s shape, lines oldest first, money as strings with two places."""
    cart, totals, shipping = priced.cart, priced.totals, priced.shipping
    return {
        "id": str(cart.id),
        "email": cart.email or None,
        "lines": [
            {
                "id": line.id,
                "product_id": line.product_id,
                "variant_id": line.variant_id,
                "sku": line.sku,
                "name": line.name,
                "variant_name": line.variant_name,
                "unit_price": format_money(line.unit_price),
                "quantity": line.quantity,
                "line_total": format_money(
                    pricing.line_total(
                        PricedLine(unit_price=line.unit_price, quantity=line.quantity)
                    )
                ),
                "available": line.available,
            }
            for line in priced.lines
        ],
        "shipping_address": cart.shipping_address,
        "shipping_method": None
        if shipping is None
        else shipping_option_json(shipping, currency=False),
        "voucher_code": priced.voucher_code,
        "subtotal": format_money(totals.subtotal),
        "discount_total": format_money(totals.discount_total),
        "shipping_total": format_money(totals.shipping_total),
        "tax_total": format_money(totals.tax_total),
        "total": format_money(totals.total),
        "currency": shop_currency(),
        "created_at": iso_datetime(cart.created_at),
        "updated_at": iso_datetime(cart.updated_at),
    }


def shipping_option_json(option: ShippingOption, *, currency: bool = True) -> dict:
    """`{code, name, price}`, and `currency` in the cart's `shipping-methods/` list."""
    data = {"code": option.code, "name": option.name, "price": format_money(option.price)}
    return {**data, "currency": shop_currency()} if currency else data
