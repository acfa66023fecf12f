"""Operations: health, the schema and docs, JSON errors under /api/, production settings."""

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-and-random-production-secret-key-9f8e7d6c5b4a3f2e1d0c9b8a7",
    "ALLOWED_HOSTS": "shop.example.com",
    "DJANGO_SETTINGS_MODULE": "shop.settings",
    "PAYMENTS_SANDBOX_WEBHOOK_SECRET": "whsec_production_3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",
    "PASSWORD_RESET_URL": "https://shop.example.com/reset-password",
    "CELERY_BROKER_URL": "amqp://shop:secret@rabbitmq.example.com:5672/shop",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("database_answers", "status", "state"),
    [(True, 200, "ok"), (False, 503, "unavailable")],
    ids=["database-answers", "database-does-not-answer"],
)
def test_health_is_200_when_the_database_answers_and_503_when_it_does_not(
    anon_client, database_answers, status, state
):
    failure = mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=DatabaseError
    )
    with contextlib.nullcontext() if database_answers else failure:
        response = anon_client.get("/api/v1/health/")

    assert response.status_code == status
    assert response.json() == {"status": state, "database": state}


@pytest.mark.django_db
def test_an_unknown_api_url_is_a_json_404(anon_client):
    response = anon_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.django_db
def test_malformed_json_is_a_400_in_the_error_shape(customer_client):
    response = customer_client.generic(
        "PATCH", "/api/v1/auth/me/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.django_db
def test_the_schema_is_served_and_the_swagger_ui_needs_no_cdn(anon_client):
    schema = anon_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = anon_client.get("/api/v1/docs/")

    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar" in html
    assert "cdn" not in html.lower()


def test_the_schema_validates_without_warnings(tmp_path):
    result = _manage(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yml"),
        env={"DEBUG": "true"},
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_passes_with_production_settings(collected_static):
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(collected_static)}

    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("broker", ["", "filesystem://", "memory://"])
def test_the_deploy_check_warns_about_production_on_the_embedded_broker(collected_static, broker):
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(collected_static), "CELERY_BROKER_URL": broker}

    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "kernel.W001" in result.stdout + result.stderr


def test_start_up_fails_clearly_without_a_secret_key_when_debug_is_off():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_logging_in_to_the_browsable_api_lands_on_the_product_list(customer):
    response = Client().post("/api-auth/login/", {"username": customer.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/api/v1/products/"
