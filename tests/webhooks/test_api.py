"""Staff manage webhook endpoints through the API: who may, what is shown (the secret once),
what is refused (a bad body 400, an address inside the shop's network `webhook_url_forbidden`)."""

import pytest

from kernel import consumers
from kernel.webhooks import selectors, services
from kernel.webhooks.consumer import CONSUMER_NAME
from tests.conftest import client_for
from tests.webhooks.conftest import make_event

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.216.34/hooks"
BODY = {"url": PUBLIC_URL, "events": ["order.paid", "payment.refunded"]}


@pytest.fixture
def endpoint():
    return services.create_endpoint(url=PUBLIC_URL, event_types=["*"])


def test_staff_create_an_endpoint_and_see_its_generated_secret_only_in_that_response(
    integrations_client,
):
    created = integrations_client.post("/api/v1/webhooks/", BODY, format="json")
    endpoint_id = created.json()["id"]
    fetched = integrations_client.get(f"/api/v1/webhooks/{endpoint_id}/")
    listed = integrations_client.get("/api/v1/webhooks/")
    changed = integrations_client.patch(
        f"/api/v1/webhooks/{endpoint_id}/", {"is_active": False}, format="json"
    )

    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert len(body["secret"]) > 30
    assert {key: body[key] for key in ("url", "events", "is_active")} == {
        "url": PUBLIC_URL,
        "events": ["order.paid", "payment.refunded"],
        "is_active": True,
    }
    assert "secret" not in fetched.json()
    assert "secret" not in listed.json()["results"][0]
    assert "secret" not in changed.json()
    assert fetched.json() == {key: value for key, value in body.items() if key != "secret"}


def test_a_secret_given_at_creation_is_the_one_kept(integrations_client):
    response = integrations_client.post(
        "/api/v1/webhooks/", {**BODY, "secret": "whsec_mine_0123456789"}, format="json"
    )

    assert response.json()["secret"] == "whsec_mine_0123456789"


def test_staff_change_and_delete_an_endpoint(integrations_client, endpoint):
    changed = integrations_client.patch(
        f"/api/v1/webhooks/{endpoint.pk}/",
        {"events": ["product.created"], "is_active": False},
        format="json",
    )
    deleted = integrations_client.delete(f"/api/v1/webhooks/{endpoint.pk}/")
    gone = integrations_client.get(f"/api/v1/webhooks/{endpoint.pk}/")

    assert changed.status_code == 200
    assert (changed.json()["events"], changed.json()["is_active"]) == (["product.created"], False)
    assert deleted.status_code == 204
    assert gone.status_code == 404


def test_the_list_is_newest_first_and_paginated(integrations_client):
    ids = [services.create_endpoint(url=PUBLIC_URL, event_types=["*"]).pk for _ in range(3)]

    page = integrations_client.get("/api/v1/webhooks/", {"page_size": 2}).json()

    assert page["count"] == 3
    assert [row["id"] for row in page["results"]] == ids[::-1][:2]
    assert page["next"] is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/webhooks/"),
        ("post", "/api/v1/webhooks/"),
        ("get", "/api/v1/webhooks/{id}/"),
        ("patch", "/api/v1/webhooks/{id}/"),
        ("delete", "/api/v1/webhooks/{id}/"),
        ("get", "/api/v1/webhooks/{id}/deliveries/"),
    ],
)
@pytest.mark.parametrize(
    ("caller", "status", "code"),
    [
        ("customer", 403, "permission_denied"),
        ("staff_without_group", 403, "permission_denied"),
        ("catalog_manager", 403, "permission_denied"),
        (None, 401, "not_authenticated"),
    ],
)
def test_only_staff_with_the_webhook_permissions_may_call_the_api(
    request, anon_client, endpoint, method, path, caller, status, code
):
    client = anon_client if caller is None else client_for(request.getfixturevalue(caller))
    body = BODY if method in ("post", "patch") else None

    response = getattr(client, method)(path.format(id=endpoint.pk), body, format="json")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert selectors.endpoints().count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://93.184.216.34/hooks", "events": ["*"]}, "url"),
        ({"url": "not a url", "events": ["*"]}, "url"),
        ({"url": "file:///etc/passwd", "events": ["*"]}, "url"),
        ({"url": PUBLIC_URL, "events": ["order.exploded"]}, "events"),
        ({"url": PUBLIC_URL, "events": []}, "events"),
        ({"url": PUBLIC_URL, "events": "order.paid"}, "events"),
        ({"url": PUBLIC_URL}, "events"),
        ({"url": PUBLIC_URL, "events": ["*"], "is_active": "yes"}, "is_active"),
        ({"url": PUBLIC_URL, "events": ["*"], "secret": "short"}, "secret"),
        ({"url": PUBLIC_URL, "events": ["*"], "id": 5}, "id"),
    ],
)
def test_a_malformed_endpoint_is_400_naming_its_field(integrations_client, body, field):
    response = integrations_client.post("/api/v1/webhooks/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert selectors.endpoints().count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://10.1.2.3/hooks",
        "http://192.168.0.10/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8000/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://0.0.0.0/hooks",
        "http://localhost:8000/hooks",
    ],
)
def test_a_url_inside_the_shops_network_is_refused(integrations_client, endpoint, url):
    created = integrations_client.post("/api/v1/webhooks/", {**BODY, "url": url}, format="json")
    changed = integrations_client.patch(
        f"/api/v1/webhooks/{endpoint.pk}/", {"url": url}, format="json"
    )

    assert (created.status_code, created.json()["code"]) == (400, "webhook_url_forbidden")
    assert (changed.status_code, changed.json()["code"]) == (400, "webhook_url_forbidden")
    assert selectors.endpoints().get().url == PUBLIC_URL


def test_a_host_that_does_not_resolve_is_refused(integrations_client):
    response = integrations_client.post(
        "/api/v1/webhooks/", {**BODY, "url": "https://no-such-host.invalid/hooks"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "webhook_url_unresolvable")


@pytest.mark.usefixtures("private_urls_allowed")
@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hooks", "http://localhost:8000/hooks"])
def test_the_setting_allows_private_urls(integrations_client, url):
    response = integrations_client.post("/api/v1/webhooks/", {**BODY, "url": url}, format="json")

    assert response.status_code == 201


def test_the_delivery_log_is_newest_first_and_shows_the_contracts_fields(
    integrations_client, endpoint
):
    for number in (1, 2, 3):
        consumers.consume(consumer=CONSUMER_NAME, event=make_event(number))

    response = integrations_client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/")

    rows = response.json()["results"]
    assert [row["event_id"] for row in rows] == [make_event(n).id for n in (3, 2, 1)]
    assert set(rows[0]) == {
        "id",
        "event_id",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    }
    assert (rows[0]["event_type"], rows[0]["status"], rows[0]["attempts"]) == (
        "order.paid",
        "pending",
        0,
    )


def _endpoints_with_deliveries(count: int) -> int:
    endpoint = None
    for _ in range(count):
        endpoint = services.create_endpoint(url=PUBLIC_URL, event_types=["*"])
    for number in range(count):
        consumers.consume(consumer=CONSUMER_NAME, event=make_event(100 + number))
    return endpoint.pk


@pytest.mark.parametrize("rows", [1, 6])
def test_the_endpoint_list_reads_a_fixed_number_of_queries(
    integrations_client, django_assert_num_queries, rows
):
    _endpoints_with_deliveries(rows)

    # The user, their permissions (two), the count and the page.
    with django_assert_num_queries(5):
        response = integrations_client.get("/api/v1/webhooks/")

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 6])
def test_the_delivery_log_reads_a_fixed_number_of_queries(
    integrations_client, django_assert_num_queries, rows
):
    endpoint_id = _endpoints_with_deliveries(rows)

    # The user, their permissions (two), the endpoint, the count and the page.
    with django_assert_num_queries(6):
        response = integrations_client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries/")

    assert len(response.json()["results"]) == rows
