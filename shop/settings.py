"""Settings for shop, read from the environment.

Every value that differs between a laptop and production comes from an environment variable;
the defaults are the safe ones, except where `DEBUG` is on for local development.
"""

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured

from kernel.ids import MAX_ID

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=true for local development, which uses a throwaway key)."
        )
    SECRET_KEY = "django-insecure-local-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "shop.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "kernel",
    "shop",
    "accounts",
    "catalog",
    "orders",
    "payments",
    "checkout",
]

MIDDLEWARE = [
    # First, so that a preflight is answered before anything else can answer it.
    "corsheaders.middleware.CorsMiddleware",
    # Before everything that may answer (whitenoise, redirects), so every response gets one.
    "kernel.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kernel.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# A slashless URL is redirected with a 308, which keeps the method (kernel.middleware).
APPEND_SLASH = True

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite by default, anything dj-database-url understands through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take SQLite's write lock up front, so concurrent writers queue
    # instead of failing with "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# After logging in to the browsable API at /api-auth/login/ without a `next`.
LOGIN_REDIRECT_URL = "/api/v1/products/"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` puts the files whitenoise serves; the server refuses to start with DEBUG
# off until they are collected there (kernel.checks.check_static_manifest).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Uploaded files (product images): the file system under MEDIA_ROOT by default, served at
# MEDIA_URL by the shop itself (`manage.py runserver` with DEBUG: shop/urls.py; `manage.py serve`:
# nginx); MEDIA_STORAGE=s3 puts them in any S3-compatible store instead (django-storages), which
# serves them itself (the AWS_* variables below).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "/media/"
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "") or "filesystem"
if MEDIA_STORAGE == "filesystem":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            # Any S3-compatible store (MinIO, R2, ...); empty: AWS itself.
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            # A CDN or public host name for the files' URLs; empty: the bucket's own.
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            # Public, unsigned URLs: product images are for everyone. A name in use is never
            # overwritten (each upload has a new name anyway).
            "querystring_auth": False,
            "default_acl": None,
            "file_overwrite": False,
        },
    }
    if not _media_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be filesystem or s3, not {MEDIA_STORAGE!r}.")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Caches: local memory by default, Redis when REDIS_URL is set. Throttle counts must be shared by
# every worker process of this instance and by no other instance, so without Redis they live in
# the instance's own database (the table `kernel_cache`, created by the kernel's migrations).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # One Redis may serve several shops: keys carry a prefix of this instance, by default named
    # after its database (the workers of one instance share it, two shops never do), so counts
    # are shared by exactly the processes that share the data. CACHE_KEY_PREFIX overrides it.
    _database = DATABASES["default"]
    _database_name = str(_database["NAME"])
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        _database_name = os.path.abspath(_database_name)
    _instance = f"{_database['HOST']}:{_database['PORT']}/{_database_name}"
    CACHE_KEY_PREFIX = (
        os.environ.get("CACHE_KEY_PREFIX") or hashlib.sha256(_instance.encode()).hexdigest()[:16]
    )
    # A Redis that does not answer must not hold requests up: a read or a connection attempt
    # gives up after a fraction of a second (the catalog then reads the database, the
    # throttles answer 503), and the next request tries again, so nothing needs a restart.
    _redis_options = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": _redis_options,
        },
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:throttle",
            "OPTIONS": _redis_options,
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        },
        "throttle": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kernel_cache",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        },
    }

# An Idempotency-Key whose request died with its worker is taken over after this many seconds.
# No request outlives gunicorn's worker timeout (`--timeout`, 30 s by default), so this must
# exceed it (kernel/idempotency.py).
IDEMPOTENCY_LOCK_SECONDS = env_int("IDEMPOTENCY_LOCK_SECONDS", 60)
if IDEMPOTENCY_LOCK_SECONDS < 1:
    raise ImproperlyConfigured("IDEMPOTENCY_LOCK_SECONDS must be at least 1.")

# A pending order not paid within this many seconds of being placed is cancelled by the shop
# (orders.services.expire_overdue_orders), and its stock comes back.
ORDER_PAYMENT_WINDOW_SECONDS = env_int("ORDER_PAYMENT_WINDOW_SECONDS", 1800)
if ORDER_PAYMENT_WINDOW_SECONDS < 1:
    raise ImproperlyConfigured("ORDER_PAYMENT_WINDOW_SECONDS must be at least 1.")

SHOP_CURRENCY = os.environ.get("SHOP_CURRENCY", "USD").upper()
if len(SHOP_CURRENCY) != 3 or not SHOP_CURRENCY.isalpha():
    raise ImproperlyConfigured(f"SHOP_CURRENCY must be an ISO 4217 code, not {SHOP_CURRENCY!r}.")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["kernel.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "kernel.api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "kernel.api.negotiation.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "kernel.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "kernel.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "kernel.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth_token": os.environ.get("THROTTLE_AUTH_TOKEN", "10/min"),
        # Failed sign-ins per account, whichever the client (accounts.throttling).
        "sign_in_account": os.environ.get("THROTTLE_SIGN_IN_ACCOUNT", "20/hour"),
        "auth_register": os.environ.get("THROTTLE_AUTH_REGISTER", "10/min"),
        "order_placement": os.environ.get("THROTTLE_ORDER_PLACEMENT", "30/min"),
        # Requests with a guest order's `Order-Key`, per client (kernel.api.order_key).
        "order_key": os.environ.get("THROTTLE_ORDER_KEY", "60/min"),
        # New carts, per client (per user when signed in): a guest may create one (checkout.apis).
        "cart_creation": os.environ.get("THROTTLE_CART_CREATION", "30/min"),
        # Password reset, per client: asking for an email, and using its link (accounts.apis).
        "password_reset": os.environ.get("THROTTLE_PASSWORD_RESET", "5/hour"),
        "password_reset_confirm": os.environ.get("THROTTLE_PASSWORD_RESET_CONFIRM", "10/hour"),
    },
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "shop API",
    "DESCRIPTION": "The public REST API of shop: catalog, accounts, orders and payments.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Path ids (`kernel.api.routers.IdConverter`) are integers in the document too.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}
    },
    # One `OrderStatus` component: the order's status, its history's and the `?status=` filter.
    "ENUM_NAME_OVERRIDES": {"OrderStatus": "orders.models.OrderStatus"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kernel.api.schema.reuse_enum_components",
    ],
}

# CORS: browsers on these origins (a storefront) may call the API; none by default. Clients send
# a bearer token, never cookies, so credentials stay disallowed.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = (*default_headers, "idempotency-key", "order-key")
CORS_EXPOSE_HEADERS = ["Retry-After", "Idempotent-Replayed"]

PAYMENTS_GATEWAY = os.environ.get("PAYMENTS_GATEWAY", "sandbox")
PAYMENTS_SANDBOX_WEBHOOK_SECRET = os.environ.get(
    "PAYMENTS_SANDBOX_WEBHOOK_SECRET", "whsec_sandbox_local_development" if DEBUG else ""
)
# A payment still `processing` this long after shop last asked its provider is asked again
# (`payments.tasks.reconcile_payments`); longer than any charge request can take.
PAYMENTS_RECONCILE_AFTER_SECONDS = env_int("PAYMENTS_RECONCILE_AFTER_SECONDS", 300)
# Processed webhook event ids are kept this long, far beyond the 300 s a signature is valid,
# so a replayed delivery is always recognised (`payments.tasks.prune_webhook_events`).
PAYMENTS_WEBHOOK_EVENT_RETENTION_DAYS = env_int("PAYMENTS_WEBHOOK_EVENT_RETENTION_DAYS", 30)

# Background work (Celery; shop/celery.py). The broker comes from CELERY_BROKER_URL: RabbitMQ
# (`amqp://user:password@host:5672/vhost`) in production, Redis (`redis://…`) works too. Without
# one, an embedded broker that needs no server: kombu's filesystem transport, messages as files
# under CELERY_BROKER_DIR, which the web server, the worker and beat (separate processes) share
# (docs/ARCHITECTURE.md, "Background work", says why not the SQLAlchemy transport).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "") or "filesystem://"
CELERY_BROKER_DIR = Path(os.environ.get("CELERY_BROKER_DIR") or BASE_DIR / ".broker")
if CELERY_BROKER_URL.startswith("filesystem:"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "messages"),
        "data_folder_out": str(CELERY_BROKER_DIR / "messages"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
    }
else:
    # The broker confirms every message before `basic_publish` returns (RabbitMQ's publisher
    # confirms): the outbox relay marks an event sent only then.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_BROKER_DIR / "beat-schedule")
# Nothing reads a task's result: tasks write what they do to the database.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# A task is acknowledged once it has run, so a worker killed mid-task leaves it to another; every
# task is safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# How often beat runs the outbox relay, which publishes the events recorded since (one indexed
# query when there are none): an event reaches the broker within about this.
OUTBOX_RELAY_INTERVAL_SECONDS = env_int("OUTBOX_RELAY_INTERVAL_SECONDS", 1)
# How long sent events stay in the outbox (for the admin and for replaying by hand) before
# housekeeping deletes them; unsent ones stay until they are sent.
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 7)
# Each event consumer (`kernel.consumers`) reads a durable queue of its own named with this prefix.
EVENT_QUEUE_PREFIX = os.environ.get("EVENT_QUEUE_PREFIX", "shop.")
# How often beat looks for pending orders past their `expires_at` (one indexed query when there
# are none): an expired order's stock is back within this.
ORDER_EXPIRY_INTERVAL_SECONDS = env_int("ORDER_EXPIRY_INTERVAL_SECONDS", 10)
# Outgoing webhooks (`kernel.webhooks`). An endpoint whose URL resolves to a private, loopback,
# link-local or otherwise non-public address is refused, at saving and at each delivery, unless
# this is true (a development machine whose receiver runs locally; never in production).
WEBHOOK_ALLOW_PRIVATE_URLS = env_bool("WEBHOOK_ALLOW_PRIVATE_URLS", DEBUG)
# A failed delivery is tried again after base * 2**(attempts - 1) seconds, up to 8 attempts.
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30)
# Delivered and failed deliveries stay in the log this long before housekeeping deletes them.
WEBHOOK_DELIVERY_RETENTION_DAYS = env_int("WEBHOOK_DELIVERY_RETENTION_DAYS", 30)
# Beat's schedule: each app's periodic tasks (`<app>/tasks.py`), by name. Each entry expires
# after its interval, so ticks queued while no worker ran do not pile up.
CELERY_BEAT_SCHEDULE = {
    "kernel.relay_events": {
        "task": "kernel.relay_events",
        "schedule": OUTBOX_RELAY_INTERVAL_SECONDS,
        "options": {"expires": OUTBOX_RELAY_INTERVAL_SECONDS},
    },
    # Each run is bounded and skips rows another run holds, so an overlap is harmless; a run
    # that has not started before the next one is due is dropped (`expires`).
    "orders.expire_orders": {
        "task": "orders.expire_orders",
        "schedule": ORDER_EXPIRY_INTERVAL_SECONDS,
        "options": {"expires": ORDER_EXPIRY_INTERVAL_SECONDS},
    },
    "payments.reconcile_payments": {
        "task": "payments.reconcile_payments",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    "kernel.prune_idempotency_keys": {
        "task": "kernel.prune_idempotency_keys",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    "kernel.prune_sent_events": {
        "task": "kernel.prune_sent_events",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    "kernel.prune_consumed_events": {
        "task": "kernel.prune_consumed_events",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    "payments.prune_webhook_events": {
        "task": "payments.prune_webhook_events",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    # Asks for every due webhook delivery, so none depends on its task message surviving; a
    # delivery asked for twice is attempted once (each attempt claims its row first).
    "kernel.dispatch_webhooks": {
        "task": "kernel.dispatch_webhooks",
        "schedule": 10.0,
        "options": {"expires": 10.0},
    },
    "kernel.prune_webhook_deliveries": {
        "task": "kernel.prune_webhook_deliveries",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
}

# Security: strict unless DEBUG; each can be relaxed from the environment (e.g. `make serve`
# runs over plain HTTP on 127.0.0.1).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Email (Django's email framework), sent by the background worker, never inside a request.
# Without EMAIL_BACKEND: files under EMAIL_FILE_PATH when it is set, the console with DEBUG on
# (`make run` prints every message in the worker's output), else SMTP to EMAIL_HOST.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "")
if EMAIL_FILE_PATH:
    _default_email_backend = "django.core.mail.backends.filebased.EmailBackend"
elif DEBUG:
    _default_email_backend = "django.core.mail.backends.console.EmailBackend"
else:
    _default_email_backend = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or _default_email_backend
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shop <no-reply@localhost>")
# The shop's name, as its emails sign.
SHOP_NAME = os.environ.get("SHOP_NAME", "shop")
# The storefront's page that takes a password-reset link's `uid` and `token` (and posts them to
# /api/v1/auth/password/reset/confirm/); with DEBUG off it should be https (check --deploy).
PASSWORD_RESET_URL = os.environ.get("PASSWORD_RESET_URL") or "http://127.0.0.1:3000/reset-password"
# Django's own: how many seconds a password-reset link works.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)
if PASSWORD_RESET_TIMEOUT < 60:
    raise ImproperlyConfigured("PASSWORD_RESET_TIMEOUT must be at least 60 seconds.")

TEST_RUNNER = "pytest_django.runner.TestRunner"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
