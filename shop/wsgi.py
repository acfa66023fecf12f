"""WSGI entry point (gunicorn shop.wsgi): Django, reading chunked request bodies too."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

application = get_wsgi_application()

from kernel.wsgi import ChunkedBodies  # noqa: E402  (Django is set up first)

application = ChunkedBodies(application)
