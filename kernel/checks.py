"""System checks of the deployment itself, which no one app owns."""

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks

COLLECT_HINT = "Run `python manage.py collectstatic --noinput` before starting the server."
NAMED = 5


def check_static_manifest(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every static file the finders know is listed in the manifest production serves from.

    With a manifest storage and `DEBUG` off, `{% static %}` raises for a file missing from the
    manifest, so a server whose `STATIC_ROOT` was never collected (or was collected before an
    upgrade added files) answers every HTML page — the admin, the browsable API, Swagger UI —
    with a 500, while the JSON API and the health check work. Listing the finders and reading
    the manifest takes a few milliseconds, so `shop.wsgi` runs this at start-up too.
    """
    if settings.DEBUG:
        return []
    try:
        if not isinstance(staticfiles_storage, ManifestFilesMixin):
            return []
        if staticfiles_storage.read_manifest() is None:
            return [
                checks.Error(
                    f"The static files are not collected: {settings.STATIC_ROOT} has no "
                    f"{staticfiles_storage.manifest_name}, so every HTML page would be a 500.",
                    hint=COLLECT_HINT,
                    id="kernel.E001",
                )
            ]
        manifest, _ = staticfiles_storage.load_manifest()
    except ValueError as error:
        return [
            checks.Error(
                f"The static files manifest cannot be read: {error}",
                hint=COLLECT_HINT,
                id="kernel.E001",
            )
        ]
    missing = sorted(set(_collectable_paths()) - set(manifest))
    if not missing:
        return []
    more = f" and {len(missing) - NAMED} more" if len(missing) > NAMED else ""
    return [
        checks.Error(
            f"The manifest in {settings.STATIC_ROOT} lacks {len(missing)} of the static "
            f"files: {', '.join(missing[:NAMED])}{more}; the pages that use them would be 500s.",
            hint=COLLECT_HINT,
            id="kernel.E002",
        )
    ]


def _collectable_paths():
    """The manifest keys of what `collectstatic` would collect, found as it finds them."""
    ignore_patterns = apps.get_app_config("staticfiles").ignore_patterns
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns):
            prefix = getattr(storage, "prefix", None)
            name = f"{prefix}/{path}" if prefix else path
            yield staticfiles_storage.hash_key(staticfiles_storage.clean_name(name))


EMBEDDED_BROKERS = ("filesystem:", "memory:")


def check_broker(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production names its broker: the embedded one only carries work between processes that
    share this machine's `CELERY_BROKER_DIR`, so a second server or a worker elsewhere would
    never see the events, expiry or emails of this one."""
    if settings.DEBUG or not str(settings.CELERY_BROKER_URL).startswith(EMBEDDED_BROKERS):
        return []
    return [
        checks.Warning(
            "CELERY_BROKER_URL is not set: background work (the events' relay, order expiry, "
            "emails) runs on the embedded broker, which only processes on this machine share.",
            hint="Set CELERY_BROKER_URL to the production broker (amqp://… for RabbitMQ) and "
            "run `make worker` beside the servers.",
            id="kernel.W001",
        )
    ]


def check_private_webhook_urls(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production never lets a webhook reach into its own network (`kernel.webhooks.addresses`):
    `WEBHOOK_ALLOW_PRIVATE_URLS` is for a development machine whose receiver runs locally."""
    if settings.DEBUG or not settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return []
    return [
        checks.Warning(
            "WEBHOOK_ALLOW_PRIVATE_URLS is true: staff may point webhooks at private, loopback "
            "and link-local addresses, the shop's own network and its cloud metadata service.",
            hint="Unset WEBHOOK_ALLOW_PRIVATE_URLS in production.",
            id="kernel.W002",
        )
    ]
