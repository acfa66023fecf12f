"""The Celery app: background work and the scheduler (beat), configured from Django's settings.

Settings named `CELERY_*` configure it (`CELERY_BROKER_URL`, `CELERY_BEAT_SCHEDULE`, ...);
every installed app's `tasks.py` is discovered. Apps write their tasks with
`celery.shared_task` and never import this module: it is wiring, like the settings.
"""

import os
from pathlib import Path

from celery import Celery

from kernel.event_queues import EventQueues

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The events on `shop.events` reach the apps' consumers (kernel.consumers) through the worker.
app.steps["consumer"].add(EventQueues)


@app.on_after_configure.connect
def _make_the_embedded_brokers_folders(sender: Celery, **kwargs) -> None:
    """kombu's filesystem transport writes into its folders but does not create them."""
    if not str(sender.conf.broker_url).startswith("filesystem:"):
        return
    options = sender.conf.broker_transport_options
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        Path(options[key]).mkdir(parents=True, exist_ok=True)
    Path(sender.conf.beat_schedule_filename).parent.mkdir(parents=True, exist_ok=True)
