"""Run several servers as one: started together, stopped together (`serve`, `run`).

Each child runs in a process group of its own, so its own children (gunicorn's and nginx's
workers, runserver's reloader, Celery's pool) are stopped with it, even when its main process
is gone. SIGINT (Ctrl-C) or SIGTERM stops every child; so does any child exiting.
"""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping
from typing import TextIO

STOP_TIMEOUT_SECONDS = 15


def start(command: list[str], **options) -> subprocess.Popen:
    """Start `command` in a process group of its own."""
    return subprocess.Popen(command, process_group=0, **options)


def supervise(
    children: Mapping[str, subprocess.Popen],
    stderr: TextIO,
    *,
    stop_signal: int = signal.SIGTERM,
) -> int:
    """Wait until a signal stops us (0) or a child exits (1, naming it); stop every child with
    `stop_signal` (to its whole group), then SIGKILL whatever is left after a while."""
    stopping: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, frame: stopping.append(signum))
    while not stopping and all(child.poll() is None for child in children.values()):
        time.sleep(0.2)
    for name, child in children.items():
        if child.poll() is not None and not stopping:
            stderr.write(f"{name} exited ({child.returncode}); stopping the others.\n")
    for child in children.values():
        _signal_group(child, stop_signal)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for child in children.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        _signal_group(child, signal.SIGKILL)
        child.wait()
    return 0 if stopping else 1


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)
