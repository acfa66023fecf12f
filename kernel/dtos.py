"""One way to build an app's frozen DTO from what it read: a model instance or a `.values()` row.

Every app hands out frozen dataclasses, never models. Writing the copy field by field in each
app repeats the DTO's field list a second time, and a field added to the DTO but forgotten in the
copy shows up only at run time; `from_fields` reads the DTO's own field list instead.
"""

from collections.abc import Mapping
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def from_fields(dto_class: type[T], source: object, /, **overrides: Any) -> T:
    """A `dto_class` whose fields are read by name from `source`, except those in `overrides`.

    `source` is a mapping (a `.values()` row) or any object with the fields as attributes (a
    model instance). `overrides` gives the fields whose name or value differs from the source's.
    """
    names = [f.name for f in fields(dto_class) if f.name not in overrides]
    if isinstance(source, Mapping):
        return dto_class(**{name: source[name] for name in names}, **overrides)
    return dto_class(**{name: getattr(source, name) for name in names}, **overrides)
