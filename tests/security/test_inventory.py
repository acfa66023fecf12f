"""API9:2023 Improper Inventory Management.

What is mounted is what is documented: every route under /api/v1/ is an operation of the
OpenAPI document with the same methods, and every documented operation is routed. With
`DEBUG` off nothing else is mounted: no debug toolbar, no media serving, nothing outside the
API, its browsable-API login and the admin (static files are WhiteNoise's, not routes).
"""

import re

import pytest
from django.urls import get_resolver
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.views import APIView

from tests.security.conftest import routes

pytestmark = pytest.mark.django_db

MOUNTED = {"api/v1/", "api-auth/", "admin/"}
# The document itself and the page that shows it.
NOT_OPERATIONS = (SpectacularAPIView, SpectacularSwaggerView)
_PARAMETER = re.compile(r"\{[^}]+\}")


def _methods(callback) -> set[str]:
    """The methods the route serves, HEAD and OPTIONS aside (DRF answers those for any view)."""
    actions = getattr(callback, "actions", None)
    if actions is not None:
        methods = set(actions)
    else:
        view = callback.view_class
        methods = {method for method in view.http_method_names if hasattr(view, method)}
    return methods - {"head", "options"}


def _routed_api() -> set[tuple[str, str]]:
    operations = set()
    for path, callback in routes():
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if not path.startswith("/api/v1/") or issubclass(view, NOT_OPERATIONS):
            continue
        assert issubclass(view, APIView), path
        operations |= {(method, path) for method in _methods(callback)}
    return operations


def test_every_api_route_is_a_documented_operation_and_every_operation_is_routed(anon_client):
    schema = anon_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    documented = {
        (method, _PARAMETER.sub("{}", path))
        for path, operations in schema.json()["paths"].items()
        for method in operations
    }

    assert _routed_api() == documented
    assert len(documented) >= 30


def test_nothing_but_the_api_its_login_and_the_admin_is_mounted():
    top_level = {str(entry.pattern) for entry in get_resolver().url_patterns}

    assert top_level == MOUNTED


def test_no_debug_route_answers_with_debug_off(anon_client, settings):
    assert settings.DEBUG is False
    everything = " ".join(path for path, _ in routes())

    for hint in ("__debug__", "silk", "debug", "static/", "media/", "__reload__"):
        assert hint not in everything
    for url in ("/__debug__/", "/media/", "/api/v1/debug/", "/api/v1/__debug__/"):
        assert anon_client.get(url).status_code == 404


def test_the_document_lists_only_version_1_under_the_api(anon_client):
    schema = anon_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert all(path.startswith("/api/v1/") for path in schema.json()["paths"])
    assert anon_client.get("/api/v2/products/").status_code == 404
    assert anon_client.get("/api/products/").status_code == 404
