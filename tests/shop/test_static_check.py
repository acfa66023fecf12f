"""A deployment whose static files were never collected (or were collected before an upgrade)
is caught before it serves: `check --deploy` fails, and gunicorn refuses to start.

Without the manifest, whitenoise's storage raises for every `{% static %}`, so every HTML page
(admin, browsable API, Swagger UI) was a 500 while the health check said ok.
"""

import json
import subprocess
from pathlib import Path

import pytest

from tests.servers import Server, ServerExited
from tests.shop.test_operations import PRODUCTION_ENV, _manage

HTML_PAGES = ["/admin/login/", "/api-auth/login/", "/api/v1/docs/"]


def _deploy_check(static_root: Path) -> subprocess.CompletedProcess:
    return _manage("check", "--deploy", env={**PRODUCTION_ENV, "STATIC_ROOT": str(static_root)})


def test_the_deploy_check_fails_when_the_static_files_were_never_collected(tmp_path):
    result = _deploy_check(tmp_path)

    assert result.returncode != 0
    assert "kernel.E001" in result.stderr
    assert "collectstatic" in result.stderr


def test_the_deploy_check_passes_once_the_static_files_are_collected(collected_static):
    result = _deploy_check(collected_static)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "kernel.E" not in result.stdout + result.stderr


def test_a_manifest_that_lacks_a_file_fails_the_deploy_check_naming_it(collected_static, tmp_path):
    manifest = json.loads((collected_static / "staticfiles.json").read_text())
    del manifest["paths"]["rest_framework/css/bootstrap.min.css"]
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))

    result = _deploy_check(tmp_path)

    assert result.returncode != 0
    assert "kernel.E002" in result.stderr
    assert "lacks 1 of the static files: rest_framework/css/bootstrap.min.css;" in result.stderr


def test_gunicorn_refuses_to_start_when_the_static_files_were_never_collected(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    try:
        server = Server(database_url, tmp_path, static_root=tmp_path / "never-collected")
    except ServerExited as exited:
        log = str(exited)
    else:
        statuses = {page: server.request("GET", page).status for page in HTML_PAGES}
        server.stop()
        pytest.fail(f"gunicorn started without static files; it answers {statuses}")

    assert "kernel.E001: The static files are not collected" in log


def test_gunicorn_serves_every_kind_of_html_page_once_the_static_files_are_collected(
    collected_static, tmp_path
):
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    server = Server(database_url, tmp_path, static_root=collected_static)
    try:
        statuses = {page: server.request("GET", page).status for page in HTML_PAGES}
    finally:
        server.stop()

    assert statuses == dict.fromkeys(HTML_PAGES, 200), server.log.read_text()
