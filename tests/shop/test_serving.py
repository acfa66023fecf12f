"""The production stack, `manage.py serve` (what `make serve` runs): nginx in front of gunicorn.

The real stack runs in a subprocess with production settings (`DEBUG` off) on free ports and a
SQLite database of its own, seeded with the demo data. Raw sockets play the clients a sync
gunicorn cannot survive alone: slow ones, and malformed ones that gunicorn answered in HTML.
A bare gunicorn on the same database shows that a chunked body is read without nginx too.

nginx is Debian's package (`nginx`, with `libnginx-mod-http-headers-more-filter`); without it
these tests are skipped with a reason, except in CI (`CI=true`, set by `.ci/run`), where they
fail.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pytest

from payments.gateways.webhooks import SIGNATURE_HEADER, signature_header
from shop.management.commands.serve import CLIENT_TIMEOUT_SECONDS, HEADERS_MORE
from tests.servers import (
    ROOT,
    WEBHOOK_SECRET,
    Server,
    free_port,
    manage,
    production_env,
    wait_until,
)

CUSTOMER = {"email": "customer@example.com", "password": "demo-customer-password"}
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "1 Main Street",
    "city": "London",
    "postal_code": "SW1A 1AA",
    "country": "GB",
}
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


@pytest.fixture(scope="module", autouse=True)
def _nginx_installed():
    if NGINX and HEADERS_MORE.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"nginx and {HEADERS_MORE} are needed for the serving tests in CI")
    pytest.skip(
        "nginx or its headers-more module not found (Debian packages `nginx`, "
        "`libnginx-mod-http-headers-more-filter`): the serving tests are not run"
    )


SETTINGS = {"THROTTLE_AUTH_TOKEN": "5/min"}  # the servers' settings beyond production's


class Site(NamedTuple):
    """What a production process of the test runs on: its database and collected static files."""

    database_url: str
    static_root: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory, collected_static) -> Site:
    site = Site(f"sqlite:///{tmp_path_factory.mktemp('serving') / 'db.sqlite3'}", collected_static)
    manage(site.database_url, "migrate", "--noinput", "-v", "0")
    manage(site.database_url, "seed_demo", "--with-users", "-v", "0")
    return site


class Stack:
    """`manage.py serve` on a free port in a subprocess, answering once started."""

    def __init__(self, site: Site, log: Path, workers: int) -> None:
        self.port = free_port()
        self.log = log
        env = production_env(site.database_url, STATIC_ROOT=str(site.static_root), **SETTINGS)
        command = [
            *(sys.executable, "manage.py", "serve"),
            *("--port", str(self.port), "--workers", str(workers)),
        ]
        with log.open("w") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            wait_until(self._answers, self.process, log)
        except BaseException:
            self.stop()
            raise

    def _answers(self) -> bool:
        with contextlib.suppress(OSError):
            return request(self.port, "GET", "/api/v1/health/")[0] == 200
        return False

    def stop(self) -> int:
        """SIGTERM, which `manage.py serve` passes on to nginx and gunicorn; its exit status."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture(scope="module")
def stack(site, tmp_path_factory):
    server = Stack(site, tmp_path_factory.mktemp("stack") / "log", workers=2)
    yield server
    assert server.stop() == 0, server.log.read_text()
    with pytest.raises(ConnectionRefusedError):
        _connect(server.port)


@pytest.fixture(scope="module")
def gunicorn(site, tmp_path_factory):
    server = Server(
        site.database_url,
        tmp_path_factory.mktemp("gunicorn"),
        static_root=site.static_root,
        **SETTINGS,
    )
    yield server
    server.stop()


@pytest.fixture(params=["nginx", "gunicorn"])
def server(request) -> Stack | Server:
    return request.getfixturevalue({"nginx": "stack", "gunicorn": "gunicorn"}[request.param])


# --- talking HTTP over a raw socket -------------------------------------------------------------


def _connect(port: int, source: str = "127.0.0.1", timeout: float = 5) -> socket.socket:
    return socket.create_connection(
        ("127.0.0.1", port), timeout=timeout, source_address=(source, 0)
    )


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """(status, headers with lower-case names, body) of one response."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += _receive(sock)
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        while len(body) < int(headers["content-length"]):
            body += _receive(sock)
    elif headers.get("transfer-encoding") == "chunked":
        while not body.endswith(b"0\r\n\r\n"):
            body += _receive(sock)
        body = _dechunk(body)
    return int(status_line.split()[1]), headers, body


def _receive(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise ConnectionError("The server closed the connection before it answered.")
    return chunk


def _dechunk(body: bytes) -> bytes:
    content = b""
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return content
        content, body = content + body[:size], body[size + 2 :]


def raw(port: int, data: bytes, source: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
    with _connect(port, source) as sock:
        sock.sendall(data)
        return _read_response(sock)


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    *,
    headers: dict[str, str] | None = None,
    chunked: bool = False,
    source: str = "127.0.0.1",
) -> tuple[int, dict[str, str], bytes]:
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    payload = b""
    if body is not None:
        head.append("Content-Type: application/json")
        if chunked:
            head.append("Transfer-Encoding: chunked")
            middle = len(body) // 2
            for part in (body[:middle], body[middle:]):
                payload += b"%x\r\n%s\r\n" % (len(part), part)
            payload += b"0\r\n\r\n"
        else:
            head.append(f"Content-Length: {len(body)}")
            payload = body
    return raw(port, "\r\n".join(head).encode() + b"\r\n\r\n" + payload, source)


def _json(body: dict) -> bytes:
    return json.dumps(body).encode()


def _token(port: int) -> str:
    status, _, body = request(port, "POST", "/api/v1/auth/token/", _json(CUSTOMER))
    assert status == 200, body
    return json.loads(body)["access"]


# --- the two servers live and die together -----------------------------------------------------


@pytest.mark.parametrize("dies", ["nginx", "gunicorn"])
def test_if_one_server_dies_the_other_is_stopped_and_the_command_fails(site, tmp_path, dies):
    server = Stack(site, tmp_path / "log", workers=1)
    run_dir = Path(re.search(r"run directory (\S+)", server.log.read_text())[1])

    os.kill(int((run_dir / f"{dies}.pid").read_text()), signal.SIGKILL)

    try:
        assert server.process.wait(timeout=20) == 1
    finally:
        if server.process.poll() is None:
            server.stop()
    assert f"{dies} exited" in server.log.read_text()
    with pytest.raises(ConnectionRefusedError):
        _connect(server.port)
    assert not run_dir.exists()


# --- slow clients -------------------------------------------------------------------------------


def _slow_client(port: int) -> socket.socket:
    """A client that sends its headers, then its body a byte at a time (see `_trickle`)."""
    sock = _connect(port)
    sock.sendall(
        b"POST /api/v1/orders/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100000\r\n\r\n"
    )
    return sock


def _health_while_trickling(port: int, slow: list[socket.socket], seconds: float) -> list[float]:
    """Each slow client sends a byte every half second; health is asked meanwhile. The time
    each health check took; the check fails if one is not a 200 within 2 s."""
    took = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for sock in slow:
            sock.sendall(b" ")
        started = time.monotonic()
        with _connect(port, timeout=2) as sock:
            sock.sendall(
                b"GET /api/v1/health/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            )
            status, _, _ = _read_response(sock)
        took.append(time.monotonic() - started)
        assert status == 200
        time.sleep(max(0.0, 0.5 - took[-1]))
    return took


def test_slow_clients_do_not_stop_the_api_and_are_cut_off_when_they_stall(stack):
    slow = [_slow_client(stack.port) for _ in range(2)]
    took = _health_while_trickling(stack.port, slow, seconds=3)
    slow += [_slow_client(stack.port) for _ in range(6)]
    took += _health_while_trickling(stack.port, slow, seconds=3)

    assert max(took) < 1.5

    # A client that stalls is disconnected once it has sent nothing for the body timeout.
    stalled_at = time.monotonic()
    for sock in slow:
        sock.settimeout(CLIENT_TIMEOUT_SECONDS + 5)
        with sock:
            assert sock.recv(65536) == b""
    assert time.monotonic() - stalled_at < CLIENT_TIMEOUT_SECONDS + 5


# --- chunked request bodies ---------------------------------------------------------------------


def test_a_chunked_order_is_placed(server):
    token = _token(server.port)
    _, _, products = request(server.port, "GET", "/api/v1/products/")
    product_id, variant_id = _in_stock_variant(products)
    order = {"items": [{"variant_id": variant_id, "quantity": 1}], "shipping_address": ADDRESS}

    status, _, body = request(
        server.port,
        "POST",
        "/api/v1/orders/",
        _json(order),
        headers={"Authorization": f"Bearer {token}"},
        chunked=True,
    )

    assert status == 201, body
    [item] = json.loads(body)["items"]
    assert (item["product_id"], item["variant_id"]) == (product_id, variant_id)


def _in_stock_variant(products: str) -> tuple[int, int]:
    """The first variant in stock of a product list's page, and its product's id."""
    return next(
        (product["id"], variant["id"])
        for product in json.loads(products)["results"]
        for variant in product["variants"]
        if variant["in_stock"]
    )


def test_a_chunked_correctly_signed_webhook_is_accepted(server):
    auth = {"Authorization": f"Bearer {_token(server.port)}"}
    _, _, products = request(server.port, "GET", "/api/v1/products/")
    item = {"variant_id": _in_stock_variant(products)[1], "quantity": 1}
    order = {"items": [item], "shipping_address": ADDRESS}
    _, _, placed = request(server.port, "POST", "/api/v1/orders/", _json(order), headers=auth)
    payment = {"order_id": json.loads(placed)["id"], "token": "tok_async"}
    status, _, paid = request(
        server.port, "POST", "/api/v1/payments/", _json(payment), headers=auth
    )
    assert status == 202, paid
    payment_id = json.loads(paid)["id"]
    event = _json(
        {
            "id": f"evt_chunked_{payment_id}",
            "type": "payment.succeeded",
            "data": {"payment_id": payment_id},
        }
    )
    signed = {SIGNATURE_HEADER: signature_header(secret=WEBHOOK_SECRET, body=event)}

    status, _, body = request(
        server.port,
        "POST",
        "/api/v1/payments/webhooks/sandbox/",
        event,
        headers=signed,
        chunked=True,
    )

    assert (status, json.loads(body)) == (200, {"outcome": "processed"})
    _, _, payment = request(server.port, "GET", f"/api/v1/payments/{payment_id}/", headers=auth)
    assert json.loads(payment)["status"] == "succeeded"


def test_a_chunked_body_over_the_limit_is_a_json_413(server):
    body = b"[" + b" " * 2_700_000 + b"]"

    status, headers, content = request(server.port, "POST", "/api/v1/orders/", body, chunked=True)

    assert status == 413
    assert headers["content-type"] == "application/json"
    assert json.loads(content)["code"] == "request_too_large"


# --- errors and headers at the edge -------------------------------------------------------------

GET = b"GET /api/v1/health/ HTTP/1.1\r\n"
POST = b"POST /api/v1/orders/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
END = b"Connection: close\r\n\r\n"
MALFORMED = {
    "a 20 KB request line": (
        b"GET /api/v1/products/?q=" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + END,
        414,
    ),
    "a 40 KB header": (GET + b"Host: 127.0.0.1\r\nX-Big: " + b"a" * 40_000 + b"\r\n" + END, 431),
    "3000 headers": (GET + b"Host: 127.0.0.1\r\n" + b"X-A: a\r\n" * 3000 + END, 431),
    "Content-Length abc": (POST + b"Content-Length: abc\r\n" + END, 400),
    "Content-Length -1": (POST + b"Content-Length: -1\r\n" + END, 400),
    "two different Content-Lengths": (
        POST + b"Content-Length: 2\r\nContent-Length: 3\r\n" + END + b"{}",
        400,
    ),
    "Content-Length and chunked": (
        POST + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n" + END + b"0\r\n\r\n",
        400,
    ),
    "a body over the limit": (POST + b"Content-Length: 99999999\r\n" + END, 413),
    "an unknown Transfer-Encoding": (POST + b"Transfer-Encoding: gzip\r\n" + END, 501),
    "a Host with a slash": (GET + b"Host: 127.0.0.1/../\r\n" + END, 400),
    "a Host with a space": (GET + b"Host: a b\r\n" + END, 400),
    "no Host in HTTP/1.1": (GET + END, 400),
    "a Host not allowed": (GET + b"Host: evil.example\r\n" + END, 400),
    "a Host not allowed, outside the API": (
        b"GET /admin/login/ HTTP/1.1\r\nHost: evil.example\r\n" + END,
        400,
    ),
    "an unknown method": (b"AB /api/v1/health/ HTTP/1.1\r\nHost: 127.0.0.1\r\n" + END, 405),
    "HTTP/2.0 in the request line": (
        b"GET /api/v1/health/ HTTP/2.0\r\nHost: 127.0.0.1\r\n" + END,
        505,
    ),
    # nginx passes these on and gunicorn refuses them (`shop.deploy.worker`).
    "a raw UTF-8 byte in the path": (
        b"GET /api/v1/caf\xc3\xa9/ HTTP/1.1\r\nHost: 127.0.0.1\r\n" + END,
        400,
    ),
    "a control character in a header": (GET + b"Host: 127.0.0.1\r\nX-A: a\x7fb\r\n" + END, 400),
    "two Content-Types": (
        POST + b"Content-Type: application/json\r\nContent-Type: text/plain\r\n"
        b"Content-Length: 2\r\n" + END + b"{}",
        400,
    ),
    "not HTTP at all": (b"\x16\x03\x01 hello\r\n\r\n", 400),
    "a space in the path": (b"GET /api/v1/he alth/ HTTP/1.1\r\nHost: 127.0.0.1\r\n" + END, 400),
}


@pytest.mark.parametrize(("data", "status"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_request_gets_a_json_error_and_no_server_header(stack, data, status):
    answer, headers, body = raw(stack.port, data)

    assert answer == status
    assert headers["content-type"] == "application/json"
    assert set(json.loads(body)) == {"detail", "code"}
    assert "server" not in headers


def test_a_path_only_nginx_knows_is_a_json_404(stack):
    status, headers, body = request(stack.port, "GET", "/_edge/400.json")
    assert headers["content-type"] == "application/json"

    assert (status, json.loads(body)["code"]) == (404, "not_found")


def test_normal_answers_keep_the_api_security_headers_and_send_no_server_header(stack):
    status, headers, _ = request(stack.port, "GET", "/api/v1/products/")

    assert status == 200
    assert "server" not in headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_a_client_contradicting_the_proxy_scheme_header_is_not_refused(stack):
    status, _, _ = request(stack.port, "GET", "/api/v1/health/", headers={"X-Forwarded-Ssl": "on"})

    assert status == 200


# --- throttles behind the proxy -----------------------------------------------------------------


def _sign_in_attempts(port: int, source: str, attempts: int) -> list[int]:
    statuses = []
    for attempt in range(attempts):
        credentials = {"email": f"nobody-{source}-{attempt}@example.com", "password": "wrong"}
        # A client naming another address does not get a throttle of its own for it.
        forged = {"X-Forwarded-For": f"10.0.0.{attempt}"}
        statuses.append(
            request(
                port,
                "POST",
                "/api/v1/auth/token/",
                _json(credentials),
                headers=forged,
                source=source,
            )[0]
        )
    return statuses


def test_the_throttle_counts_each_client_by_its_own_address_not_the_proxy(stack):
    """`THROTTLE_AUTH_TOKEN=5/min`; two clients on two loopback addresses."""
    first = _sign_in_attempts(stack.port, "127.0.0.3", 6)
    second = _sign_in_attempts(stack.port, "127.0.0.4", 1)

    assert first == [401] * 5 + [429]
    assert second == [401]
