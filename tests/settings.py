"""Test settings: production settings with a throwaway key, a fast hasher and local caches."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("PAYMENTS_SANDBOX_WEBHOOK_SECRET", "whsec_test_only")

from shop.settings import *  # noqa: F403

DEBUG = False
# Its default follows DEBUG, which the environment may have set before shop.settings read it.
WEBHOOK_ALLOW_PRIVATE_URLS = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "throttle",
    },
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploaded files never land in the repository; a test that stores some gives its own
# `tmp_path` (the `media` fixture of tests/catalog/test_images.py).
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"shop-test-media-{os.getpid()}"

# Serve static files straight from the apps (as `runserver` does) for live-server tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Tasks sent during a test (the relay asked for after a commit) go to kombu's in-memory broker:
# no server, no files. Tests call a task's function directly; the broker tests name their own.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
