"""Query parameters of `GET /products/`, validated like request bodies.

`DjangoFilterBackend` raises a `ValidationError` with the form's errors when a value is
malformed, which the API renders as a 400 `{"param": ["message"]}`: `?min_price=abc`,
`?in_stock=maybe`, `?category=<unknown slug>` and `?ordering=<unknown>` are refused, never
silently ignored.
"""

from decimal import Decimal

from django import forms
from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Category, Product
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


class StrictBooleanField(forms.Field):
    """`true` or `false` (also `1` / `0`, any case); anything else is an error, not "unset"."""

    default_error_messages = {"invalid": "Must be true or false."}
    _VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self._VALUES[str(value).lower()]
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
        help_text="Case-insensitive text in the name, the description or the SKU.",
    )
    category = filters.ModelChoiceFilter(
        field_name="category",
        to_field_name="slug",
        queryset=Category.objects.all(),
        error_messages={"invalid_choice": "No category with this slug."},
        help_text="A category's slug; an unknown slug is a 400.",
    )
    min_price = _price_filter("gte", "Only products costing at least this much.")
    max_price = _price_filter("lte", "Only products costing at most this much.")
    in_stock = StrictBooleanFilter(
        method="filter_in_stock",
        label="In stock",
        widget=forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")]),
        help_text="`true`: only products in stock; `false`: only those out of stock.",
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
        return queryset.filter(
            Q(name__icontains=value) | Q(description__icontains=value) | Q(sku__icontains=value)
        )

    def filter_in_stock(self, queryset: QuerySet[Product], name: str, value: bool):
        return queryset.filter(stock__gt=0) if value else queryset.filter(stock=0)

    def filter_ordering(self, queryset: QuerySet[Product], name: str, value: str):
        return queryset.order_by(*ORDERINGS[value])
