"""The `Finance` staff group: sees every payment, refund and webhook event, refunds payments
(Django's change permission of payments) and sees the orders they pay for."""

from django.db import migrations

from kernel.groups import create_group


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0001_initial"),
        ("payments", "0001_initial"),
    ]

    operations = [
        create_group(
            "Finance",
            [
                "payments.view_payment",
                "payments.change_payment",
                "payments.view_refund",
                "payments.view_processedwebhookevent",
                "orders.view_order",
                "orders.view_orderline",
                "orders.view_orderevent",
            ],
        ),
    ]
