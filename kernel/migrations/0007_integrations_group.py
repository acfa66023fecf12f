"""The `Integrations` staff group: the outgoing webhooks' endpoints and their delivery log."""

from django.db import migrations

from kernel.groups import create_group


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("kernel", "0006_webhooks"),
    ]

    operations = [
        create_group(
            "Integrations",
            [
                *(
                    f"kernel.{action}_webhookendpoint"
                    for action in ("add", "change", "delete", "view")
                ),
                "kernel.change_webhookdelivery",
                "kernel.view_webhookdelivery",
            ],
        ),
    ]
