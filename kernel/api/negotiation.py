"""Content negotiation whose unknown `?format=` is a 400 naming the formats there are.

DRF answers a `format` that no renderer of the view has with a 404, as if the resource did
not exist; the resource is there, and the request is what is wrong.
"""

from rest_framework import exceptions, negotiation


class UnsupportedFormat(exceptions.APIException):
    status_code = 400
    default_code = "unsupported_format"

    def __init__(self, requested: str, available: list[str]) -> None:
        super().__init__(
            f"Unknown format {requested!r}: use one of {', '.join(available)}.",
            self.default_code,
        )


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            available = list(dict.fromkeys(renderer.format for renderer in renderers))
            raise UnsupportedFormat(format, available)
        return matching
