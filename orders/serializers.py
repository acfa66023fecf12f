"""Input and output shapes of the orders API.

Input is strict, as Stripe's is: an unknown key, a number sent as a string or a string sent as
a number is a 400, so a client's typo never silently becomes a different order.
"""

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from kernel.money import CENT
from orders import services
from orders.countries import COUNTRY_CODES
from orders.models import Order, OrderEvent, OrderLine, OrderStatus

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: `"5"`, `5.0` and `true` are refused."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A JSON string without control characters: numbers and booleans are refused."""

    default_error_messages = {"control_characters": "Control characters are not allowed."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if _CONTROL_CHARACTERS.search(value):
            self.fail("control_characters")
        return value


def _address_field(max_length: int, **kwargs) -> StrictCharField:
    return StrictCharField(max_length=max_length, required=False, allow_blank=True, **kwargs)


class ShippingAddressSerializer(StrictSerializer):
    name = _address_field(200)
    line1 = _address_field(200)
    line2 = _address_field(200)
    city = _address_field(100)
    region = _address_field(100, help_text="State, province or county.")
    postal_code = _address_field(20)
    country = _address_field(2, help_text="ISO 3166-1 alpha-2 code, e.g. `US`.")
    phone = _address_field(32)

    def validate_country(self, value: str) -> str:
        code = value.upper()
        if code and code not in COUNTRY_CODES:
            raise serializers.ValidationError("Not an ISO 3166-1 alpha-2 country code.")
        return code

    def to_internal_value(self, data):
        """Every key, blank when not given, so every stored address has the same shape."""
        values = super().to_internal_value(data)
        return {name: values.get(name, "") for name in self.fields}


class OrderItemInputSerializer(StrictSerializer):
    product_id = StrictIntegerField(min_value=1, max_value=services.MAX_PRODUCT_ID)
    quantity = StrictIntegerField(min_value=1, max_value=services.MAX_QUANTITY)


class OrderCreateSerializer(StrictSerializer):
    items = OrderItemInputSerializer(many=True, allow_empty=False, max_length=services.MAX_LINES)
    shipping_address = ShippingAddressSerializer(required=False, allow_null=True)

    def validate_items(self, items: list[dict]) -> list[dict]:
        product_ids = [item["product_id"] for item in items]
        repeated = sorted({pid for pid in product_ids if product_ids.count(pid) > 1})
        if repeated:
            raise serializers.ValidationError(
                "Each product may appear once; repeated: " + ", ".join(map(str, repeated)) + "."
            )
        if sum(item["quantity"] for item in items) > services.MAX_UNITS:
            raise serializers.ValidationError(
                f"An order may have at most {services.MAX_UNITS} units in all."
            )
        return items


class OrderShipSerializer(StrictSerializer):
    carrier = StrictCharField(
        max_length=services.CARRIER_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    tracking_number = StrictCharField(
        max_length=services.TRACKING_NUMBER_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
    )


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["product_id", "sku", "name", "unit_price", "quantity", "line_total"]
        read_only_fields = fields


class OrderEventSerializer(serializers.ModelSerializer):
    # A plain string in the schema: the status enum is documented once, on the order.
    status = serializers.CharField(
        read_only=True, help_text="The status the order reached: " + ", ".join(OrderStatus.values)
    )

    class Meta:
        model = OrderEvent
        fields = ["status", "note", "created_at"]
        read_only_fields = fields


# Documents an order's shape (OpenAPI, the browsable API); `order_json` renders it.
class OrderSerializer(serializers.ModelSerializer):
    customer_id = serializers.IntegerField(read_only=True)
    items = OrderItemSerializer(source="lines", many=True, read_only=True)
    shipping_address = ShippingAddressSerializer(read_only=True, allow_null=True)
    events = OrderEventSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "customer_id",
            "items",
            "subtotal",
            "total",
            "currency",
            "shipping_address",
            "carrier",
            "tracking_number",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def order_json(order: Mapping, lines: Iterable[Mapping], events: Iterable[Mapping]) -> dict:
    """An order as the API renders it everywhere (list, detail and every write's response):
    `OrderSerializer`'s shape, built from `orders.selectors` rows, oldest line and event first.

    Written out rather than left to DRF's field-by-field machinery, which cost more than the
    page's queries; a test pins these keys and types to `OrderSerializer`'s schema.
    """
    zone = timezone.get_current_timezone()
    address = order["shipping_address"]
    return {
        "id": order["id"],
        "number": order["number"],
        "status": order["status"],
        "customer_id": order["customer_id"],
        "items": [
            {
                "product_id": line["product_id"],
                "sku": line["sku"],
                "name": line["name"],
                "unit_price": _money(line["unit_price"]),
                "quantity": line["quantity"],
                "line_total": _money(line["line_total"]),
            }
            for line in lines
        ],
        "subtotal": _money(order["subtotal"]),
        "total": _money(order["total"]),
        "currency": order["currency"],
        "shipping_address": None if address is None else _address(address),
        "carrier": order["carrier"],
        "tracking_number": order["tracking_number"],
        "events": [
            {
                "status": event["status"],
                "note": event["note"],
                "created_at": _iso(event["created_at"], zone),
            }
            for event in events
        ],
        "created_at": _iso(order["created_at"], zone),
        "updated_at": _iso(order["updated_at"], zone),
    }


_ADDRESS_FIELDS = tuple(ShippingAddressSerializer().fields)


def _address(address: Mapping) -> dict:
    return {
        name: None if address[name] is None else str(address[name])
        for name in _ADDRESS_FIELDS
        if name in address
    }


def _money(value: Decimal) -> str:
    return format(value.quantize(CENT), "f")


def _iso(value, zone) -> str:
    """What DRF's DateTimeField renders: ISO 8601 in the current time zone, `Z` for UTC."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class OrderListParamsSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False, allow_blank=True)
