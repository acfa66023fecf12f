"""Run callables at the same moment, each in its own thread and database connection.

The tests that need this are marked `postgres`: only a database with row locks and concurrent
writers shows a race. Use them with `django_db(transaction=True)` (or `transactional_db`), so
that what one thread commits the others and the test can see.
"""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection, connections

# Generous, for a loaded machine: a wait this long means a deadlock, not a slow database.
BARRIER_TIMEOUT, JOIN_TIMEOUT = 30, 120


def run_concurrently(*tasks: Callable[[], Any], return_exceptions: bool = False) -> list[Any]:
    """Run every task in a thread of its own, all released together by a barrier.

    Each thread connects to the database before the barrier, so the tasks contend for rows
    rather than for connections, and closes its connections when done. Returns the tasks'
    results in the tasks' order. An exception a task raises takes the place of its result with
    `return_exceptions=True` (as `asyncio.gather` does); otherwise, once every thread has
    finished, all of them are raised together as an `ExceptionGroup`.
    """
    barrier = threading.Barrier(len(tasks))
    outcomes: list[Any] = [None] * len(tasks)
    raised: list[bool] = [False] * len(tasks)

    def run(index: int, task: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=BARRIER_TIMEOUT)
            outcomes[index] = task()
        except Exception as error:
            outcomes[index], raised[index] = error, True
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a task never finished"
    errors = [outcome for outcome, failed in zip(outcomes, raised, strict=True) if failed]
    if errors and not return_exceptions:
        raise ExceptionGroup(f"{len(errors)} of {len(tasks)} concurrent tasks raised", errors)
    return outcomes
