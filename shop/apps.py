from django.apps import AppConfig


class ShopConfig(AppConfig):
    """The project itself, installed for its management commands (e.g. `seed_demo`)."""

    name = "shop"
    verbose_name = "shop"
