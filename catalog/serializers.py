"""The catalog's JSON: plain read serializers (cheap per row) and separate write serializers.

The read serializers declare every field explicitly instead of introspecting the model, so a
page of 100 categories costs no more than reading 100 rows' attributes. Products go further:
`ProductSerializer` only documents their shape (OpenAPI), and `product_json` builds that JSON
from a `catalog.selectors` row for every response, since DRF's field-by-field machinery cost
more than the page's queries (a test pins the two together).
"""

import datetime
from collections.abc import Mapping

from django.core.files.storage import default_storage
from rest_framework import serializers

from catalog.models import MAX_OPTION_LENGTH, MAX_OPTIONS, MAX_STOCK, MIN_PRICE, Category
from kernel.api.serializers import (
    IdField,
    MoneyField,
    ShopCurrencyField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
    StrictSlugField,
    iso_datetime,
)
from kernel.money import format_money, shop_currency

# The largest position PostgreSQL's `integer` stores.
MAX_POSITION = 2_147_483_647


class CategorySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)


class CategorySerializer(CategorySummarySerializer):
    description = serializers.CharField(read_only=True)
    parent = CategorySummarySerializer(read_only=True, allow_null=True)


class CategoryDetailSerializer(CategorySerializer):
    """One category (its detail, and every write's response): with its breadcrumbs."""

    path = CategorySummarySerializer(
        many=True,
        read_only=True,
        help_text="Breadcrumbs: the category's ancestors, root first, then the category itself.",
    )


class ProductImageSerializer(serializers.Serializer):
    """Documents `image_json`'s shape (OpenAPI)."""

    id = serializers.IntegerField(read_only=True)
    url = serializers.URLField(read_only=True, help_text="The uploaded image, re-encoded.")
    thumbnail_url = serializers.URLField(
        read_only=True,
        allow_null=True,
        help_text="At most 320 px on its longest side; null until the worker has made it "
        "(show `url` meanwhile).",
    )
    large_url = serializers.URLField(
        read_only=True,
        allow_null=True,
        help_text="At most 1280 px on its longest side; null until the worker has made it.",
    )
    alt = serializers.CharField(read_only=True)
    width = serializers.IntegerField(read_only=True)
    height = serializers.IntegerField(read_only=True)
    position = serializers.IntegerField(read_only=True)


def image_json(image: Mapping) -> dict:
    """An image as the API renders it, from a `catalog.selectors` image row."""
    return {
        "id": image["id"],
        "url": default_storage.url(image["file"]),
        "thumbnail_url": default_storage.url(image["thumbnail"]) if image["thumbnail"] else None,
        "large_url": default_storage.url(image["large"]) if image["large"] else None,
        "alt": image["alt"],
        "width": image["width"],
        "height": image["height"],
        "position": image["position"],
    }


class ProductVariantSerializer(serializers.Serializer):
    """Documents `variant_json`'s shape (OpenAPI)."""

    id = serializers.IntegerField(read_only=True)
    sku = serializers.CharField(read_only=True)
    name = serializers.CharField(
        read_only=True, help_text='Made from the option values (`"M / red"`) unless given.'
    )
    options = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text='Option names to values: `{"size": "M", "colour": "red"}`; `{}` for the one '
        "variant of a product sold in one kind.",
    )
    price = MoneyField(read_only=True)
    currency = ShopCurrencyField()
    stock = serializers.IntegerField(read_only=True)
    in_stock = serializers.BooleanField(read_only=True)
    position = serializers.IntegerField(read_only=True)


def variant_json(variant: Mapping) -> dict:
    """A variant as the API renders it, from a `catalog.selectors` variant row."""
    return {
        "id": variant["id"],
        "sku": variant["sku"],
        "name": variant["name"],
        "options": variant["options"],
        "price": format_money(variant["price"]),
        "currency": shop_currency(),
        "stock": variant["stock"],
        "in_stock": variant["stock"] > 0,
        "position": variant["position"],
    }


class ProductOptionSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    values = serializers.ListField(child=serializers.CharField(), read_only=True)


def product_options(variants: list[Mapping]) -> list[dict]:
    """The options a product's variants have, each with its values in the variants' order."""
    values: dict[str, list[str]] = {}
    for variant in variants:
        for name, value in variant["options"].items():
            seen = values.setdefault(name, [])
            if value not in seen:
                seen.append(value)
    return [{"name": name, "values": option_values} for name, option_values in values.items()]


class ProductSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    sku = serializers.CharField(read_only=True, help_text="Its first variant's SKU.")
    name = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    description = serializers.CharField(read_only=True)
    category = CategorySummarySerializer(read_only=True, allow_null=True)
    price = MoneyField(read_only=True, help_text="Its lowest variant price.")
    currency = ShopCurrencyField()
    stock = serializers.IntegerField(read_only=True, help_text="Its variants' stock together.")
    in_stock = serializers.BooleanField(
        read_only=True, help_text="Whether any of its variants is in stock."
    )
    is_active = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    variants = ProductVariantSerializer(many=True, read_only=True, help_text="By position.")
    thumbnail = ProductImageSerializer(
        read_only=True,
        allow_null=True,
        help_text="The product's first image, or null. Until its renditions exist, its "
        "`thumbnail_url` is null: show `url`, the original.",
    )


class ProductDetailSerializer(ProductSerializer):
    options = ProductOptionSerializer(
        many=True, read_only=True, help_text="The variants' options, values in their order."
    )
    images = ProductImageSerializer(many=True, read_only=True, help_text="By position.")


class ProductImageWriteSerializer(StrictSerializer):
    alt = StrictCharField(max_length=200, required=False, allow_blank=True)
    position = StrictIntegerField(min_value=0, max_value=MAX_POSITION, required=False)


class ProductImageUploadSerializer(serializers.Serializer):
    """A multipart form: the file and its optional fields (form values are strings)."""

    file = serializers.FileField(
        allow_empty_file=True,  # `catalog.images` refuses it: `invalid_image` like any non-image.
        help_text="JPEG, PNG or WebP, at most 10 MB and 40 megapixels.",
    )
    alt = serializers.CharField(max_length=200, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, required=False)


def product_json(
    product: Mapping, variants: list[Mapping], zone: datetime.tzinfo | None = None
) -> dict:
    """A product as the API renders it everywhere (list, detail and every write's response):
    `ProductSerializer`'s shape, built from a `catalog.selectors` row and its variant rows by
    position; times in `zone` (a page looks the current time zone up once) or the current time
    zone. Its `thumbnail` is the caller's to add."""
    category_id = product["category_id"]
    stock = sum(variant["stock"] for variant in variants)
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
        "price": format_money(product["price"]),
        "currency": shop_currency(),
        "stock": stock,
        "in_stock": stock > 0,
        "is_active": product["is_active"],
        "created_at": iso_datetime(product["created_at"], zone),
        "updated_at": iso_datetime(product["updated_at"], zone),
        "variants": [variant_json(variant) for variant in variants],
    }


def product_detail_json(
    product: Mapping,
    variants: list[Mapping],
    images: list[Mapping],
    zone: datetime.tzinfo | None = None,
) -> dict:
    """A product as its detail (and every product event) shows it: `product_json` with its
    `options`, its `images` rows by position and the first of them as `thumbnail`."""
    return {
        **product_json(product, variants, zone),
        "thumbnail": image_json(images[0]) if images else None,
        "options": product_options(variants),
        "images": [image_json(image) for image in images],
    }


class CategoryIdField(serializers.PrimaryKeyRelatedField):
    """A category by its id (a JSON integer). A slug is refused with the id it stands for, so
    a client that sent what it reads in `?category=<slug>` learns what to send instead."""

    default_error_messages = {
        "slug": "Expected the category's id (an integer), not a slug; "
        "category {slug!r} has id {id}.",
        "not_an_id": "Expected the category's id, an integer.",
    }

    def __init__(self, **kwargs) -> None:
        super().__init__(queryset=Category.objects.all(), pk_field=IdField(), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            category_id = (
                Category.objects.filter(slug=data).values_list("id", flat=True).first()
                if len(data) <= Category._meta.get_field("slug").max_length
                else None
            )
            if category_id is not None:
                self.fail("slug", slug=data, id=category_id)
            self.fail("not_an_id")
        if type(data) is not int:
            self.fail("not_an_id")
        return super().to_internal_value(data)


class CategoryWriteSerializer(StrictSerializer):
    name = StrictCharField(max_length=100)
    slug = StrictSlugField(
        max_length=120,
        required=False,
        allow_blank=True,
        help_text="Made from the name when left out or blank.",
    )
    description = StrictCharField(required=False, allow_blank=True, multiline=True)
    parent = CategoryIdField(
        allow_null=True,
        required=False,
        help_text="The parent category's id, or null for a top-level category. Not the "
        "category itself nor one beneath it.",
    )


class OptionsField(serializers.DictField):
    """A variant's options: an object of up to 3 option names to values, strings of 1 to 50
    characters (checked again by `catalog.services.clean_options`)."""

    def __init__(self, **kwargs):
        super().__init__(
            child=StrictCharField(max_length=MAX_OPTION_LENGTH),
            help_text='Up to 3 option names to values: `{"size": "M", "colour": "red"}`.',
            **kwargs,
        )

    def to_internal_value(self, data):
        options = super().to_internal_value(data)
        if len(options) > MAX_OPTIONS:
            raise serializers.ValidationError(f"At most {MAX_OPTIONS} options.")
        for name in options:
            if not name.strip() or len(name) > MAX_OPTION_LENGTH:
                raise serializers.ValidationError(
                    f"Option names are 1 to {MAX_OPTION_LENGTH} characters."
                )
        return options


class ProductVariantWriteSerializer(StrictSerializer):
    sku = StrictCharField(max_length=64)
    options = OptionsField()
    price = MoneyField(min_value=MIN_PRICE)
    stock = StrictIntegerField(min_value=0, max_value=MAX_STOCK, required=False)
    name = StrictCharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text='Made from the option values (`"M / red"`) when left out or blank.',
    )
    position = StrictIntegerField(min_value=0, max_value=MAX_POSITION, required=False)


class ProductWriteSerializer(StrictSerializer):
    sku = StrictCharField(max_length=64)
    name = StrictCharField(max_length=200)
    slug = StrictSlugField(
        max_length=220,
        required=False,
        allow_blank=True,
        help_text="Made (unique) from the name when left out on creation, or when blank.",
    )
    description = StrictCharField(required=False, allow_blank=True, multiline=True)
    category = CategoryIdField(
        allow_null=True, required=False, help_text="The category's id, or null."
    )
    price = MoneyField(min_value=MIN_PRICE)
    stock = StrictIntegerField(min_value=0, max_value=MAX_STOCK, required=False)
    is_active = StrictBooleanField(required=False)

    def __init__(self, *args, several_variants: bool = False, **kwargs):
        """`several_variants`: the product written has several variants, so a replacement
        (PUT) need not give `sku` and `price`, which are its variants' own (giving them is
        400 `product_has_variants`)."""
        super().__init__(*args, **kwargs)
        if several_variants:
            self.fields["sku"].required = self.fields["price"].required = False
