"""What every app's write services do alike: apply a partial change, ask whether a unique value
is taken before the write, and save in a savepoint that turns a broken constraint into the
app's own field error.

The check before the write gives the usual answer; the constraint catches the race in which
another request takes the same value between the check and the write, and `save_checked`
makes that the same error instead of a 500.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model


def apply_changes(
    instance: Model, data: Mapping[str, Any], *, allowed: frozenset[str]
) -> list[str]:
    """Set `data`'s fields on `instance`; the names changed. A field outside `allowed` is a
    programming error (the API and the admin validate first), so it is a `TypeError`."""
    unknown = set(data) - allowed
    if unknown:
        raise TypeError(f"Unknown field(s): {', '.join(sorted(unknown))}")
    for field, value in data.items():
        setattr(instance, field, value)
    return list(data)


def value_taken(model: type[Model], *, exclude_pk: Any, **lookup: Any) -> bool:
    """Whether another row than `exclude_pk` already has this value."""
    return model.objects.filter(**lookup).exclude(pk=exclude_pk).exists()


def save_checked(
    instance: Model, *, field_error: Callable[[str], Exception | None], **save_options: Any
) -> None:
    """Save `instance` in a savepoint; a broken constraint becomes `field_error(violated)` (the
    app's error for it, or None to raise the `IntegrityError` itself). `violated` is what names
    the constraint: its name on PostgreSQL, the database's message (naming the column or the
    check) on SQLite."""
    try:
        with transaction.atomic():
            instance.save(**save_options)
    except IntegrityError as error:
        diag = getattr(error.__cause__, "diag", None)
        mapped = field_error(getattr(diag, "constraint_name", None) or str(error))
        if mapped is None:
            raise
        raise mapped from error
