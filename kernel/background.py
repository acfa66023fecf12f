"""Asking the worker for a task once the caller's transaction commits, best effort.

A write may ask the worker for work that follows from it (an email, an image's renditions, a
webhook's delivery). The ask is sent only once the write has committed, so the worker never
looks for a row that is not there yet (or never will be), and it is never raised: the write has
committed and its answer stands. A broker that does not take the task is logged together with
what makes up for it (the user can ask again, a sweep asks again, the API shows something else
meanwhile); each caller says which.
"""

import logging
from collections.abc import Mapping, Sequence

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def send_task_on_commit(
    name: str,
    *,
    if_lost: str,
    args: Sequence | None = None,
    kwargs: Mapping | None = None,
    expires: float | None = None,
) -> None:
    """Once the caller's transaction commits, hand task `name` to the broker; if the broker
    does not take it, log it with `if_lost`, what makes up for the lost task."""
    options = {"args": args, "kwargs": kwargs, "expires": expires}
    options = {option: value for option, value in options.items() if value is not None}

    def send() -> None:
        try:
            current_app.send_task(name, retry=False, **options)
        except Exception:
            logger.error(
                "Could not hand the task %s (%s) to the worker; %s",
                name,
                ", ".join(f"{key}={value}" for key, value in options.items()),
                if_lost,
                exc_info=True,
            )

    transaction.on_commit(send)
