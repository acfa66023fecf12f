"""The `Catalog managers` staff group: everything on products and categories."""

from django.db import migrations

from kernel.groups import create_group


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0002_catalog_version"),
    ]

    operations = [
        create_group(
            "Catalog managers",
            [
                f"catalog.{action}_{model}"
                for model in ("product", "category")
                for action in ("add", "change", "delete", "view")
            ],
        ),
    ]
