"""WSGI entry point (gunicorn shop.wsgi): Django, reading chunked request bodies too.

A server that cannot render its HTML pages refuses to start: without `collectstatic`, every
page of the admin, the browsable API and Swagger UI would be a 500 while the health check says
ok. gunicorn then stops with the check's message ("Worker failed to boot").
"""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from kernel.checks import check_static_manifest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

application = get_wsgi_application()

if errors := check_static_manifest():
    raise ImproperlyConfigured("\n".join(f"{e.id}: {e.msg} {e.hint}" for e in errors))

from kernel.wsgi import ChunkedBodies  # noqa: E402  (Django is set up first)

application = ChunkedBodies(application)
