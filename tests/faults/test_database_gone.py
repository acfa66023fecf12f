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
import socket
import threading
from pathlib import Path

import pytest
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from tests.conftest import PASSWORD
from tests.servers import Server, free_port, manage

UNAVAILABLE = {
    "detail": "The service is temporarily unavailable; try again shortly.",
    "code": "service_unavailable",
}


class TcpProxy:
    """Forwards a local port to the database; `stop()` closes the port and cuts every link."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
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

    server_settings: dict[str, str] = {}

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

    # An open connection would not notice the move (it keeps its file handle), so the server
    # opens a connection per request.
    server_settings = {"DATABASE_CONN_MAX_AGE": "0"}

    def __init__(self, tmp_path: Path) -> None:
        self.directory = tmp_path / "database"
        self.away = tmp_path / "moved-away"
        self.directory.mkdir()
        self.url = f"sqlite:///{self.directory / 'db.sqlite3'}"
        manage(self.url, "migrate", "--noinput", "-v", "0")

    def begin(self) -> None:
        self.directory.rename(self.away)

    def end(self) -> None:
        self.away.rename(self.directory)

    def close(self) -> None:
        if self.away.exists():
            self.end()


@pytest.fixture
def outage(db, tmp_path):
    outage = (PostgresOutage if connection.vendor == "postgresql" else SqliteOutage)(tmp_path)
    yield outage
    outage.close()


@pytest.fixture
def server(outage, tmp_path, collected_static):
    server = Server(outage.url, tmp_path, static_root=collected_static, **outage.server_settings)
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
