"""The API's one permission class for staff operations, and how their 403 is documented.

A view lists the Django permissions each of its staff actions needs:

    permission_classes = [StaffPermission]
    required_permissions = {"create": ["catalog.add_product"], ...}

An action named there is for active staff holding all of its permissions (a superuser holds
every one): anyone else signed in gets 403 naming what is missing, an anonymous caller 401. An
action not named there is left to the view's other permission classes (with `StaffPermission`
alone, open to anyone: the catalog's reads).
"""

from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import BasePermission

from kernel.api.schema import ErrorSerializer
from kernel.permissions import staff_has


class StaffPermission(BasePermission):
    """Staff with the Django permissions `view.required_permissions[view.action]` names."""

    def has_permission(self, request, view) -> bool:
        required = required_permissions(view)
        if not required or staff_has(request.user, *required):
            return True
        # DRF turns a refusal into 401 for an anonymous caller, else 403 with this message.
        self.message = denied_message(required)
        return False


def required_permissions(view) -> tuple[str, ...]:
    """The Django permissions the view's current action needs (none for an unnamed action)."""
    return tuple(getattr(view, "required_permissions", {}).get(view.action, ()))


def denied_message(permissions) -> str:
    names = ", ".join(f"`{permission}`" for permission in permissions)
    return f"This needs a member of staff with the permission {names}."


def forbidden_without(*permissions: str, who: str = "") -> dict[int, OpenApiResponse]:
    """The 403 of a staff operation for `extend_schema(responses=...)`, naming its permissions.

    `who` replaces the default subject ("A customer, or staff without it") where the operation
    is also open to others (an owner cancelling their own order).
    """
    names = ", ".join(f"`{permission}`" for permission in permissions)
    subject = who or "A customer, or staff without it"
    return {
        403: OpenApiResponse(
            ErrorSerializer,
            description=f"Needs the Django permission {names} (a superuser has all). "
            f"{subject}: `permission_denied`.",
        )
    }
