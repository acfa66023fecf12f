"""Order lines name their variant (`variant_id`) and keep its name (`variant_name`).

Lines written before variants existed get the variant that catalog migration 0007 made of their
product, which has the product's id; their variant name is empty, as that variant's is.
"""

from django.db import migrations, models
from django.db.models import F


def variant_of_product(apps, schema_editor):
    OrderLine = apps.get_model("orders", "OrderLine")
    OrderLine.objects.filter(variant_id__isnull=True).update(variant_id=F("product_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_expiry"),
        ("catalog", "0007_product_variants"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderline",
            name="variant_id",
            field=models.PositiveBigIntegerField(db_index=True, null=True),
        ),
        migrations.AddField(
            model_name="orderline",
            name="variant_name",
            field=models.CharField(blank=True, default="", max_length=200),
            preserve_default=False,
        ),
        migrations.RunPython(variant_of_product, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="orderline",
            name="variant_id",
            field=models.PositiveBigIntegerField(db_index=True),
        ),
        migrations.AlterField(
            model_name="orderline",
            name="name",
            field=models.CharField(help_text="The product's name.", max_length=200),
        ),
        migrations.RemoveConstraint(
            model_name="orderline",
            name="orders_orderline_one_line_per_product",
        ),
        migrations.AddConstraint(
            model_name="orderline",
            constraint=models.UniqueConstraint(
                fields=("order", "variant_id"), name="orders_orderline_one_line_per_variant"
            ),
        ),
    ]
