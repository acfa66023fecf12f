"""The `Fulfilment` staff group: sees every order (its lines and status history) and moves it
(ship, deliver, cancel: Django's change permission of orders)."""

from django.db import migrations

from kernel.groups import create_group


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0001_initial"),
    ]

    operations = [
        create_group(
            "Fulfilment",
            [
                "orders.view_order",
                "orders.change_order",
                "orders.view_orderline",
                "orders.view_orderevent",
            ],
        ),
    ]
