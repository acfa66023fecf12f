"""`manage.py run` (what `make run` starts): the development server, a Celery worker and beat
on the embedded broker, which need no server; an event recorded in the database is published
by them; one SIGINT (Ctrl-C) stops all three."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers import ROOT, free_port, manage, production_env, sqlite_rows, wait_until

RECORD_AN_EVENT = """
from django.db import transaction
from kernel.outbox import record_event
with transaction.atomic():
    record_event(type="product.deleted", data={"id": 1})
"""


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health/", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def _processes_with(marker: str) -> list[int]:
    """The processes whose environment holds `marker` (this test's broker folder)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker.encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def _events(database: Path) -> tuple[int, int]:
    """How many events the outbox holds, and how many of them are sent."""
    [counts] = sqlite_rows(database, "SELECT COUNT(*), COUNT(sent_at) FROM kernel_outboxevent")
    return counts


@pytest.fixture
def site(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {
        "CELERY_BROKER_URL": "",
        "CELERY_BROKER_DIR": str(tmp_path / "broker"),
        "OUTBOX_RELAY_INTERVAL_SECONDS": "1",
        "DEBUG": "true",
    }
    manage(f"sqlite:///{database}", "migrate", "--noinput", "-v", "0", **env)
    return database, env


def test_run_starts_the_server_a_worker_and_beat_and_one_sigint_stops_them_all(site, tmp_path):
    database, env = site
    port = free_port()
    log = tmp_path / "run.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run", "--port", str(port), "--concurrency", "1"],
            cwd=ROOT,
            env=production_env(f"sqlite:///{database}", **env),
            stdout=output,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    try:
        wait_until(lambda: _answers(port), process, log)
        manage(f"sqlite:///{database}", "shell", "-c", RECORD_AN_EVENT, **env)
        wait_until(lambda: _events(database) == (1, 1), process, log)
        assert len(_processes_with(env["CELERY_BROKER_DIR"])) >= 4  # run, server, worker, beat

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while _processes_with(env["CELERY_BROKER_DIR"]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _processes_with(env["CELERY_BROKER_DIR"]) == []
        assert not _answers(port)
        assert "kernel.relay_events" in log.read_text()
    finally:
        for pid in _processes_with(env["CELERY_BROKER_DIR"]):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)
