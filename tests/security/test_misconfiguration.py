"""API8:2023 Security Misconfiguration.

With `DEBUG` off an unexpected error is a bare 500 that shows no traceback, no exception and
no path; every error under /api/ is JSON in the contract's shape, whichever layer produced it;
the security headers are set and no cross-origin access is granted. (That `manage.py check
--deploy --fail-level WARNING` passes with the production settings is held by
tests/shop/test_operations.py.)
"""

import itertools

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from tests.security.conftest import Shop, routes

pytestmark = pytest.mark.django_db

SECRET = "a-detail-only-the-server-knows-7f3a"


@pytest.fixture
def broken_api(monkeypatch):
    """Every API view fails with an unexpected exception."""

    def fail(self, request, *args, **kwargs):
        raise RuntimeError(f"{SECRET} in /work/main/shop/secret.py")

    monkeypatch.setattr(APIView, "initial", fail)


def _shows_nothing_internal(text: str) -> bool:
    return not any(
        hint in text for hint in (SECRET, "Traceback", "RuntimeError", ".py", "/work/", "File ")
    )


@pytest.mark.usefixtures("broken_api")
@pytest.mark.parametrize("url", ["/api/v1/products/", "/api/v1/health/", "/api/v1/orders/"])
def test_a_server_error_under_the_api_is_json_without_a_traceback(settings, url):
    assert settings.DEBUG is False
    client = APIClient(raise_request_exception=False)

    response = client.get(url)

    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred.", "code": "server_error"}
    assert _shows_nothing_internal(response.content.decode())


def test_a_server_error_elsewhere_shows_no_traceback_either(monkeypatch, admin_client):
    def fail(*args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr("django.contrib.admin.sites.AdminSite.each_context", fail)
    admin_client.raise_request_exception = False

    response = admin_client.get("/admin/")

    assert response.status_code == 500
    assert _shows_nothing_internal(response.content.decode())


@pytest.fixture
def four_orders_a_minute(monkeypatch):
    """`_errors` posts to /orders/ five times: the fifth is throttled."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"order_placement": "4/min"})


def _errors(shop, customer_client, staff_client, anon_client, settings):
    """(expected status, response) for one error of each kind the API can give."""
    order = f"/api/v1/orders/{shop.orders['pending']}/"
    yield 400, customer_client.generic("POST", "/api/v1/orders/", "{", "application/json")
    yield 401, anon_client.get("/api/v1/orders/")
    yield 401, APIClient(HTTP_AUTHORIZATION="Bearer not-a-token").get("/api/v1/products/")
    yield 403, customer_client.post("/api/v1/products/", {})
    yield 404, customer_client.get("/api/v1/no-such-thing/")
    yield 404, customer_client.get("/api/v1/orders/99999999/")
    yield 405, customer_client.delete(order)
    yield 406, customer_client.get(order, HTTP_ACCEPT="application/xml")
    yield 409, customer_client.post(f"/api/v1/orders/{shop.orders['delivered']}/cancel/")
    yield 415, customer_client.post("/api/v1/orders/", "items=1", content_type="text/plain")
    yield 400, staff_client.generic("GET", "/api/v1/products/?" + "&".join(["a=1"] * 1001))
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    yield 413, customer_client.post("/api/v1/orders/", {"items": [{"pad": "x" * 200}]})
    item = {"items": [{"product_id": shop.products[0], "quantity": 1}]}
    customer_client.post("/api/v1/orders/", item, format="json")
    yield 429, customer_client.post("/api/v1/orders/", item, format="json")


@pytest.mark.usefixtures("four_orders_a_minute")
def test_every_kind_of_error_under_the_api_is_json_with_a_detail_and_a_code(
    shop, customer_client, staff_client, anon_client, settings
):
    seen = []
    for expected, response in _errors(shop, customer_client, staff_client, anon_client, settings):
        seen.append(expected)
        assert response.status_code == expected, response.content
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert {"detail", "code"} <= set(body), (expected, body)

    assert sorted(set(seen)) == [400, 401, 403, 404, 405, 406, 409, 413, 415, 429]


@pytest.mark.parametrize(
    ("method", "url", "accept", "status"),
    [
        ("post", "/api/v1/docs/", "text/html", 405),
        ("options", "/api/v1/docs/", "text/html", 405),
        ("get", "/api/v1/docs/", "application/xml", 406),
        ("get", "/api/v1/docs/?format=json", "text/html", 400),
        ("delete", "/api/v1/schema/", "application/vnd.oai.openapi", 405),
        ("get", "/api/v1/schema/", "text/html", 406),
        ("get", "/api/v1/schema/?format=xml", "*/*", 400),
    ],
)
def test_the_document_and_its_page_give_json_errors_too(anon_client, method, url, accept, status):
    anon_client.raise_request_exception = False

    response = getattr(anon_client, method)(url, HTTP_ACCEPT=accept)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail", "code"}


METHODS = ("get", "head", "post", "put", "patch", "delete", "options")
# What the document and its page serve when they succeed; everything else under /api/ is JSON.
NOT_JSON_WHEN_SUCCESSFUL = {"/api/v1/schema/", "/api/v1/docs/"}


def _object_url(path: str, shop: Shop) -> str:
    if "/orders/" in path:
        return path.format(shop.orders["pending"])
    if "/payments/" in path:
        return path.format(shop.payments["succeeded"])
    if "/categories/" in path:
        return path.format(shop.category.slug)
    # A product's image too: any id (the product's) on a product's own route.
    return path.replace("{}", str(shop.products[0]))


def test_no_method_on_any_api_route_is_a_server_error_or_a_non_json_error(
    shop, anon_client, customer_client, staff_client
):
    urls = [_object_url(path, shop) for path, _ in routes() if path.startswith("/api/")]
    assert len(urls) >= 20

    for client in (anon_client, customer_client, staff_client):
        client.raise_request_exception = False
        for url, method in itertools.product(urls, METHODS):
            response = getattr(client, method)(url, format="json")

            assert response.status_code < 500, (method, url, response.content)
            page = url in NOT_JSON_WHEN_SUCCESSFUL and response.status_code < 400
            if response.content and not page:
                assert response["Content-Type"] == "application/json", (method, url)


def test_an_unknown_url_under_the_api_is_json_whatever_the_client_accepts(anon_client):
    response = anon_client.get("/api/v1/nothing/here/", HTTP_ACCEPT="text/html")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_request_for_another_host_is_a_json_400_under_the_api(anon_client):
    response = anon_client.get("/api/v1/products/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request.", "code": "bad_request"}


def test_responses_carry_the_security_headers(anon_client):
    response = anon_client.get("/api/v1/products/", secure=True)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_other_origin_is_granted_cross_origin_access(customer_client):
    response = customer_client.options(
        "/api/v1/orders/",
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )

    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Credentials" not in response
