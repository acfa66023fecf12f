"""Orders, their lines and their tracking history.

A line refers to its product and variant by id only and copies what the customer saw (SKU,
names, price):
an order must not change when the catalog does, and no foreign key crosses into the catalog.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils import timezone

from kernel.money import DECIMAL_PLACES, MAX_DIGITS


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


def _money_field(verbose_name: str, **options) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        editable=False,
        **options,
    )


class CancellationReason(models.TextChoices):
    """Who cancelled an order: its customer, the shop's staff, or the shop because it expired."""

    CUSTOMER = "customer", "Cancelled by the customer"
    STAFF = "staff", "Cancelled by staff"
    EXPIRED = "expired", "Expired unpaid"


_VALID_STATUS = Q(status__in=OrderStatus.values)
_NO_SHIPPING_METHOD = Q(
    shipping_method_code__isnull=True,
    shipping_method_name__isnull=True,
    shipping_method_price__isnull=True,
    shipping_total=0,
)
_SHIPPING_METHOD = Q(
    shipping_method_code__isnull=False,
    shipping_method_name__isnull=False,
    shipping_method_price__isnull=False,
    shipping_total=F("shipping_method_price"),
)
# Rounded to the cent: SQLite keeps decimals as binary floats, whose sums are not exact.
_TOTAL_IDENTITY = Q(
    total=Round(
        F("subtotal") - F("discount_total") + F("shipping_total") + F("tax_total"),
        DECIMAL_PLACES,
    )
)


class Order(models.Model):
    number = models.CharField(max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        null=True,
        blank=True,
        editable=False,
        help_text="Empty for a guest's order, which its key opens instead.",
    )
    # A guest order's key, hashed (SHA-256 hex): the secret itself is only ever in
    # `place_order`'s answer. Null for a customer's order.
    key_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    status = models.CharField(
        max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING, editable=False
    )
    email = models.EmailField(
        max_length=254, editable=False, help_text="Where the order's emails go."
    )
    subtotal = _money_field("subtotal")
    discount_total = _money_field("discount total", default=0)
    shipping_total = _money_field("shipping total", default=0)
    tax_total = _money_field("tax total", default=0)
    total = _money_field(
        "total", help_text="subtotal − discount total + shipping total + tax total."
    )
    currency = models.CharField(max_length=3, editable=False)
    # The shipping method as it was chosen (a snapshot, not a reference: methods change).
    shipping_method_code = models.CharField(max_length=50, null=True, blank=True, editable=False)
    shipping_method_name = models.CharField(max_length=100, null=True, blank=True, editable=False)
    shipping_method_price = _money_field("shipping method price", null=True, blank=True)
    voucher_code = models.CharField(max_length=50, null=True, blank=True, editable=False)
    shipping_address = models.JSONField(null=True, blank=True, editable=False)
    carrier = models.CharField(max_length=100, blank=True, editable=False)
    tracking_number = models.CharField(max_length=100, blank=True, editable=False)
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a pending order is cancelled unless it has been paid.",
    )
    cancellation_reason = models.CharField(
        max_length=16, choices=CancellationReason.choices, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_VALID_STATUS, name="orders_order_status_valid"),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0), name="orders_order_subtotal_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0), name="orders_order_total_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(discount_total__gte=0, discount_total__lte=F("subtotal")),
                name="orders_order_discount_within_subtotal",
            ),
            models.CheckConstraint(
                condition=Q(shipping_total__gte=0), name="orders_order_shipping_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(tax_total__gte=0), name="orders_order_tax_not_negative"
            ),
            models.CheckConstraint(condition=_TOTAL_IDENTITY, name="orders_order_total_identity"),
            models.CheckConstraint(
                condition=_NO_SHIPPING_METHOD | _SHIPPING_METHOD,
                name="orders_order_shipping_method_priced",
            ),
            models.CheckConstraint(condition=~Q(email=""), name="orders_order_email_not_blank"),
            models.CheckConstraint(
                condition=Q(customer__isnull=False, key_hash__isnull=True)
                | Q(customer__isnull=True, key_hash__isnull=False),
                name="orders_order_customer_or_key",
            ),
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.PENDING) | Q(expires_at__isnull=False),
                name="orders_order_pending_expires",
            ),
            models.CheckConstraint(
                condition=Q(cancellation_reason__isnull=True)
                | Q(
                    status=OrderStatus.CANCELLED,
                    cancellation_reason__in=CancellationReason.values,
                ),
                name="orders_order_cancellation_reason_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["customer", "-created_at", "-id"], name="orders_order_customer_newest"
            ),
            models.Index(fields=["status", "-created_at"], name="orders_order_status_newest"),
            # The expiry sweep's query: the pending orders, soonest due first.
            models.Index(
                fields=["expires_at"],
                condition=Q(status=OrderStatus.PENDING),
                name="orders_order_pending_due",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def shipping_method(self) -> dict | None:
        """The chosen method as the API shows it, `{code, name, price}`, or None."""
        if self.shipping_method_code is None:
            return None
        return {
            "code": self.shipping_method_code,
            "name": self.shipping_method_name,
            "price": self.shipping_method_price,
        }


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product_id = models.PositiveBigIntegerField(db_index=True)
    variant_id = models.PositiveBigIntegerField(db_index=True)
    sku = models.CharField("SKU", max_length=64)
    name = models.CharField(max_length=200, help_text="The product's name.")
    variant_name = models.CharField(max_length=200, blank=True)
    unit_price = _money_field("unit price")
    quantity = models.PositiveIntegerField()
    line_total = _money_field("line total")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "variant_id"], name="orders_orderline_one_line_per_variant"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="orders_orderline_quantity_at_least_one"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="orders_orderline_unit_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(line_total__gte=0), name="orders_orderline_line_total_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku} {self.name}"


class OrderEvent(models.Model):
    """One entry of an order's tracking history: the status it reached, and when."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=OrderStatus.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=_VALID_STATUS, name="orders_orderevent_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.status}"
