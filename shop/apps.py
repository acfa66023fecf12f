from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ShopConfig(AppConfig):
    """The project itself, installed for its management commands (e.g. `seed_demo`)."""

    name = "shop"
    verbose_name = "shop"


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on accounts' site, whose login is throttled like every other sign-in."""

    default = False
    default_site = "accounts.pages.AdminSite"
