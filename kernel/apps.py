from django.apps import AppConfig
from django.core import checks
from django.utils.module_loading import autodiscover_modules


class KernelConfig(AppConfig):
    name = "kernel"
    label = "kernel"
    verbose_name = "Shared kernel"

    def ready(self) -> None:
        from kernel.checks import check_broker, check_private_webhook_urls, check_static_manifest

        checks.register(check_static_manifest, checks.Tags.staticfiles, deploy=True)
        checks.register(check_broker, deploy=True)
        checks.register(check_private_webhook_urls, deploy=True)
        # Each app's event consumers (`<app>/consumers.py`), as the admin finds `admin.py`.
        autodiscover_modules("consumers")
        # The kernel's own consumer: the outgoing webhooks.
        import kernel.webhooks.consumer  # noqa: F401
