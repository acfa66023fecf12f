"""Query parameters of `GET /products/`, validated like request bodies.

`ProductListQuerySerializer` is what the view's query string may hold (`kernel.api.views`): it
refuses an unknown or repeated parameter and a malformed value before anything is read, and
its validated values are the catalog cache's key. `ProductFilter` then narrows the list (and
documents the parameters, and draws the browsable API's filter form); it also refuses what
needs the database or two values to judge: an unknown category slug, `min_price` above
`max_price`. `tests/catalog/test_cache_keys.py` pins the two to the same parameters.

`DjangoFilterBackend` raises a `ValidationError` with the form's errors when a value is
malformed, which the API renders as a 400 `{"param": ["message"]}`: `?min_price=abc`,
`?in_stock=maybe`, `?category=<unknown slug>` and `?ordering=<unknown>` are refused, never
silently ignored.
"""

from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog import selectors
from catalog.models import Category, Product
from catalog.search import search_products
from kernel.api.pagination import PageQuerySerializer
from kernel.money import DECIMAL_PLACES, MAX_DIGITS

# As long as a product's name; SQLite refuses LIKE patterns longer than 50,000 bytes.
SEARCH_MAX_LENGTH = 200
ORDERINGS = {
    "price": ("price", "id"),
    "-price": ("-price", "-id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
}


BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
NOT_A_BOOLEAN = "Must be true or false."


class StrictBooleanField(forms.Field):
    """`true` or `false` (also `1` / `0`, any case); anything else is an error, not "unset"."""

    default_error_messages = {"invalid": NOT_A_BOOLEAN}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return BOOLEANS[str(value).lower()]
        except KeyError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class ProductFilterForm(forms.Form):
    def clean(self):
        cleaned_data = super().clean()
        low, high = cleaned_data.get("min_price"), cleaned_data.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", "Must not be less than min_price.")
        return cleaned_data


@extend_schema_field(
    serializers.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, min_value=Decimal(0)
    )
)
class MoneyFilter(filters.NumberFilter):
    """An amount: in the schema a decimal string, as money is in bodies, never a float."""


def _price_filter(lookup_expr: str, help_text: str) -> MoneyFilter:
    return MoneyFilter(
        field_name="price",
        lookup_expr=lookup_expr,
        min_value=Decimal(0),
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        help_text=help_text,
    )


class ProductFilter(filters.FilterSet):
    # A filter with a `method` has no model field to take its label from: without a `label`,
    # the browsable API's filter form calls it "[invalid name]".
    search = filters.CharFilter(
        method="filter_search",
        label="Search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Words in the name, the SKU or the description. On PostgreSQL a full-text "
        "search, best matches first unless `ordering` is given (a name match before a "
        "description-only one); elsewhere case-insensitive substrings.",
    )
    category = filters.ModelChoiceFilter(
        field_name="category",
        to_field_name="slug",
        queryset=Category.objects.all(),
        method="filter_category",
        label="Category",
        error_messages={"invalid_choice": "No category with this slug."},
        help_text="A category's slug: its products and those of every category beneath it. "
        "An unknown slug is a 400.",
    )
    min_price = _price_filter("gte", "Only products costing at least this much.")
    max_price = _price_filter("lte", "Only products costing at most this much.")
    in_stock = StrictBooleanFilter(
        method="filter_in_stock",
        label="In stock",
        widget=forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")]),
        help_text="`true`: only products with a variant in stock; `false`: only those with none.",
    )
    ordering = filters.ChoiceFilter(
        choices=[(value, value) for value in ORDERINGS],
        method="filter_ordering",
        label="Ordering",
        help_text="Sort order; `-` for descending. Newest first by default.",
    )

    class Meta:
        model = Product
        fields: list[str] = []
        form = ProductFilterForm

    def filter_search(self, queryset: QuerySet[Product], name: str, value: str):
        return search_products(queryset, value)

    def filter_category(self, queryset: QuerySet[Product], name: str, value: Category):
        return queryset.filter(category_id__in=selectors.descendant_ids(category_id=value.pk))

    def filter_in_stock(self, queryset: QuerySet[Product], name: str, value: bool):
        in_stock = selectors.any_variant_in_stock()
        return queryset.filter(in_stock) if value else queryset.exclude(in_stock)

    def filter_ordering(self, queryset: QuerySet[Product], name: str, value: str):
        return queryset.order_by(*ORDERINGS[value])


class QueryBooleanField(serializers.Field):
    """`StrictBooleanField`'s values in a query serializer."""

    default_error_messages = {"invalid": NOT_A_BOOLEAN}

    def to_internal_value(self, data) -> bool:
        try:
            return BOOLEANS[str(data).lower()]
        except KeyError:
            self.fail("invalid")

    def to_representation(self, value):
        return value


def _price_field() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, min_value=Decimal(0), required=False
    )


class ProductListQuerySerializer(PageQuerySerializer):
    """`ProductFilter`'s parameters, each normalised (`?in_stock=TRUE` is `True`, `?min_price=5`
    is `5.00`); the category is a slug whose existence `ProductFilter` checks."""

    search = serializers.CharField(max_length=SEARCH_MAX_LENGTH, required=False)
    # Not stripped: `ProductFilter` looks the slug up as it is given.
    category = serializers.CharField(
        max_length=Category._meta.get_field("slug").max_length,
        trim_whitespace=False,
        required=False,
    )
    min_price = _price_field()
    max_price = _price_field()
    in_stock = QueryBooleanField(required=False)
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False)
