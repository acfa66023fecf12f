"""The table of the database cache (`kernel_cache`), which holds the throttle counts when no
Redis is configured: `migrate` alone makes a new instance ready, no `createcachetable` step."""

from django.core.management import call_command
from django.db import migrations

TABLE = "kernel_cache"


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("kernel", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
