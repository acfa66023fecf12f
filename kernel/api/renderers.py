"""The browsable API, with a detail page's forms filled from the object it shows."""

from django.http import Http404
from rest_framework import renderers
from rest_framework.exceptions import APIException
from rest_framework.utils.serializer_helpers import ReturnDict


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API, whose PUT and PATCH forms start from the object being shown.

    DRF fills those forms from the serializer that built the response. The API's responses are
    built by one plain function per resource (`product_json`, `order_json`), with no serializer
    behind them, so the forms are filled from the object the view looks up instead: the same
    `get_object()` (and its permission checks) that a PUT or PATCH would use.

    Its page (`kernel/browsable_api.html`) logs out without an inline script, for the
    Content-Security-Policy of `kernel.csp`.
    """

    template = "kernel/browsable_api.html"

    def get_rendered_html_form(self, data, view, method, request):
        return super().get_rendered_html_form(
            self._with_instance(data, view, method), view, method, request
        )

    def get_raw_data_form(self, data, view, method, request):
        return super().get_raw_data_form(
            self._with_instance(data, view, method), view, method, request
        )

    @staticmethod
    def _with_instance(data, view, method):
        if method not in ("PUT", "PATCH") or getattr(data, "serializer", None) is not None:
            return data
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
        if not isinstance(data, dict) or lookup not in getattr(view, "kwargs", {}):
            return data
        try:
            instance = view.get_object()
        except (Http404, APIException):
            return data
        return ReturnDict(data, serializer=view.get_serializer(instance=instance))
