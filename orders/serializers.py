"""Input and output shapes of the orders API.

Input follows the kernel's strict rules (`kernel.api.serializers`): an unknown key, a number
sent as a string or a string sent as a number is a 400, so a client's typo never silently
becomes a different order.
"""

import datetime
from collections.abc import Iterable, Mapping

from rest_framework import serializers

from kernel.address import FIELDS as ADDRESS_FIELDS
from kernel.api.address import AddressSerializer
from kernel.api.pagination import PageQuerySerializer
from kernel.api.serializers import (
    IdField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
    iso_datetime,
)
from kernel.money import format_money
from orders import services
from orders.dtos import OrderItem
from orders.models import CancellationReason, Order, OrderEvent, OrderLine, OrderStatus


class OrderItemInputSerializer(StrictSerializer):
    """One item: a variant, or a product that has exactly one variant (else 400
    `variant_required`)."""

    variant_id = IdField(required=False, help_text="The variant to order.")
    product_id = IdField(
        required=False,
        help_text="Instead of `variant_id`, for a product that has exactly one variant.",
    )
    quantity = StrictIntegerField(min_value=1, max_value=services.MAX_QUANTITY)

    def validate(self, attrs: dict) -> dict:
        if ("variant_id" in attrs) == ("product_id" in attrs):
            raise serializers.ValidationError("Give a variant_id or a product_id, not both.")
        return attrs


def order_items(items: Iterable[Mapping]) -> list[OrderItem]:
    """`OrderItemInputSerializer`'s validated items as the service takes them."""
    return [
        OrderItem(
            quantity=item["quantity"],
            variant_id=item.get("variant_id"),
            product_id=item.get("product_id"),
        )
        for item in items
    ]


class OrderCreateSerializer(StrictSerializer):
    items = OrderItemInputSerializer(many=True, allow_empty=False, max_length=services.MAX_LINES)
    shipping_address = AddressSerializer(
        required=False,
        allow_null=True,
        help_text="Optional here, but an order cannot be shipped without one.",
    )

    def validate_items(self, items: list[dict]) -> list[dict]:
        for kind in ("variant_id", "product_id"):
            ids = [item[kind] for item in items if kind in item]
            repeated = sorted({value for value in ids if ids.count(value) > 1})
            if repeated:
                noun = kind.removesuffix("_id")
                raise serializers.ValidationError(
                    f"Each {noun} may appear once; repeated: " + ", ".join(map(str, repeated)) + "."
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
        fields = [
            "product_id",
            "variant_id",
            "sku",
            "name",
            "variant_name",
            "unit_price",
            "quantity",
            "line_total",
        ]
        read_only_fields = fields


class OrderEventSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=OrderStatus.choices, read_only=True, help_text="The status the order reached."
    )

    class Meta:
        model = OrderEvent
        fields = ["status", "note", "created_at"]
        read_only_fields = fields


class WhilePendingDateTimeField(serializers.DateTimeField):
    """A time an order has only while it is pending (null in any other status)."""

    def get_attribute(self, instance: Order):
        return super().get_attribute(instance) if instance.status == OrderStatus.PENDING else None


class ShippingMethodSnapshotSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    price = serializers.DecimalField(
        max_digits=Order._meta.get_field("total").max_digits,
        decimal_places=Order._meta.get_field("total").decimal_places,
        read_only=True,
        help_text="What shipping cost this order (its `shipping_total`).",
    )


# Documents an order's shape (OpenAPI, the browsable API); `order_json` renders it.
class OrderSerializer(serializers.ModelSerializer):
    customer_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Null for a guest's order."
    )
    items = OrderItemSerializer(source="lines", many=True, read_only=True)
    shipping_address = AddressSerializer(read_only=True, allow_null=True)
    shipping_method = ShippingMethodSnapshotSerializer(
        read_only=True,
        allow_null=True,
        help_text="The shipping method as it was chosen; null without one.",
    )
    voucher_code = serializers.CharField(
        read_only=True, allow_null=True, help_text="The voucher that gave the discount, or null."
    )
    events = OrderEventSerializer(many=True, read_only=True)
    expires_at = WhilePendingDateTimeField(
        read_only=True,
        allow_null=True,
        help_text="While the order is pending: when the shop cancels it unless it is paid "
        "(it takes no payment from then on). Null in any other status.",
    )
    cancellation_reason = serializers.ChoiceField(
        choices=CancellationReason.choices,
        read_only=True,
        allow_null=True,
        help_text="Who cancelled the order: its customer, staff, or the shop because it "
        "expired unpaid. Null unless cancelled (and for orders cancelled before it was kept).",
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "customer_id",
            "email",
            "items",
            "subtotal",
            "discount_total",
            "shipping_total",
            "tax_total",
            "total",
            "currency",
            "shipping_address",
            "shipping_method",
            "voucher_code",
            "carrier",
            "tracking_number",
            "expires_at",
            "cancellation_reason",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def order_json(
    order: Mapping,
    lines: Iterable[Mapping],
    events: Iterable[Mapping],
    zone: datetime.tzinfo | None = None,
) -> dict:
    """An order as the API renders it everywhere (list, detail and every write's response):
    `OrderSerializer`'s shape, built from `orders.selectors` rows, oldest line and event first;
    times in `zone` (a page looks the current time zone up once) or the current time zone.

    Written out rather than left to DRF's field-by-field machinery, which cost more than the
    page's queries; a test pins these keys and types to `OrderSerializer`'s schema.
    """
    address = order["shipping_address"]
    return {
        "id": order["id"],
        "number": order["number"],
        "status": order["status"],
        "customer_id": order["customer_id"],
        "email": order["email"],
        "items": [
            {
                "product_id": line["product_id"],
                "variant_id": line["variant_id"],
                "sku": line["sku"],
                "name": line["name"],
                "variant_name": line["variant_name"],
                "unit_price": format_money(line["unit_price"]),
                "quantity": line["quantity"],
                "line_total": format_money(line["line_total"]),
            }
            for line in lines
        ],
        "subtotal": format_money(order["subtotal"]),
        "discount_total": format_money(order["discount_total"]),
        "shipping_total": format_money(order["shipping_total"]),
        "tax_total": format_money(order["tax_total"]),
        "total": format_money(order["total"]),
        "currency": order["currency"],
        "shipping_address": None if address is None else _address(address),
        "shipping_method": (
            None
            if order["shipping_method_code"] is None
            else {
                "code": order["shipping_method_code"],
                "name": order["shipping_method_name"],
                "price": format_money(order["shipping_method_price"]),
            }
        ),
        "voucher_code": order["voucher_code"],
        "carrier": order["carrier"],
        "tracking_number": order["tracking_number"],
        "expires_at": (
            iso_datetime(order["expires_at"], zone)
            if order["status"] == OrderStatus.PENDING
            else None
        ),
        "cancellation_reason": order["cancellation_reason"],
        "events": [
            {
                "status": event["status"],
                "note": event["note"],
                "created_at": iso_datetime(event["created_at"], zone),
            }
            for event in events
        ],
        "created_at": iso_datetime(order["created_at"], zone),
        "updated_at": iso_datetime(order["updated_at"], zone),
    }


def _address(address: Mapping) -> dict:
    """Every field of an address, empty when the stored one lacks it (as the contract says)."""
    return {name: str(address.get(name) or "") for name in ADDRESS_FIELDS}


class OrderListParamsSerializer(PageQuerySerializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False, allow_blank=True)
