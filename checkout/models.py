"""What the checkout prices a cart with: shipping methods, tax rates and vouchers.

Money is a `Decimal` with two places (`kernel.money`); the database refuses what the services
refuse (check constraints), so no write path, the admin's included, can store a negative price,
a tax rate of 100 % or more, or a voucher that ends before it starts.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from checkout import dtos
from kernel.money import DECIMAL_PLACES, MAX_DIGITS

# A tax rate is a fraction (0.2 for 20 %) with up to four places: 0.0000 … 0.9999.
RATE_DIGITS = 5
RATE_PLACES = 4
MAX_PERCENTAGE = Decimal(100)


class ShippingMethod(models.Model):
    """A way to ship an order: its price, where it ships (`countries`, ISO 3166-1 alpha-2
    codes; empty for everywhere) and the subtotal from which it is free (`free_over`)."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)
    countries = models.JSONField(
        default=list, blank=True, help_text="ISO 3166-1 alpha-2 codes; empty for everywhere."
    )
    free_over = models.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        null=True,
        blank=True,
        help_text="Free when the subtotal reaches this; blank for never.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="checkout_shippingmethod_price_not_negative",
                violation_error_message="The price cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(free_over__isnull=True) | Q(free_over__gte=0),
                name="checkout_shippingmethod_free_over_not_negative",
                violation_error_message="The free-over amount cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TaxRate(models.Model):
    """The tax rate of one destination country; a country without one is taxed 0.00."""

    country = models.CharField(
        max_length=2, primary_key=True, help_text="ISO 3166-1 alpha-2 code, e.g. `DE`."
    )
    rate = models.DecimalField(
        max_digits=RATE_DIGITS,
        decimal_places=RATE_PLACES,
        help_text="A fraction with up to 4 places: 0.2 for 20 %; at least 0, less than 1.",
    )

    class Meta:
        ordering = ["country"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lt=1),
                name="checkout_taxrate_rate_range",
                violation_error_message="The rate must be at least 0 and less than 1.",
            ),
            models.CheckConstraint(
                condition=Q(country=Upper("country")),
                name="checkout_taxrate_country_upper_case",
                violation_error_message="The country is an upper-case ISO code.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country}: {self.rate}"


class VoucherKind(models.TextChoices):
    PERCENTAGE = dtos.PERCENTAGE
    FIXED = dtos.FIXED


class Voucher(models.Model):
    """A discount code. Its code is stored upper-case, so the unique constraint makes codes
    unique whatever their case (`SUMMER10` and `summer10` are one voucher).

    `used_count` is the number of orders checked out with it that were not cancelled: the
    checkout counts a use and a cancellation returns it (docs/ARCHITECTURE.md, "Checkout");
    staff never write it.
    """

    code = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=10, choices=VoucherKind.choices)
    value = models.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        help_text="A percentage (more than 0, at most 100) or an amount (more than 0).",
    )
    min_subtotal = models.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, default=Decimal("0.00")
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Blank for unlimited.")
    max_uses_per_email = models.PositiveIntegerField(
        null=True, blank=True, help_text="Blank for unlimited."
    )
    used_count = models.PositiveIntegerField(default=0, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code=Upper("code")),
                name="checkout_voucher_code_upper_case",
                violation_error_message="A voucher code is stored upper-case.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=VoucherKind.values),
                name="checkout_voucher_kind_valid",
                violation_error_message="The kind is `percentage` or `fixed`.",
            ),
            models.CheckConstraint(
                condition=Q(value__gt=0)
                & (~Q(kind=VoucherKind.PERCENTAGE) | Q(value__lte=MAX_PERCENTAGE)),
                name="checkout_voucher_value_range",
                violation_error_message="The value must be more than 0 (a percentage at most 100).",
            ),
            models.CheckConstraint(
                condition=Q(min_subtotal__gte=0),
                name="checkout_voucher_min_subtotal_not_negative",
                violation_error_message="The minimum subtotal cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="checkout_voucher_ends_after_start",
                violation_error_message="The end must come after the start.",
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(max_uses__gte=1),
                name="checkout_voucher_max_uses_positive",
                violation_error_message="At least 1, or blank for unlimited.",
            ),
            models.CheckConstraint(
                condition=Q(max_uses_per_email__isnull=True) | Q(max_uses_per_email__gte=1),
                name="checkout_voucher_max_uses_per_email_positive",
                violation_error_message="At least 1, or blank for unlimited.",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Cart(models.Model):
    """Lines a customer or a guest collects before an order exists; it reserves nothing.

    Its id is a random UUID: a guest cart (no `customer`) is reachable by anyone holding it, so
    it must not be guessable. `shipping_method` and `voucher` go to null when staff delete
    theirs; the cart's reads also ignore a method or a voucher that can no longer be used
    (docs/ARCHITECTURE.md, "Checkout").
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="carts",
    )
    email = models.EmailField(blank=True, default="")
    shipping_address = models.JSONField(null=True, blank=True)
    shipping_method = models.ForeignKey(
        ShippingMethod, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    voucher = models.ForeignKey(
        Voucher, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.id)


class CartLine(models.Model):
    """Units of one catalog variant (by id only: the catalog is another app).

    `product_id`, `sku`, `name`, `variant_name` and `unit_price` are what the variant was when
    the line was last written; a read shows today's values and uses these only once the variant
    is gone, so such a line still says what it was.
    """

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant_id = models.PositiveBigIntegerField()
    product_id = models.PositiveBigIntegerField()
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    variant_name = models.CharField(max_length=200, blank=True)
    unit_price = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)
    quantity = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "variant_id"], name="checkout_cartline_one_per_variant"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="checkout_cartline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


class VoucherUse(models.Model):
    """One order checked out with a voucher, and the email it was checked out with: what
    `max_uses_per_email` counts. The checkout writes it with the order (its `used_count` counted
    in the same transaction); the order's cancellation or expiry deletes it and gives the use
    back (`checkout.consumers`). `order_id` is the order's id only: orders is another app."""

    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="uses")
    order_id = models.PositiveBigIntegerField(unique=True)
    email = models.EmailField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["voucher", "email"], name="checkout_voucheruse_email")]

    def __str__(self) -> str:
        return f"{self.voucher_id} × order {self.order_id}"
