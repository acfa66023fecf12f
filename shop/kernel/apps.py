from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "shop.kernel"
    label = "kernel"
    verbose_name = "Shared kernel"
