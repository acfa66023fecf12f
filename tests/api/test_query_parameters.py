"""Every read of the API refuses a query parameter it does not read, and a `format` it does
not render, with a JSON 400 naming it; the parameters it does read keep working.

The reads are found by walking the URL resolver, so a new route cannot be left out.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from orders.models import OrderStatus

pytestmark = pytest.mark.django_db

API = "api/v1/"
UNKNOWN = {"utm_source": ["Unknown query parameter."]}
REPEATED = ["Give this parameter once."]
PATH_VALUES = {
    "id": "1",
    "slug": "no-such-category",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _answers_get(callback) -> bool:
    actions = getattr(callback, "actions", None)
    if actions is not None:
        return "get" in actions
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return view_class is not None and hasattr(view_class, "get")


def _concrete(route: str) -> str:
    return "/" + re.sub(
        r"<(?:(\w+):)?(\w+)>", lambda match: PATH_VALUES[match.group(1) or "id"], route
    )


READS = sorted(
    _concrete(route)
    for route, callback in _routes(get_resolver().url_patterns)
    if route.startswith(API) and _answers_get(callback)
)
LISTS = [
    "/api/v1/products/",
    "/api/v1/categories/",
    "/api/v1/orders/",
    "/api/v1/payments/",
    "/api/v1/auth/addresses/",
]


def test_the_walk_finds_every_kind_of_read():
    assert set(LISTS) <= set(READS)
    assert {
        "/api/v1/",
        "/api/v1/health/",
        "/api/v1/schema/",
        "/api/v1/docs/",
        "/api/v1/auth/me/",
        "/api/v1/auth/addresses/1/",
        "/api/v1/products/1/",
        "/api/v1/categories/no-such-category/",
        "/api/v1/orders/1/",
        "/api/v1/payments/1/",
    } <= set(READS)


@pytest.mark.parametrize("path", READS)
def test_every_read_refuses_an_unknown_query_parameter(staff_client, path):
    response = staff_client.get(path, {"utm_source": "x"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == UNKNOWN


@pytest.mark.parametrize("path", READS)
def test_every_read_names_every_unknown_parameter_at_once(staff_client, path):
    response = staff_client.get(f"{path}?b=1&a=2")

    assert response.status_code == 400
    assert response.json() == {"a": ["Unknown query parameter."], "b": ["Unknown query parameter."]}


@pytest.mark.parametrize("path", LISTS)
def test_a_list_refuses_a_parameter_given_twice(staff_client, path):
    response = staff_client.get(f"{path}?page=1&page=2")

    assert response.status_code == 400
    assert response.json() == {"page": REPEATED}


@pytest.mark.parametrize("path", LISTS)
def test_a_list_reports_a_malformed_value_with_an_unknown_parameter(staff_client, path):
    response = staff_client.get(path, {"page": "abc", "pgae": "2"})

    assert response.status_code == 400
    assert set(response.json()) == {"page", "pgae"}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/products/", {"page": "1", "page_size": "5", "format": "json"}),
        (
            "/api/v1/products/",
            {
                "search": "mug",
                "min_price": "1",
                "max_price": "100",
                "in_stock": "true",
                "ordering": "-price",
            },
        ),
        # What the browsable API's filter form sends: every field, the unused ones blank.
        (
            "/api/v1/products/",
            {
                "search": "",
                "category": "",
                "min_price": "",
                "max_price": "",
                "in_stock": "",
                "ordering": "",
            },
        ),
        ("/api/v1/categories/", {"page_size": "100"}),
        ("/api/v1/orders/", {"status": OrderStatus.PAID, "page": "1"}),
        ("/api/v1/orders/", {"status": ""}),
        ("/api/v1/payments/", {"order": "1", "page_size": "3"}),
        ("/api/v1/auth/addresses/", {"page": "1", "page_size": "5"}),
        ("/api/v1/", {"format": "json"}),
        ("/api/v1/health/", {"format": "api"}),
        ("/api/v1/schema/", {"format": "json", "lang": "en"}),
        ("/api/v1/docs/", {"lang": "en"}),
    ],
)
def test_the_parameters_a_read_knows_still_work(staff_client, path, params):
    assert staff_client.get(path, params).status_code == 200


def test_a_detail_takes_no_list_filter(anon_client, make_product):
    product = make_product()

    response = anon_client.get(f"/api/v1/products/{product.pk}/", {"in_stock": "false"})

    assert response.status_code == 400
    assert response.json() == {"in_stock": ["Unknown query parameter."]}


def test_a_write_ignores_the_query_string_of_the_page_it_was_posted_from(staff_client):
    """The browsable API's forms post to the page's own URL, `?page=2` and all."""
    response = staff_client.post(
        "/api/v1/categories/?page=2&format=json", {"name": "Mugs", "slug": "mugs"}
    )

    assert response.status_code == 201


def test_an_anonymous_caller_of_a_private_read_still_gets_401_first(anon_client):
    response = anon_client.get("/api/v1/orders/", {"utm_source": "x"})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("path", "formats"),
    [
        ("/api/v1/products/", "json, api"),
        ("/api/v1/products/1/", "json, api"),
        ("/api/v1/orders/", "json, api"),
        ("/api/v1/", "json, api"),
        ("/api/v1/health/", "json, api"),
        ("/api/v1/schema/", "yaml, json"),
        ("/api/v1/docs/", "html"),
    ],
)
def test_an_unknown_format_is_a_400_naming_the_formats_there_are(staff_client, path, formats):
    response = staff_client.get(path, {"format": "xyz"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": f"Unknown format 'xyz': use one of {formats}.",
        "code": "unsupported_format",
    }


@pytest.mark.parametrize(
    ("path", "params", "content_type"),
    [
        ("/api/v1/products/", {"format": "json"}, "application/json"),
        ("/api/v1/products/", {"format": "api"}, "text/html"),
        ("/api/v1/categories/", {"format": "api", "page": "1"}, "text/html"),
        ("/api/v1/schema/", {"format": "json"}, "application/vnd.oai.openapi+json"),
        ("/api/v1/schema/", {"format": "yaml"}, "application/vnd.oai.openapi"),
    ],
)
def test_the_formats_there_are_still_work(anon_client, path, params, content_type):
    response = anon_client.get(path, params)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)


def test_every_read_documents_its_400(anon_client):
    schema = anon_client.get("/api/v1/schema/", {"format": "json"}).json()

    reads = {
        path: operations["get"]
        for path, operations in schema["paths"].items()
        if "get" in operations
    }
    assert len(reads) >= 9
    for operation in reads.values():
        body = operation["responses"]["400"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/ErrorOrValidationError"}
