"""The database goes away under a running server, then comes back.

A real server (gunicorn, production settings, `DEBUG` off) runs in a subprocess. On PostgreSQL
it reaches the test database through a TCP proxy that the test closes (the port refuses
connections and the server's open connection is cut) and opens again; on SQLite the
database's directory is moved away and back. While the database is gone, the health check is
a 503 and so is every other endpoint, as JSON without a traceback; once it is back, the same
server process answers 200 again without being restarted.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
UNAVAILABLE = {
    "detail": "The service is temporarily unavailable; try again shortly.",
    "code": "service_unavailable",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TcpProxy:
    """Forwards a local port to the database; `stop()` closes the port and cuts every link."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = _free_port()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._running = threading.Event()
        self._acceptor: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        listener.settimeout(0.1)
        self._running.set()
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._acceptor.start()

    def stop(self) -> None:
        self._running.clear()
        self._acceptor.join(timeout=5)
        with self._lock:
            for sock in self._sockets:
                self._close(sock)
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while self._running.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                client.settimeout(None)
                upstream = socket.create_connection(self.upstream)
                with self._lock:
                    self._sockets |= {client, upstream}
                for source, target in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            TcpProxy._close(target)

    @staticmethod
    def _close(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


class PostgresOutage:
    """The server reaches PostgreSQL through a proxy that can be closed."""

    def __init__(self, tmp_path: Path) -> None:
        database = connection.settings_dict
        self.proxy = TcpProxy((database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)))
        password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
        self.url = (
            f"postgres://{database['USER']}{password}@127.0.0.1:{self.proxy.port}/"
            f"{database['NAME']}"
        )
        self.proxy.start()

    def begin(self) -> None:
        self.proxy.stop()

    def end(self) -> None:
        self.proxy.start()

    def close(self) -> None:
        self.proxy.stop()


class SqliteOutage:
    """The server's SQLite database lives in a directory that can be moved away."""

    def __init__(self, tmp_path: Path) -> None:
        self.directory = tmp_path / "database"
        self.away = tmp_path / "moved-away"
        self.directory.mkdir()
        self.url = f"sqlite:///{self.directory / 'db.sqlite3'}"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=_server_env(self.url, tmp_path),
            check=True,
            timeout=120,
        )

    def begin(self) -> None:
        self.directory.rename(self.away)

    def end(self) -> None:
        self.away.rename(self.directory)

    def close(self) -> None:
        if self.away.exists():
            self.end()


def _server_env(database_url: str, static_root: Path) -> dict[str, str]:
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
        STATIC_ROOT=str(static_root),
    )
    return env


class Server:
    def __init__(self, database_url: str, tmp_path: Path, static_root: Path) -> None:
        self.port = _free_port()
        self.log = tmp_path / "server.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "shop.wsgi"),
                    *("--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--timeout", "30"),
                ],
                cwd=ROOT,
                env=_server_env(database_url, static_root),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while self.request("GET", "/api/v1/health/")[0] is None:
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.1)

    def request(self, method: str, path: str, body: dict | None = None, token: str = ""):
        """(status, headers, text) of the answer; status None if the server does not answer."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}
            | ({"Authorization": f"Bearer {token}"} if token else {}),
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()
        except (ConnectionError, urllib.error.URLError):
            return None, None, ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def outage(db, tmp_path):
    outage = (PostgresOutage if connection.vendor == "postgresql" else SqliteOutage)(tmp_path)
    yield outage
    outage.close()


@pytest.fixture
def server(outage, tmp_path, collected_static):
    server = Server(outage.url, tmp_path, collected_static)
    yield server
    server.stop()


def _requests(customer) -> list[tuple[str, str, dict | None, str]]:
    """Requests that each need the database: anonymous, signed in, reading and writing."""
    token = str(AccessToken.for_user(customer))
    return [
        ("GET", "/api/v1/products/", None, ""),
        ("GET", "/api/v1/categories/", None, ""),
        ("POST", "/api/v1/auth/token/", {"email": customer.email, "password": PASSWORD}, ""),
        ("GET", "/api/v1/orders/", None, token),
        ("POST", "/api/v1/orders/", {"items": [{"product_id": 1, "quantity": 1}]}, token),
        ("GET", "/api/v1/payments/", None, token),
        ("GET", "/api/v1/auth/me/", None, token),
    ]


def test_with_the_database_gone_everything_is_a_json_503_and_the_server_recovers(
    server, outage, customer
):
    assert server.request("GET", "/api/v1/health/")[:1] == (200,)
    assert server.request("GET", "/api/v1/products/")[0] == 200

    outage.begin()
    status, headers, text = server.request("GET", "/api/v1/health/")

    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert json.loads(text) == {"status": "unavailable", "database": "unavailable"}
    for method, path, body, token in _requests(customer):
        status, headers, text = server.request(method, path, body, token)

        assert (method, path, status) == (method, path, 503)
        assert headers["Content-Type"] == "application/json"
        assert json.loads(text) == UNAVAILABLE
        assert int(headers["Retry-After"]) > 0
        assert "Traceback" not in text
    assert server.process.poll() is None

    outage.end()
    status, _, text = server.request("GET", "/api/v1/health/")

    assert (status, json.loads(text)) == (200, {"status": "ok", "database": "ok"})
    assert server.request("GET", "/api/v1/products/")[0] == 200
    # The user exists only in the test's own transaction: a 401 means the lookup was answered.
    token = str(AccessToken.for_user(customer))
    assert server.request("GET", "/api/v1/auth/me/", token=token)[0] == 401
