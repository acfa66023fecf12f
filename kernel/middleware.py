"""Django's CommonMiddleware, except that a missing trailing slash never turns a POST into a GET.

Django answers a slashless URL with a 301 (which clients follow with a GET, dropping the body)
or, with DEBUG, a RuntimeError for a POST. Here every method gets a 308 Permanent Redirect to
the slashed path, query string kept: clients repeat the same method with the same body. Under
/api/ the answer is JSON, like every other answer there: the 308 names the slashed URL in its
body too, and a slashless path that does not resolve with a slash either is a JSON 404, DEBUG
or not.
"""

from django.http import JsonResponse
from django.http.response import HttpResponseRedirectBase
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.urls import is_valid_path
from django.utils.http import escape_leading_slashes

API_PREFIX = "/api/"


class HttpResponsePermanentRedirectSameMethod(HttpResponseRedirectBase):
    status_code = 308


class JsonPermanentRedirectSameMethod(JsonResponse):
    """A 308 with a JSON body saying where to go, for clients that do not follow redirects."""

    status_code = 308

    def __init__(self, location: str) -> None:
        super().__init__(
            {
                "detail": f"Paths end with a slash: send the request to {location}.",
                "code": "trailing_slash",
                "location": location,
            }
        )
        self["Location"] = location

    url = property(lambda self: self["Location"])


class CommonMiddleware(DjangoCommonMiddleware):
    response_redirect_class = HttpResponsePermanentRedirectSameMethod

    def get_full_path_with_slash(self, request) -> str:
        # Django raises in DEBUG for a POST: a 308 keeps the method and the body, so it is safe.
        return escape_leading_slashes(request.get_full_path(force_append_slash=True))

    def process_response(self, request, response):
        if (
            response.status_code == 404
            and request.path.startswith(API_PREFIX)
            and not request.path_info.endswith("/")
            and not is_valid_path(request.path_info, getattr(request, "urlconf", None))
        ):
            return self._api_slash_response(request)
        return super().process_response(request, response)

    def _api_slash_response(self, request) -> JsonResponse:
        if not self.should_redirect_with_slash(request):
            return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
        return JsonPermanentRedirectSameMethod(self.get_full_path_with_slash(request))
