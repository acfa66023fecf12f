"""The catalog's version gets a second token, for stock: an order moves stock without
replacing the token that keeps every cached list page (`catalog.cache`)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0007_product_variants"),
    ]

    operations = [
        migrations.AddField(
            model_name="catalogversion",
            name="stock_token",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
    ]
