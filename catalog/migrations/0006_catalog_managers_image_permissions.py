"""The `Catalog managers` group as it is now: everything on products, categories and product
images. It supersedes 0003's group (re-created with exactly these permissions, idempotently);
reversed, it deletes the group, as 0003 would."""

from django.db import migrations

from kernel.groups import create_group


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0005_product_image"),
    ]

    operations = [
        create_group(
            "Catalog managers",
            [
                f"catalog.{action}_{model}"
                for model in ("product", "category", "productimage")
                for action in ("add", "change", "delete", "view")
            ],
        ),
    ]
