"""The edges a newcomer hits first: slashless URLs, the API root, CORS, the throttle cache."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

debug_on_and_off = pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])


# --- a missing trailing slash -----------------------------------------------------------------


@debug_on_and_off
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
def test_a_slashless_url_is_a_308_to_the_slashed_one_for_every_method(debug, method):
    with override_settings(DEBUG=debug):
        response = getattr(Client(), method)("/api/v1/orders", content_type="application/json")

    assert response.status_code == 308
    assert response["Location"] == "/api/v1/orders/"


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
