"""Admin plumbing shared by the apps' admin pages."""

from django.db.models import Model


def adopt_created_row(obj: Model, *, pk) -> None:
    """Turn the admin's unsaved `obj` into the row a service created with primary key `pk`.

    An admin page whose add goes through a service (so the admin obeys the app's rules) gets a
    new row from the service, while Django's admin carries on with its own `obj` after
    `save_model`: the form's many-to-many fields, the log entry and the redirect use it. So `obj`
    takes the row's primary key and reloads every field from the database.
    """
    obj.pk = pk
    obj.refresh_from_db()
