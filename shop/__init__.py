"""The project's wiring; importing it loads the Celery app, so `shared_task`s bind to it."""

from shop.celery import app as celery_app

__all__ = ["celery_app"]
