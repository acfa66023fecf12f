"""Categories nest (`parent`); products get a GIN index for full-text search on PostgreSQL.

The index is on an expression only PostgreSQL understands, so it is built there alone: other
databases search by substring (`catalog.search`). It is not in the model's `Meta.indexes`,
which every database would be asked to build; the migration holds it instead.
"""

import django.db.models.deletion
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

INDEX_NAME = "catalog_product_search_idx"


def _index() -> GinIndex:
    # Frozen copy of `catalog.search.search_vector()`: a test on PostgreSQL pins that the
    # search's query uses this index.
    return GinIndex(
        SearchVector("name", weight="A", config="english")
        + SearchVector("sku", weight="B", config="english")
        + SearchVector("description", weight="C", config="english"),
        name=INDEX_NAME,
    )


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("catalog", "Product"), _index())


def remove_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("catalog", "Product"), _index())


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_catalog_managers_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="children",
                to="catalog.category",
            ),
        ),
        migrations.RunPython(add_search_index, remove_search_index),
    ]
