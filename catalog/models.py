from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from kernel.money import DECIMAL_PLACES, MAX_DIGITS

MIN_PRICE = Decimal("0.01")
# The largest stock every supported database stores in a PositiveIntegerField (PostgreSQL's
# `integer`); SQLite would take more, so the limit is stated here rather than left to the backend.
MAX_STOCK = 2_147_483_647


class Category(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    # An adjacency list: `catalog.selectors` walks it with recursive CTEs (docs/ARCHITECTURE.md,
    # "The category tree"). PROTECT: a category with children is not deleted
    # (`catalog.services.delete_category` says so first, as a 409).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """Something for sale, in one or more variants (`ProductVariant`), which hold the sku, the
    options, the price and the stock; the product holds what they share.

    `sku` and `price` are summaries of the variants, kept by `catalog.services` whenever a
    variant is written (never by a reservation): the first variant's sku and the lowest price.
    They let the list filter, order and search by them in the product's own row, with its
    indexes (docs/ARCHITECTURE.md, "Variants"). Stock has no summary: it moves with every order,
    and is summed from the variants where it is shown.
    """

    sku = models.CharField(
        "SKU", max_length=64, db_index=True, help_text="The first variant's SKU."
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    price = models.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        validators=[MinValueValidator(MIN_PRICE)],
        help_text="The lowest of its variants' prices.",
    )
    is_active = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0),
                name="catalog_product_price_positive",
                violation_error_message="The price must be greater than zero.",
            ),
        ]
        indexes = [
            models.Index(fields=["price", "id"], name="catalog_product_price_idx"),
            models.Index(fields=["name", "id"], name="catalog_product_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


# A variant's options: at most this many option names, each name and value at most this long.
MAX_OPTIONS = 3
MAX_OPTION_LENGTH = 50


class OptionsField(models.JSONField):
    """A variant's options, `{name: value}`, kept in the order they were written.

    Stored as a list of `[name, value]` pairs: PostgreSQL's `jsonb` orders an object's keys its
    own way (shortest first), which would reorder the options, and the name and the product's
    `options` made from them, on PostgreSQL only. An object read back (a row written before) is
    taken as it is.
    """

    def get_prep_value(self, value):
        if isinstance(value, dict):
            value = [[name, option] for name, option in value.items()]
        return super().get_prep_value(value)

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return dict(value) if isinstance(value, list) else value


class ProductVariant(models.Model):
    """One sellable version of a product (a size, a colour): what stock is counted and reserved
    in, and what an order line names. Price and stock are guarded by the database too."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField("SKU", max_length=64, unique=True)
    name = models.CharField(
        max_length=200, blank=True, help_text="Made from the option values when left blank."
    )
    options = OptionsField(
        default=dict, blank=True, help_text='Option names to values: {"size": "M"}.'
    )
    price = models.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        validators=[MinValueValidator(MIN_PRICE)],
    )
    stock = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(MAX_STOCK)])
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0),
                name="catalog_variant_price_positive",
                violation_error_message="The price must be greater than zero.",
            ),
            models.CheckConstraint(
                condition=Q(stock__gte=0),
                name="catalog_variant_stock_not_negative",
                violation_error_message="The stock cannot be negative.",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "position", "id"], name="catalog_variant_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}".strip()

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


class CatalogVersion(models.Model):
    """The version of the catalog's cached reads: one row, whose `token` every committed write
    replaces but a stock move, which replaces `stock_token` only (see `catalog.cache`)."""

    token = models.CharField(max_length=32)
    stock_token = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="catalog_catalogversion_one_row"),
        ]

    def __str__(self) -> str:
        return self.token


class ProductImage(models.Model):
    """A picture of a product: the uploaded file re-encoded without metadata (`file`), and its
    renditions, which the worker makes after the upload (`catalog.tasks`): empty until then."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(max_length=200)
    thumbnail = models.FileField(max_length=200, blank=True)
    large = models.FileField(max_length=200, blank=True)
    alt = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(
                fields=["product", "position", "id"], name="catalog_productimage_order_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.alt or self.file.name
