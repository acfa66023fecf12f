"""API4:2023 Unrestricted Resource Consumption.

Pages hold at most 100 objects on every list; a body over `DATA_UPLOAD_MAX_MEMORY_SIZE` is a
JSON 413 and one nested too deeply to parse a JSON 400, on every operation that reads a JSON
body; too many query parameters or too long a search is a JSON 400. None of them changes
anything. (The cap on units per order and the order placement throttle are held by
tests/orders/test_api.py; see docs/RELIABILITY.md.)
"""

import pytest

from catalog import services as catalog_services
from payments import services as payment_services
from tests.factories import make_category, make_order, make_product
from tests.security.conftest import Shop

pytestmark = pytest.mark.django_db

MAX_PAGE_SIZE = 100
ANY_CART = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def json_operations(anon_client) -> list[tuple[str, str]]:
    """(method, path template) of every operation whose document says it reads a JSON body."""
    schema = anon_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    operations = [
        (method, path)
        for path, methods in schema.json()["paths"].items()
        for method, operation in methods.items()
        if "413" in operation["responses"]
        # The image upload reads a multipart form, not JSON (tests/catalog/test_images.py).
        and "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(operations) >= 15
    return operations


def _url(path: str, shop: Shop) -> str:
    if "/orders/" in path:
        object_id = shop.orders["paid"]
    elif "/payments/" in path:
        object_id = shop.payments["succeeded"]
    elif "/webhooks/" in path:
        object_id = shop.webhook
    elif path.startswith("/api/v1/carts/"):
        # Any cart: its body is refused before the cart is looked up.
        object_id = ANY_CART
    else:
        object_id = shop.products[0]
    [variant_id, *_] = catalog_services.get_products(ids=[shop.products[0]])[
        shop.products[0]
    ].variant_ids
    # A product's image, a cart's line, a shipping method, a tax rate: any key (the body is
    # refused before it is looked up).
    return path.format(
        id=object_id,
        slug=shop.category.slug,
        image_id=object_id,
        variant_id=variant_id,
        code="standard",
        country="DE",
        line_id=shop.products[0],
    )


def _send(client, method: str, url: str, body: str):
    return client.generic(method.upper(), url, body, content_type="application/json")


def test_a_body_over_the_limit_is_a_json_413_everywhere_and_changes_nothing(
    staff_client, shop, json_operations, settings, unchanged
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"name": "' + "x" * 2048 + '"}'

    for method, path in json_operations:
        response = _send(staff_client, method, _url(path, shop), body)

        assert (method, path, response.status_code) == (method, path, 413)
        assert response.json()["code"] == "request_too_large"


def test_a_body_nested_too_deeply_is_a_json_400_everywhere_and_changes_nothing(
    staff_client, shop, json_operations, unchanged
):
    body = "[" * 100_000 + "]" * 100_000

    for method, path in json_operations:
        response = _send(staff_client, method, _url(path, shop), body)

        assert (method, path, response.status_code) == (method, path, 400)
        assert response.json()["code"] == "parse_error"


def test_the_webhook_refuses_a_body_over_the_limit_with_its_own_400(
    anon_client, shop, settings, unchanged
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = _send(anon_client, "post", "/api/v1/payments/webhooks/sandbox/", "x" * 2048)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_webhook"


@pytest.fixture
def more_than_a_page(customer, resource) -> int:
    """More than a page of the `resource` under test, all the customer's, made through the
    services (only that resource: a hundred orders take a moment to place and pay)."""
    count = MAX_PAGE_SIZE + 5
    if resource == "categories":
        for _ in range(count):
            make_category()
    elif resource == "products":
        for _ in range(count):
            make_product(price="1.00", stock=1)
    else:
        product = make_product(price="1.00", stock=count)
        for _ in range(count):
            order_id = make_order(customer, items=[(product, 1)])
            if resource == "payments":
                payment_services.pay_order(
                    order_id=order_id, customer_id=customer.pk, token="tok_chargeDeclined"
                )
    return count


@pytest.mark.parametrize("page_size", ["101", "1000", str(2**63)])
@pytest.mark.parametrize("resource", ["products", "categories", "orders", "payments"])
def test_no_page_holds_more_than_100_objects(
    customer_client, more_than_a_page, resource, page_size
):
    response = customer_client.get(f"/api/v1/{resource}/", {"page_size": page_size})

    assert response.status_code == 200
    assert response.json()["count"] == more_than_a_page
    assert len(response.json()["results"]) == MAX_PAGE_SIZE


@pytest.mark.parametrize("page_size", ["0", "-1", "abc", "1.5"])
@pytest.mark.parametrize(
    "resource", ["products", "categories", "orders", "payments", "auth/addresses"]
)
def test_a_malformed_page_size_is_400(customer_client, resource, page_size):
    response = customer_client.get(f"/api/v1/{resource}/", {"page_size": page_size})

    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


@pytest.mark.parametrize(
    "url", ["/api/v1/products/", "/api/v1/orders/", "/api/v1/auth/me/", "/api/v1/health/"]
)
def test_too_many_query_parameters_is_a_json_400(customer_client, url):
    query = "&".join(f"p{n}=1" for n in range(1001))

    response = customer_client.get(f"{url}?{query}")

    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request.", "code": "bad_request"}


def test_a_search_longer_than_a_product_name_is_400(anon_client, db):
    response = anon_client.get("/api/v1/products/", {"search": "x" * 100_000})

    assert response.status_code == 400
    assert list(response.json()) == ["search"]
