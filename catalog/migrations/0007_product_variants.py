"""Products get variants: each existing product becomes a product with one variant.

The variant takes the product's sku, price and stock, with no options, and **the product's
id**: an order line written before variants names its product, and from now on its variant
too (`orders` migration 0005 copies one into the other); with equal ids no app has to read
another's tables to migrate. PostgreSQL's id sequence is then moved past them.

The product keeps `sku` and `price` as summaries of its variants (the first variant's sku, the
lowest price) and loses `stock`, which only variants hold now. Going back sums the variants'
stock into the product and keeps its first variant's sku.
"""

import django.core.validators
import django.db.models.deletion

import catalog.models
from decimal import Decimal
from django.db import migrations, models


def one_variant_per_product(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    ProductVariant = apps.get_model("catalog", "ProductVariant")
    rows = Product.objects.order_by("id").values_list("id", "sku", "price", "stock")
    batch = []
    for product_id, sku, price, stock in rows.iterator(chunk_size=2000):
        batch.append(
            ProductVariant(
                id=product_id,
                product_id=product_id,
                sku=sku,
                name="",
                options={},
                price=price,
                stock=stock,
                position=0,
            )
        )
        if len(batch) == 2000:
            ProductVariant.objects.bulk_create(batch)
            batch = []
    ProductVariant.objects.bulk_create(batch)
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        table = ProductVariant._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )


def stock_back_to_products(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    ProductVariant = apps.get_model("catalog", "ProductVariant")
    totals: dict[int, int] = {}
    for product_id, stock in ProductVariant.objects.values_list("product_id", "stock"):
        totals[product_id] = totals.get(product_id, 0) + stock
    for product_id, stock in totals.items():
        Product.objects.filter(pk=product_id).update(stock=stock)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_catalog_managers_image_permissions"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProductVariant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sku", models.CharField(max_length=64, unique=True, verbose_name="SKU")),
                (
                    "name",
                    models.CharField(
                        blank=True,
                        help_text="Made from the option values when left blank.",
                        max_length=200,
                    ),
                ),
                (
                    "options",
                    catalog.models.OptionsField(
                        blank=True, default=dict, help_text='Option names to values: {"size": "M"}.'
                    ),
                ),
                (
                    "price",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                    ),
                ),
                (
                    "stock",
                    models.PositiveIntegerField(
                        default=0,
                        validators=[django.core.validators.MaxValueValidator(2147483647)],
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="variants",
                        to="catalog.product",
                    ),
                ),
            ],
            options={
                "ordering": ["position", "id"],
                "indexes": [
                    models.Index(
                        fields=["product", "position", "id"], name="catalog_variant_order_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("price__gt", 0)),
                        name="catalog_variant_price_positive",
                        violation_error_message="The price must be greater than zero.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("stock__gte", 0)),
                        name="catalog_variant_stock_not_negative",
                        violation_error_message="The stock cannot be negative.",
                    ),
                ],
            },
        ),
        migrations.RunPython(one_variant_per_product, stock_back_to_products),
        migrations.RemoveConstraint(
            model_name="product",
            name="catalog_product_stock_not_negative",
        ),
        migrations.RemoveField(
            model_name="product",
            name="stock",
        ),
        migrations.AlterField(
            model_name="product",
            name="sku",
            field=models.CharField(
                db_index=True,
                help_text="The first variant's SKU.",
                max_length=64,
                verbose_name="SKU",
            ),
        ),
        migrations.AlterField(
            model_name="product",
            name="price",
            field=models.DecimalField(
                decimal_places=2,
                help_text="The lowest of its variants' prices.",
                max_digits=12,
                validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
            ),
        ),
    ]
