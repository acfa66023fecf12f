"""The faults tests break the same small shop the security tests attack, and real servers.

`Server` runs the shop as production does (gunicorn, production settings, `DEBUG` off) in a
subprocess against a database URL, for the tests that take the database away under it.
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

from django.conf import settings

from tests.security.conftest import shop  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production process on `database_url` (plus `extra` settings)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "THROTTLE_", "REDIS_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings",
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        # SQLite's outage moves the file away, which an open connection would not notice (it
        # keeps its file handle), so there the server opens a connection per request.
        DATABASE_CONN_MAX_AGE="0" if database_url.startswith("sqlite") else "60",
        PAYMENTS_SANDBOX_WEBHOOK_SECRET="whsec_outage",
        **extra,
    )
    return env


class Server:
    """gunicorn serving the shop on a free port; `process` is its master.

    `static_root` holds the collected static files (the `collected_static` fixture): without
    them the production start-up check refuses to boot."""

    def __init__(
        self,
        database_url: str,
        tmp_path: Path,
        *,
        static_root: Path,
        workers: int = 1,
        **extra: str,
    ) -> None:
        self.port = free_port()
        self.log = tmp_path / "server.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "shop.wsgi"),
                    *("--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)),
                    *("--timeout", "30"),
                ],
                cwd=ROOT,
                env=server_env(database_url, STATIC_ROOT=str(static_root), **extra),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        try:
            while self.request("GET", "/api/v1/health/")[0] is None:
                assert self.process.poll() is None, self.log.read_text()
                assert time.monotonic() < deadline, self.log.read_text()
                time.sleep(0.1)
        except BaseException:
            self.stop()
            raise

    def request(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        token: str = "",
        headers: dict[str, str] | None = None,
    ):
        """(status, headers, text) of the answer; status None if the server does not answer
        within 10 s."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}
            | ({"Authorization": f"Bearer {token}"} if token else {})
            | (headers or {}),
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()
        except OSError:  # refused, reset or timed out (URLError is an OSError)
            return None, None, ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
