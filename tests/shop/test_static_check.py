"""A deployment whose static files were never collected (or were collected before an upgrade)
is caught before it serves: `check --deploy` fails, and gunicorn refuses to start.

Without the manifest, whitenoise's storage raises for every `{% static %}`, so every HTML page
(admin, browsable API, Swagger UI) was a 500 while the health check said ok.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.shop.test_operations import PRODUCTION_ENV, ROOT, _manage

SERVER_ENV = {
    **PRODUCTION_ENV,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
}
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn(static_root: Path, port: int, log: Path) -> subprocess.Popen:
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "shop.wsgi", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env={**environment, **SERVER_ENV, "STATIC_ROOT": str(static_root)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (ConnectionError, urllib.error.URLError):
        return None


@pytest.fixture
def stop_afterwards():
    processes = []
    yield processes.append
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def test_gunicorn_refuses_to_start_when_the_static_files_were_never_collected(
    tmp_path, stop_afterwards
):
    port = _free_port()
    server = _gunicorn(tmp_path / "never-collected", port, tmp_path / "server.log")
    stop_afterwards(server)

    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        statuses = {page: _status(f"http://127.0.0.1:{port}{page}") for page in HTML_PAGES}
        pytest.fail(f"gunicorn started without static files; it answers {statuses}")

    assert server.returncode != 0
    assert (
        "kernel.E001: The static files are not collected" in (tmp_path / "server.log").read_text()
    )


def test_gunicorn_serves_every_kind_of_html_page_once_the_static_files_are_collected(
    collected_static, tmp_path, stop_afterwards
):
    port = _free_port()
    log = tmp_path / "server.log"
    server = _gunicorn(collected_static, port, log)
    stop_afterwards(server)
    deadline = time.monotonic() + 30
    while _status(f"http://127.0.0.1:{port}/admin/login/") is None:
        assert server.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)

    statuses = {page: _status(f"http://127.0.0.1:{port}{page}") for page in HTML_PAGES}

    assert statuses == dict.fromkeys(HTML_PAGES, 200), log.read_text()
