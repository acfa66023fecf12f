"""Orders get `expires_at` and `cancellation_reason`.

An order already pending gets a full payment window from the moment this migration runs, not
from when it was placed: an order placed long ago is usually abandoned, and its stock comes back
once the window passes, but a customer who is paying at the time of the upgrade is not refused
for a rule that did not exist when they ordered. Orders in any other status have no `expires_at`.
Orders cancelled before this migration keep a null `cancellation_reason`: who cancelled them
was never recorded (only in their history's note).
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_pending_orders_a_window(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    window = timedelta(seconds=settings.ORDER_PAYMENT_WINDOW_SECONDS)
    Order.objects.filter(status="pending").update(expires_at=timezone.now() + window)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_refunded_status"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="cancellation_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("customer", "Cancelled by the customer"),
                    ("staff", "Cancelled by staff"),
                    ("expired", "Expired unpaid"),
                ],
                editable=False,
                max_length=16,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="expires_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When a pending order is cancelled unless it has been paid.",
                null=True,
            ),
        ),
        migrations.RunPython(give_pending_orders_a_window, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["expires_at"],
                name="orders_order_pending_due",
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "pending"), _negated=True),
                    ("expires_at__isnull", False),
                    _connector="OR",
                ),
                name="orders_order_pending_expires",
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("cancellation_reason__isnull", True),
                    models.Q(
                        ("cancellation_reason__in", ["customer", "staff", "expired"]),
                        ("status", "cancelled"),
                    ),
                    _connector="OR",
                ),
                name="orders_order_cancellation_reason_valid",
            ),
        ),
    ]
