"""`manage.py run`: the whole shop for development, what `make run` starts.

Three processes under `shop.supervisor`: Django's development server, a Celery worker and
Celery beat (the scheduler), on the broker of `CELERY_BROKER_URL` or, without one, the embedded
filesystem broker that needs no server. One Ctrl-C stops all three; if one exits, the others
are stopped and the command fails.
"""

import signal
import sys

from django.core.management.base import BaseCommand

from shop.supervisor import start, supervise

CELERY = [sys.executable, "-m", "celery", "--app", "shop"]


class Command(BaseCommand):
    help = "Run the development server, a Celery worker and beat together; Ctrl-C stops all."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--concurrency", type=int, default=2, help="The worker's processes.")

    def handle(self, *args, host, port, concurrency, **options):
        children = {
            "web server": start(
                [sys.executable, "manage.py", "runserver", f"{host}:{port}", "--skip-checks"]
            ),
            "worker": start(
                [*CELERY, "worker", "--loglevel", "INFO", "--concurrency", str(concurrency)]
            ),
            "beat": start([*CELERY, "beat", "--loglevel", "INFO"]),
        }
        # SIGINT, as Ctrl-C in a terminal would send each: a warm shutdown for Celery.
        sys.exit(supervise(children, self.stderr, stop_signal=signal.SIGINT))
