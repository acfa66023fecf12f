"""The catalog's JSON: plain read serializers (cheap per row) and separate write serializers.

The read serializers declare every field explicitly instead of introspecting the model, so a
page of 100 categories costs no more than reading 100 rows' attributes. Products go further:
`ProductSerializer` only documents their shape (OpenAPI), and `product_json` builds that JSON
from a `catalog.selectors` row for every response, since DRF's field-by-field machinery cost
more than the page's queries (a test pins the two together).
"""

import datetime
from collections.abc import Mapping

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import MAX_STOCK, MIN_PRICE, Category
from kernel.money import CENT, DECIMAL_PLACES, MAX_DIGITS, shop_currency

_MAX_ID = 2**63 - 1


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    description = serializers.CharField(read_only=True)


class CategorySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)


@extend_schema_field(OpenApiTypes.STR)
class ShopCurrencyField(serializers.Field):
    """The shop's currency (ISO 4217), which every money amount is in."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> str:
        return shop_currency()


def _utc_datetime() -> serializers.DateTimeField:
    """ISO 8601 in UTC (`...Z`), without looking up the active time zone for every value."""
    return serializers.DateTimeField(read_only=True, default_timezone=datetime.UTC)


class ProductSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    sku = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    description = serializers.CharField(read_only=True)
    category = CategorySummarySerializer(read_only=True, allow_null=True)
    price = serializers.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, read_only=True
    )
    currency = ShopCurrencyField()
    stock = serializers.IntegerField(read_only=True)
    in_stock = serializers.BooleanField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    created_at = _utc_datetime()
    updated_at = _utc_datetime()


def product_json(product: Mapping) -> dict:
    """A product as the API renders it everywhere (list, detail and every write's response):
    `ProductSerializer`'s shape, built from a `catalog.selectors` row."""
    category_id = product["category_id"]
    return {
        "id": product["id"],
        "sku": product["sku"],
        "name": product["name"],
        "slug": product["slug"],
        "description": product["description"],
        "category": None
        if category_id is None
        else {
            "id": category_id,
            "name": product["category__name"],
            "slug": product["category__slug"],
        },
        "price": format(product["price"].quantize(CENT), "f"),
        "currency": shop_currency(),
        "stock": product["stock"],
        "in_stock": product["stock"] > 0,
        "is_active": product["is_active"],
        "created_at": _iso_utc(product["created_at"]),
        "updated_at": _iso_utc(product["updated_at"]),
    }


def _iso_utc(value: datetime.datetime) -> str:
    """What `_utc_datetime()` renders: ISO 8601 in UTC, `Z` for `+00:00`."""
    text = value.astimezone(datetime.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class CategoryWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(
        max_length=120,
        required=False,
        allow_blank=True,
        help_text="Made from the name when left out or blank.",
    )
    description = serializers.CharField(required=False, allow_blank=True)


class ProductWriteSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(
        max_length=220,
        required=False,
        allow_blank=True,
        help_text="Made (unique) from the name when left out on creation, or when blank.",
    )
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(),
        pk_field=serializers.IntegerField(min_value=1, max_value=_MAX_ID),
        allow_null=True,
        required=False,
        help_text="The category's id, or null.",
    )
    price = serializers.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, min_value=MIN_PRICE
    )
    stock = serializers.IntegerField(min_value=0, max_value=MAX_STOCK, required=False)
    is_active = serializers.BooleanField(required=False)
