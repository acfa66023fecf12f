"""The one public API: every app's routes under /api/v1/, plus schema, docs, admin."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from kernel.api.serializers import QuerySerializer
from kernel.api.views import QueryParametersMixin
from shop.health import HealthView
from shop.root import ApiRootView


class JSONErrorsMixin:
    """Errors of a view whose pages are YAML or HTML are JSON, like every error under /api/."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.exception:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


class SchemaQuerySerializer(QuerySerializer):
    """drf-spectacular's own parameter: the language of the document (Swagger UI passes it on)."""

    lang = serializers.ChoiceField(choices=[code for code, _ in settings.LANGUAGES], required=False)


class SchemaView(JSONErrorsMixin, QueryParametersMixin, SpectacularAPIView):
    """The OpenAPI 3 document of the API: YAML, or JSON with `?format=json`."""

    query_serializer_class = SchemaQuerySerializer


class DocsQuerySerializer(SchemaQuerySerializer):
    """The page's own parameter: `?script` asks for its start-up script instead of the page."""

    script = serializers.CharField(required=False, allow_blank=True, max_length=0)


class DocsView(JSONErrorsMixin, QueryParametersMixin, SpectacularSwaggerSplitView):
    """Swagger UI over the document, served from the shop itself.

    Its start-up script is served from this same URL (`?script`) rather than inlined, and its
    page style from a static file, so that the page runs under the strict
    Content-Security-Policy of `kernel.csp`.
    """

    template_name = "shop/swagger_ui.html"
    query_serializer_class = DocsQuerySerializer

    # An HTML page has no OPTIONS description: its template renderer failed with a 500.
    metadata_class = None


api_v1 = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("health/", HealthView.as_view(), name="health"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="schema"), name="docs"),
    path("auth/", include("accounts.urls")),
    path("", include("catalog.urls")),
    path("", include("orders.urls")),
    path("", include("payments.urls")),
    path("", include("checkout.urls")),
    path("", include("kernel.webhooks.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api-auth/", include("accounts.login_urls")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG and settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    # `make run`: runserver serves the uploaded files (product images) itself; in production
    # nginx does (`manage.py serve`), or the S3 store.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse(
            {"detail": "A server error occurred.", "code": "server_error"}, status=500
        )
    return defaults.server_error(request)


handler400 = bad_request
handler404 = page_not_found
handler500 = server_error
