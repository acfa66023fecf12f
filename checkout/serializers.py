"""Input and output shapes of the checkout's staff API (no business logic: that is in
services, which check every value again). Bodies follow `kernel.api.serializers`' rules."""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from checkout.models import MAX_PERCENTAGE, RATE_DIGITS, RATE_PLACES, VoucherKind
from checkout.services import VOUCHER_CODE
from kernel.address import country_codes
from kernel.api.serializers import (
    MoneyField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
    StrictSlugField,
)
from kernel.money import shop_currency

MAX_COUNT = 2**31 - 1
COUNTRY_HELP = "ISO 3166-1 alpha-2 code, e.g. `DE` (lower case is upper-cased)."


def _country(value: str) -> str:
    code = value.upper()
    if code not in country_codes():
        raise serializers.ValidationError("Not an ISO 3166-1 alpha-2 country code.")
    return code


@extend_schema_field(OpenApiTypes.STR)
class ShopCurrencyField(serializers.Field):
    """The shop's currency (ISO 4217), which every money amount is in."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> str:
        return shop_currency()


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
