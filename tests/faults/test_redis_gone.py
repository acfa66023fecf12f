"""Redis goes away (killed, or frozen with its port still open) under a running server.

A real server (gunicorn, production settings, `DEBUG` off, `REDIS_URL`) runs on a demo shop
(`seed_demo`) in a SQLite database of its own and a private redis-server. The catalog's cached
reads fall back to the database and stay right; the throttled operations (sign-in,
registration, order placement) cannot count, so they fail closed with the database outage's
JSON 503 and `Retry-After`; health says `"cache": "unavailable"` with 200. No request waits more
than a moment for the dead cache, and once Redis is back the same server process recovers.
"""

import json

import pytest

from tests.servers import Server, manage

UNAVAILABLE = {
    "detail": "The service is temporarily unavailable; try again shortly.",
    "code": "service_unavailable",
}
CUSTOMER = {"email": "customer@example.com", "password": "demo-customer-password"}
CATALOG_MANAGER = {"email": "catalog@example.com", "password": "demo-catalog-password"}
MOMENT = 2.0  # seconds: the settings give up on Redis after 0.25 s (connect) or 0.5 s (read)


@pytest.fixture
def server(redis, tmp_path, collected_static):
    database = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    manage(database, "migrate", "--noinput", "-v", "0", REDIS_URL=redis.url)
    manage(database, "seed_demo", "--with-users", REDIS_URL=redis.url)
    server = Server(database, tmp_path, static_root=collected_static, REDIS_URL=redis.url)
    yield server
    server.stop()


def _sign_in(server: Server, credentials: dict) -> str:
    status, _, text = server.request("POST", "/api/v1/auth/token/", credentials)
    assert status == 200, text
    return json.loads(text)["access"]


def _get(server: Server, path: str) -> dict:
    status, _, text, seconds = server.timed_request("GET", path)
    assert (path, status) == (path, 200), text
    assert seconds < MOMENT
    return json.loads(text)


def _throttled_requests(customer: str) -> list[tuple[str, dict, str]]:
    return [
        ("/api/v1/auth/token/", CUSTOMER, ""),
        ("/api/v1/auth/register/", {"email": "new@example.com", "password": "a-l0ng-secret!"}, ""),
        ("/api/v1/orders/", {"items": [{"product_id": 1, "quantity": 1}]}, customer),
    ]


def _assert_cache_is_down_but_reads_work(server, *, products, product, customer) -> None:
    status, _, text, seconds = server.timed_request("GET", "/api/v1/health/")
    assert (status, json.loads(text)) == (
        200,
        {"status": "degraded", "database": "ok", "cache": "unavailable"},
    )
    assert seconds < MOMENT
    assert _get(server, "/api/v1/products/") == products
    assert _get(server, f"/api/v1/products/{product['id']}/") == product
    for path, body, token in _throttled_requests(customer):
        status, headers, text, seconds = server.timed_request("POST", path, body, token)

        assert (path, status) == (path, 503)
        assert headers["Content-Type"] == "application/json"
        assert json.loads(text) == UNAVAILABLE
        assert int(headers["Retry-After"]) > 0
        assert seconds < MOMENT


def _assert_everything_works(server, *, products, customer) -> None:
    status, _, text = server.request("GET", "/api/v1/health/")
    assert (status, json.loads(text)) == (200, {"status": "ok", "database": "ok", "cache": "ok"})
    assert _get(server, "/api/v1/products/") == products
    _sign_in(server, CUSTOMER)
    status, _, text = server.request(
        "POST", "/api/v1/orders/", {"items": [{"product_id": 1, "quantity": 1}]}, customer
    )
    assert status == 201, text


def test_with_redis_killed_reads_use_the_database_throttles_are_503_and_all_recovers(server, redis):
    customer = _sign_in(server, CUSTOMER)
    staff = _sign_in(server, CATALOG_MANAGER)
    products = _get(server, "/api/v1/products/")
    product = _get(server, f"/api/v1/products/{products['results'][0]['id']}/")

    redis.stop()

    _assert_cache_is_down_but_reads_work(
        server, products=products, product=product, customer=customer
    )
    # A write while the cache is away is seen at once: the reads come from the database.
    status, _, text = server.request(
        "POST", "/api/v1/products/", {"sku": "NEW-1", "name": "New", "price": "1.00"}, staff
    )
    assert status == 201, text
    created = json.loads(text)
    assert _get(server, f"/api/v1/products/{created['id']}/") == created
    before, products = products, _get(server, "/api/v1/products/")
    assert products["count"] == before["count"] + 1
    assert server.process.poll() is None

    redis.start()

    _assert_everything_works(server, products=products, customer=customer)


def test_with_redis_frozen_no_request_waits_for_it_and_all_recovers(server, redis):
    customer = _sign_in(server, CUSTOMER)
    products = _get(server, "/api/v1/products/")
    product = _get(server, f"/api/v1/products/{products['results'][0]['id']}/")

    redis.freeze()

    _assert_cache_is_down_but_reads_work(
        server, products=products, product=product, customer=customer
    )
    assert server.process.poll() is None

    redis.thaw()

    _assert_everything_works(server, products=products, customer=customer)
