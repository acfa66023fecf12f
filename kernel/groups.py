"""The migration operation that creates a staff group holding exactly the given permissions.

Each app's data migration creates the group for its part of the shop (`kernel.permissions`
explains how the groups are used); reversed, the operation deletes the group again.
"""

from collections.abc import Sequence

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q


def create_group(name: str, permissions: Sequence[str]) -> migrations.RunPython:
    """A reversible `RunPython` creating group `name` with `permissions` ("app_label.codename").

    The migration must depend on the migrations that create the permissions' models and on
    `auth`'s and `contenttypes`' own.
    """
    wanted = {tuple(permission.split(".", 1)) for permission in permissions}

    def forward(apps, schema_editor) -> None:
        alias = schema_editor.connection.alias
        # Django creates permissions after `migrate` has run every migration (post_migrate):
        # on a fresh database they do not exist yet when this runs, so create them first.
        for app_label in sorted({app_label for app_label, _ in wanted}):
            create_permissions(
                global_apps.get_app_config(app_label), verbosity=0, using=alias, apps=apps
            )
        permission_model = apps.get_model("auth", "Permission")
        condition = Q()
        for app_label, codename in wanted:
            condition |= Q(content_type__app_label=app_label, codename=codename)
        found = list(
            permission_model.objects.using(alias).filter(condition).select_related("content_type")
        )
        missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
        if missing:
            raise LookupError(f"Group {name!r}: no such permissions {sorted(missing)}.")
        group, _ = apps.get_model("auth", "Group").objects.using(alias).get_or_create(name=name)
        group.permissions.set(found)

    def backward(apps, schema_editor) -> None:
        alias = schema_editor.connection.alias
        apps.get_model("auth", "Group").objects.using(alias).filter(name=name).delete()

    return migrations.RunPython(forward, backward)
