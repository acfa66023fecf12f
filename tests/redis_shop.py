"""Live shops on a Redis of their own, for the tests of the Redis deployment.

`RedisServer` runs a private `redis-server` on a free port (never the machine's shared one), so
a test may stop, freeze and restart it. `ShopServer` runs gunicorn with the production settings
(`DEBUG` off) on a SQLite database of its own and that Redis, and answers requests as
`(status, headers, text, seconds)`.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
SECRET_KEY = "redis-tests-" * 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(ready, *, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)


class RedisServer:
    """A private redis-server; `stop()` kills it, `freeze()` leaves its port open but mute."""

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
        _wait_for(self._answers, process=self.process, log=self.log)

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


def server_env(database: Path, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production process on `database` and `redis_url` (plus `extra`)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "THROTTLE_", "REDIS_", "DJANGO_", "CACHE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings",
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{database}",
        REDIS_URL=redis_url,
        PAYMENTS_SANDBOX_WEBHOOK_SECRET="whsec_redis_tests",
        **extra,
    )
    return env


def manage(database: Path, redis_url: str, *args: str, **extra: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=server_env(database, redis_url, **extra),
        check=True,
        capture_output=True,
        timeout=120,
    )


class ShopServer:
    """gunicorn with one worker, the production settings, `database` and `redis_url`."""

    def __init__(self, database: Path, redis_url: str, tmp_path: Path, **extra: str) -> None:
        self.port = free_port()
        self.log = tmp_path / f"server-{self.port}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "shop.wsgi"),
                    *("--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--timeout", "30"),
                ],
                cwd=ROOT,
                env=server_env(database, redis_url, **extra),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_for(
            lambda: self.request("GET", "/api/v1/health/")[0] is not None,
            process=self.process,
            log=self.log,
        )

    def request(self, method: str, path: str, body: dict | None = None, token: str = ""):
        """(status, headers, text, seconds); status None if the server does not answer."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}
            | ({"Authorization": f"Bearer {token}"} if token else {}),
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            answer = error.code, error.headers, error.read().decode()
        except (ConnectionError, TimeoutError, urllib.error.URLError):
            answer = None, None, ""
        return *answer, time.monotonic() - started

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
