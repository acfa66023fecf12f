"""The catalog's JSON: plain read serializers (cheap per row) and separate write serializers.

The read serializers declare every field explicitly instead of introspecting the model, so a
page of 100 products costs no more than reading 100 rows' attributes.
"""

from rest_framework import serializers

from catalog.models import MAX_STOCK, MIN_PRICE, Category
from shop.kernel.money import DECIMAL_PLACES, MAX_DIGITS, shop_currency

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
    currency = serializers.SerializerMethodField()
    stock = serializers.IntegerField(read_only=True)
    in_stock = serializers.BooleanField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_currency(self, product) -> str:
        return shop_currency()


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
