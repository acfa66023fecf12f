"""The `Marketing` staff group: shipping methods, tax rates and vouchers."""

from django.db import migrations

from kernel.groups import create_group


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("checkout", "0001_initial"),
    ]

    operations = [
        create_group(
            "Marketing",
            [
                f"checkout.{action}_{model}"
                for model in ("shippingmethod", "taxrate", "voucher")
                for action in ("add", "change", "delete", "view")
            ],
        ),
    ]
