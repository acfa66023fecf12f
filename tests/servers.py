"""The shop run as production runs it, in subprocesses: the one way the tests start servers.

`production_env` is the environment of a production process (production settings, `DEBUG` off)
on a database URL; `manage` runs a management command in it, and `Server` runs gunicorn in it on
a free port. `RedisServer` is a private redis-server (never the machine's shared one), so a test
may stop, freeze and restart it. `Worker` runs `make worker`'s Celery worker and beat, and
`receiving()` runs a `Receiver`, an integrator's HTTP endpoint in threads of the test, for the
shop's outgoing webhooks.
Every server binds 127.0.0.1 on a port from `free_port` (the receiver, one the system picks).
"""

import contextlib
import http.server
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import NamedTuple

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
WEBHOOK_SECRET = "whsec_production_in_tests"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
# Settings that the test run's own environment may carry and a production process must not.
INHERITED_SETTINGS = ("DATABASE_", "THROTTLE_", "REDIS_", "DJANGO_", "CACHE_", "NUM_PROXIES")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production process on `database_url`, `extra` settings on top.

    It shares the test run's `SECRET_KEY`, so a token the test mints is valid at the server."""
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(INHERITED_SETTINGS)
    }
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings",
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        PAYMENTS_SANDBOX_WEBHOOK_SECRET=WEBHOOK_SECRET,
        # Tasks its writes send (the outbox relay) go nowhere, unless a test names a broker.
        CELERY_BROKER_URL="memory://",
    )
    env.update(extra)
    return env


def manage(database_url: str, *args: str, **extra: str) -> str:
    """Run `manage.py *args` in `production_env(database_url, **extra)`; its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(database_url, **extra),
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr}"
    return result.stdout


class ServerExited(Exception):
    """A server process stopped before it answered; the message is its log."""


def wait_until(
    ready: Callable[[], object],
    process: subprocess.Popen | None,
    log: Path | None,
    *,
    timeout: float = 30,
) -> None:
    """Until `ready()`, for at most `timeout` s; `ServerExited` if the process (if any) stops
    meanwhile. Failures show its `log`."""

    def written() -> str:
        return "" if log is None else log.read_text()

    deadline = time.monotonic() + timeout
    while not ready():
        if process is not None and process.poll() is not None:
            raise ServerExited(f"Exit status {process.returncode}:\n{written()}")
        assert time.monotonic() < deadline, f"Not within {timeout} s:\n{written()}"
        time.sleep(0.05)


def sqlite_rows(database: Path, sql: str) -> list[tuple]:
    """What `sql` reads from the SQLite file a server process writes to."""
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


class Reply(NamedTuple):
    """An answer; `status` is None (and `headers` too) when the server did not answer."""

    status: int | None
    headers: Message | None
    text: str


class Server:
    """gunicorn serving the shop on `database_url`, a free port and the production settings
    (plus `extra` ones); `process` is its master, `log` what it writes.

    `static_root` holds the collected static files (the `collected_static` fixture): without
    them `shop.wsgi` refuses to start, and this raises `ServerExited`."""

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
        self.log = tmp_path / f"server-{self.port}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "shop.wsgi"),
                    *("--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)),
                    # gunicorn's control socket is one path for every server of the machine.
                    *("--timeout", "30", "--no-control-socket"),
                ],
                cwd=ROOT,
                env=production_env(database_url, STATIC_ROOT=str(static_root), **extra),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until(
                lambda: self.request("GET", "/api/v1/health/").status is not None,
                self.process,
                self.log,
            )
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
    ) -> Reply:
        """The answer to a JSON request (as a bearer of `token`), waiting at most 10 s."""
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
                return Reply(response.status, response.headers, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.headers, error.read().decode())
        except OSError:  # refused, reset or timed out (URLError is an OSError)
            return Reply(None, None, "")

    def timed_request(self, *args, **kwargs) -> tuple[int | None, Message | None, str, float]:
        """`request`'s answer and the seconds it took."""
        started = time.monotonic()
        reply = self.request(*args, **kwargs)
        return *reply, time.monotonic() - started

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class RedisServer:
    """A private redis-server on a free port, `url`; `stop()` kills it, `freeze()` leaves its
    port open but mute."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = tmp_path / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [
                    *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._answers, self.process, self.log)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


class Worker:
    """`make worker`'s process, the Celery worker with its beat, on `database_url` with the
    production settings (plus `extra` ones: name its broker, `CELERY_BROKER_URL`, as for a
    `Server` whose tasks it runs); `log` is what it writes.

    It runs in a process group of its own, so `kill()` (SIGKILL, as the kernel's OOM killer or a
    lost machine would) takes its pool and beat with it."""

    def __init__(self, database_url: str, tmp_path: Path, **extra: str) -> None:
        self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "--app", "shop", "worker", "--beat"),
                    *("--loglevel", "INFO", "--concurrency", "1"),
                    *("--schedule", str(tmp_path / "beat-schedule")),
                ],
                cwd=ROOT,
                env=production_env(database_url, **extra),
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        wait_until(lambda: "ready." in self.log.read_text(), self.process, self.log)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Celery's warm shutdown (SIGTERM), then SIGKILL for what is left after 20 s."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        finally:
            self.kill()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the receiver answers (`status`, after `delay` seconds; `location` for a redirect;
    `trickle`: the status line one byte every `trickle` seconds; `on_request` runs first, in the
    server's thread), and what it received."""

    url: str
    status: int = 204
    delay: float = 0.0
    location: str = ""
    trickle: float = 0.0
    on_request: Callable[[], None] | None = None
    received: list[Received] = field(default_factory=list)


def _handler(receiver: Receiver) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if receiver.on_request is not None:
                receiver.on_request()
            receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            time.sleep(receiver.delay)
            if receiver.trickle:
                with contextlib.suppress(ConnectionError):  # the client gave up
                    for byte in f"HTTP/1.1 {receiver.status} OK\r\n\r\n".encode():
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(receiver.trickle)
                return
            self.send_response(receiver.status)
            if receiver.location:
                self.send_header("Location", receiver.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    return Handler


@contextlib.contextmanager
def receiving(path: str = "/hooks?source=shop") -> Iterator[Receiver]:
    """A `Receiver` listening on 127.0.0.1 (in threads of the test) while the context lasts."""
    port = free_port()
    receiver = Receiver(url=f"http://127.0.0.1:{port}{path}")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _handler(receiver))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
