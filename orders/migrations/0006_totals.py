"""An order keeps its email, its discount, shipping and tax totals, its shipping method and its
voucher code; `total = subtotal − discount_total + shipping_total + tax_total` is a check.

Orders placed before had none of these: their totals are 0.00 (their total was their subtotal),
no shipping method and no voucher; their email is their customer's at the upgrade, read from the
user table through the order's own foreign key.
"""

import django.db.models.expressions
import django.db.models.functions.math
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def customer_email(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    User = Order._meta.get_field("customer").related_model
    Order.objects.update(
        email=Subquery(User.objects.filter(pk=OuterRef("customer_id")).values("email")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_line_variants"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="discount_total",
            field=models.DecimalField(
                decimal_places=2,
                default=0,
                editable=False,
                max_digits=12,
                verbose_name="discount total",
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="email",
            field=models.EmailField(
                default="", editable=False, help_text="Where the order's emails go.", max_length=254
            ),
            preserve_default=False,
        ),
        migrations.RunPython(customer_email, migrations.RunPython.noop),
        migrations.AddField(
            model_name="order",
            name="shipping_method_code",
            field=models.CharField(blank=True, editable=False, max_length=50, null=True),
        ),
        migrations.AddField(
            model_name="order",
            name="shipping_method_name",
            field=models.CharField(blank=True, editable=False, max_length=100, null=True),
        ),
        migrations.AddField(
            model_name="order",
            name="shipping_method_price",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                editable=False,
                max_digits=12,
                null=True,
                verbose_name="shipping method price",
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="shipping_total",
            field=models.DecimalField(
                decimal_places=2,
                default=0,
                editable=False,
                max_digits=12,
                verbose_name="shipping total",
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="tax_total",
            field=models.DecimalField(
                decimal_places=2, default=0, editable=False, max_digits=12, verbose_name="tax total"
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="voucher_code",
            field=models.CharField(blank=True, editable=False, max_length=50, null=True),
        ),
        migrations.AlterField(
            model_name="order",
            name="total",
            field=models.DecimalField(
                decimal_places=2,
                editable=False,
                help_text="subtotal − discount total + shipping total + tax total.",
                max_digits=12,
                verbose_name="total",
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("discount_total__gte", 0), ("discount_total__lte", models.F("subtotal"))
                ),
                name="orders_order_discount_within_subtotal",
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(("shipping_total__gte", 0)),
                name="orders_order_shipping_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(("tax_total__gte", 0)), name="orders_order_tax_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "total",
                        django.db.models.functions.math.Round(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.expressions.CombinedExpression(
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("subtotal"), "-", models.F("discount_total")
                                    ),
                                    "+",
                                    models.F("shipping_total"),
                                ),
                                "+",
                                models.F("tax_total"),
                            ),
                            2,
                        ),
                    )
                ),
                name="orders_order_total_identity",
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("shipping_method_code__isnull", True),
                        ("shipping_method_name__isnull", True),
                        ("shipping_method_price__isnull", True),
                        ("shipping_total", 0),
                    ),
                    models.Q(
                        ("shipping_method_code__isnull", False),
                        ("shipping_method_name__isnull", False),
                        ("shipping_method_price__isnull", False),
                        ("shipping_total", models.F("shipping_method_price")),
                    ),
                    _connector="OR",
                ),
                name="orders_order_shipping_method_priced",
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(("email", ""), _negated=True),
                name="orders_order_email_not_blank",
            ),
        ),
    ]
