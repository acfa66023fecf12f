"""One router for every app: URL ids are integers in 1..`MAX_ID`, converted once, here.

A detail route's id goes through the `id` path converter, so a view receives an `int`; an id
that is not a decimal number, or is 0 or beyond `MAX_ID`, matches no route and is the API's
JSON 404 (never a database overflow, never a 500). A viewset looked up by something else names
its converter (`lookup_value_converter = "slug"`).
"""

from django.urls import register_converter
from rest_framework.routers import SimpleRouter

from kernel.ids import MAX_ID

ID_CONVERTER = "id"


class IdConverter:
    """`<id:pk>`: a positive decimal integer no larger than `MAX_ID`, handed to the view as an
    `int`."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)  # Django treats it as "this route does not match".
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, ID_CONVERTER)


class Router(SimpleRouter):
    """DRF's router with path converters: ids by default, another converter when the viewset
    names one."""

    def __init__(self) -> None:
        super().__init__(use_regex_path=False)

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        field = getattr(viewset, "lookup_field", "pk")
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or field
        converter = getattr(viewset, "lookup_value_converter", ID_CONVERTER)
        return f"<{converter}:{lookup_prefix}{kwarg}>"
