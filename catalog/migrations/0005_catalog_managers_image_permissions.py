"""The `Catalog managers` group also holds every permission on product images."""

from django.db import migrations

from kernel.groups import create_group

ACTIONS = ("add", "change", "delete", "view")


def _group(models: tuple[str, ...]) -> migrations.RunPython:
    return create_group(
        "Catalog managers", [f"catalog.{action}_{model}" for model in models for action in ACTIONS]
    )


_WITH_IMAGES = _group(("product", "category", "productimage"))
_WITHOUT_IMAGES = _group(("product", "category"))


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0003_catalog_managers_group"),
        ("catalog", "0004_product_image"),
    ]

    operations = [
        # Reversed, the group goes back to what 0003 gave it (not deleted).
        migrations.RunPython(_WITH_IMAGES.code, _WITHOUT_IMAGES.code),
    ]
