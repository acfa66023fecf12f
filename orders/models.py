"""Orders, their lines and their tracking history.

A line refers to its product and variant by id only and copies what the customer saw (SKU,
names, price):
an order must not change when the catalog does, and no foreign key crosses into the catalog.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kernel.money import DECIMAL_PLACES, MAX_DIGITS


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


def _money_field(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, editable=False
    )


class CancellationReason(models.TextChoices):
    """Who cancelled an order: its customer, the shop's staff, or the shop because it expired."""

    CUSTOMER = "customer", "Cancelled by the customer"
    STAFF = "staff", "Cancelled by staff"
    EXPIRED = "expired", "Expired unpaid"


_VALID_STATUS = Q(status__in=OrderStatus.values)


class Order(models.Model):
    number = models.CharField(max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", editable=False
    )
    status = models.CharField(
        max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING, editable=False
    )
    subtotal = _money_field("subtotal")
    total = _money_field("total")
    currency = models.CharField(max_length=3, editable=False)
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
