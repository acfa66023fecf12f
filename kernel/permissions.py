"""Who may do what: staff rights are Django's permissions, in the API and the admin alike.

A staff operation needs an active staff user holding the operation's Django permissions (a
superuser holds them all), the same test Django's admin makes. The permissions come from the
groups the apps' migrations create (`Catalog managers`, `Fulfilment`, `Finance`) or are given
to a user one by one.
"""

from django.contrib.auth import get_permission_codename
from django.db.models import Model


def staff_has(user, *permissions: str) -> bool:
    """Whether `user` is active staff holding every one of `permissions` ("app_label.codename")."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perms(permissions)
    )


def staff_may_view(user, model: type[Model]) -> bool:
    """Whether `user` is staff who may see every row of `model`, not only their own.

    As in Django's admin, the change permission implies the view permission.
    """
    opts = model._meta
    return any(
        staff_has(user, f"{opts.app_label}.{get_permission_codename(action, opts)}")
        for action in ("view", "change")
    )
