"""Every operation of the API, with a database that refuses every connection: a JSON 503 with
`Retry-After`, never a 500 (in-process, so it runs on SQLite as well as on PostgreSQL; the
real server with a real outage is tests/faults/test_database_gone.py)."""

import json
import re

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from rest_framework_simplejwt.tokens import RefreshToken

from payments.gateways.webhooks import SIGNATURE_HEADER, signature_header
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

UNAVAILABLE = {
    "detail": "The service is temporarily unavailable; try again shortly.",
    "code": "service_unavailable",
}
_PARAMETER = re.compile(r"\{[^}]+\}")
ANY_UUID = "00000000-0000-4000-8000-000000000000"


def _bodies(refresh: str) -> dict[tuple[str, str], dict]:
    """A body for each operation that would otherwise be refused before reaching the database."""
    return {
        ("post", "/api/v1/auth/register/"): {"email": "new@example.com", "password": PASSWORD},
        ("post", "/api/v1/auth/token/"): {"email": "a@example.com", "password": PASSWORD},
        ("post", "/api/v1/auth/token/refresh/"): {"refresh": refresh},
        ("post", "/api/v1/auth/token/verify/"): {"token": refresh},
        ("post", "/api/v1/auth/password/reset/"): {"email": "a@example.com"},
        ("post", "/api/v1/auth/password/reset/confirm/"): {
            "uid": "MQ",
            "token": "a-token",
            "new_password": PASSWORD,
        },
    }


@pytest.fixture
def operations(anon_client) -> list[tuple[str, str]]:
    """Every operation of the schema, each path parameter given a well-formed value (a UUID
    where the schema says so, else 1), so that the request reaches its view."""
    schema = anon_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    operations = []
    for path, methods in schema.json()["paths"].items():
        for method, operation in methods.items():
            values = {
                parameter["name"]: ANY_UUID if parameter["schema"].get("format") == "uuid" else "1"
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "path"
            }
            filled = _PARAMETER.sub(lambda match, given=values: given[match[0][1:-1]], path)
            operations.append((method, filled))
    return operations


@pytest.fixture
def database_down(monkeypatch):
    """Every attempt to use the database fails the way a refused or dropped connection does."""

    def refuse(error_class):
        def ensure_connection(self):
            raise error_class("connection to server at 127.0.0.1, port 5432 failed")

        monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", ensure_connection)

    return refuse


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_every_operation_is_a_json_503_while_the_database_refuses_connections(
    staff, staff_client, operations, database_down, error
):
    bodies = _bodies(str(RefreshToken.for_user(staff)))
    webhook = json.dumps({"id": "evt_1", "type": "payment.succeeded", "data": {"payment_id": 1}})
    secret = settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET
    signed = signature_header(secret=secret, body=webhook.encode())
    staff_client.raise_request_exception = False
    database_down(error)

    for method, path in operations:
        if path.endswith("/webhooks/sandbox/"):
            response = staff_client.generic(
                "POST", path, webhook, "application/json", headers={SIGNATURE_HEADER: signed}
            )
        else:
            body = bodies.get((method, path), {})
            response = getattr(staff_client, method)(path, body, format="json")

        if path == "/api/v1/":
            # The API's root is links only: it needs no database and keeps answering.
            assert response.status_code == 200
            continue
        assert (method, path, response.status_code) == (method, path, 503)
        assert int(response["Retry-After"]) > 0
        if path != "/api/v1/health/":
            assert response.json() == UNAVAILABLE
