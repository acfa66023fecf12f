"""The edges a newcomer hits first: slashless URLs, the API root, CORS, the throttle cache."""

import importlib.util
import os
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

SETTINGS = Path(__file__).resolve().parents[2] / "shop" / "settings.py"

debug_on_and_off = pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])


# --- a missing trailing slash -----------------------------------------------------------------


@debug_on_and_off
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
def test_a_slashless_url_is_a_308_to_the_slashed_one_for_every_method(debug, method):
    with override_settings(DEBUG=debug):
        response = getattr(Client(), method)("/api/v1/orders", content_type="application/json")

    assert response.status_code == 308
    assert response["Location"] == "/api/v1/orders/"
    assert response.json()["location"] == "/api/v1/orders/"
    assert response.json()["code"] == "trailing_slash"


@debug_on_and_off
def test_the_308_keeps_the_query_string(debug):
    with override_settings(DEBUG=debug):
        response = Client().post("/api/v1/products?page=2&search=tea", {}, "application/json")

    assert response.status_code == 308
    assert response["Location"] == "/api/v1/products/?page=2&search=tea"


@debug_on_and_off
def test_a_post_through_the_308_places_the_order_it_was_sent_to_place(debug, customer_client):
    with override_settings(DEBUG=debug):
        response = customer_client.post("/api/v1/orders", {"items": []}, follow=True)

    assert response.redirect_chain == [("/api/v1/orders/", 308)]
    assert response.status_code == 400
    assert "items" in response.json()


@debug_on_and_off
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_slashless_api_url_that_does_not_exist_either_way_is_a_json_404(debug, method):
    with override_settings(DEBUG=debug):
        response = getattr(Client(), method)("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_slashless_admin_url_is_redirected_too():
    response = Client().get("/admin")

    assert response.status_code == 308
    assert response["Location"] == "/admin/"


# --- the API root -----------------------------------------------------------------------------

RESOURCES = {
    "auth": "/api/v1/auth/token/",
    "products": "/api/v1/products/",
    "categories": "/api/v1/categories/",
    "orders": "/api/v1/orders/",
    "payments": "/api/v1/payments/",
    "health": "/api/v1/health/",
    "schema": "/api/v1/schema/",
    "docs": "/api/v1/docs/",
}


def test_the_api_root_links_every_resource_by_its_absolute_url(anon_client):
    response = anon_client.get("/api/v1/")

    assert response.status_code == 200
    assert response.json() == {name: f"http://testserver{path}" for name, path in RESOURCES.items()}


def test_every_link_of_the_api_root_answers(anon_client, customer_client):
    links = anon_client.get("/api/v1/").json()

    for name, url in links.items():
        client = customer_client if name in {"orders", "payments"} else anon_client
        # Signing in is a POST: a GET of that link is a 405, not a 404.
        assert client.get(url).status_code == (405 if name == "auth" else 200), name


def test_the_api_root_ignores_a_bad_token(anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert anon_client.get("/api/v1/").status_code == 200


def test_the_browsable_api_renders_the_root(anon_client):
    response = anon_client.get("/api/v1/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "/api/v1/products/" in response.content.decode()


def test_the_schema_documents_the_api_root(anon_client):
    schema = anon_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    operation = schema.json()["paths"]["/api/v1/"]["get"]
    assert "200" in operation["responses"]


# --- CORS -------------------------------------------------------------------------------------

STOREFRONT = "https://store.example.com"


def preflight(path: str = "/api/v1/orders/", *, origin: str = STOREFRONT):
    return Client().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, idempotency-key",
    )


@override_settings(CORS_ALLOWED_ORIGINS=[STOREFRONT])
def test_a_preflight_from_an_allowed_origin_may_send_the_apis_headers():
    response = preflight()

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == STOREFRONT
    allowed = {header.strip() for header in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response


@override_settings(CORS_ALLOWED_ORIGINS=[STOREFRONT])
def test_an_allowed_origin_can_read_the_headers_a_storefront_needs():
    response = Client().get("/api/v1/products/", HTTP_ORIGIN=STOREFRONT)

    assert response["Access-Control-Allow-Origin"] == STOREFRONT
    exposed = {header.strip() for header in response["Access-Control-Expose-Headers"].split(",")}
    assert exposed == {"Retry-After", "Idempotent-Replayed"}


@override_settings(CORS_ALLOWED_ORIGINS=[STOREFRONT])
def test_another_origin_gets_no_cors_headers():
    response = preflight(origin="https://evil.example.com")

    assert not [header for header in response.headers if header.startswith("Access-Control-")]


@override_settings(CORS_ALLOWED_ORIGINS=[STOREFRONT])
def test_cors_covers_the_api_only():
    response = preflight("/admin/login/")

    assert "Access-Control-Allow-Origin" not in response


def test_no_origin_is_allowed_by_default():
    response = preflight()

    assert "Access-Control-Allow-Origin" not in response


# --- production settings read from the environment --------------------------------------------


def production_settings(**environment: str) -> ModuleType:
    """A fresh copy of `shop.settings` as it reads this environment (nothing else of ours)."""
    ours = {"REDIS_URL", "CORS_ALLOWED_ORIGINS", "DEBUG"}
    clean = {key: value for key, value in os.environ.items() if key not in ours}
    clean.update(SECRET_KEY="a-long-and-random-production-secret-key-9f8e7d6c5b4a3f2e1d0c9b8a7")
    with mock.patch.dict(os.environ, {**clean, **environment}, clear=True):
        spec = importlib.util.spec_from_file_location("settings_under_test", SETTINGS)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def test_without_redis_the_throttle_counts_live_in_the_instances_own_database():
    throttle = production_settings().CACHES["throttle"]

    assert throttle["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert throttle["LOCATION"] == "kernel_cache"


def test_with_redis_the_throttle_counts_live_in_redis():
    throttle = production_settings(REDIS_URL="redis://cache:6379/0").CACHES["throttle"]

    assert throttle["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert throttle["LOCATION"] == "redis://cache:6379/0"


def test_migrate_creates_the_throttle_cache_table_and_it_holds_counts(settings):
    settings.CACHES = {
        **settings.CACHES,
        "throttle": production_settings().CACHES["throttle"],
    }
    caches["throttle"].set("throttle_auth_token_198.51.100.7", [1.0, 2.0], 60)

    assert "kernel_cache" in connection.introspection.table_names()
    assert caches["throttle"].get("throttle_auth_token_198.51.100.7") == [1.0, 2.0]


def test_cors_allows_no_origin_unless_the_environment_lists_some():
    assert production_settings().CORS_ALLOWED_ORIGINS == []
    listed = production_settings(CORS_ALLOWED_ORIGINS="https://a.example, https://b.example")
    assert listed.CORS_ALLOWED_ORIGINS == ["https://a.example", "https://b.example"]
