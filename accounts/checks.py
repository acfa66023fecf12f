"""System checks of the accounts app's settings."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


def check_password_reset_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A deployment check: a reset link carries a token that sets the account's password, so
    it must not travel in clear text to the storefront's page."""
    url = urlsplit(settings.PASSWORD_RESET_URL)
    if settings.DEBUG or (url.scheme == "https" and url.netloc):
        return []
    return [
        checks.Warning(
            f"PASSWORD_RESET_URL is {settings.PASSWORD_RESET_URL!r}, not an https URL: the "
            "password-reset links the shop emails could be read on their way.",
            hint="Set PASSWORD_RESET_URL to the storefront's https page that takes the link's "
            "uid and token.",
            id="accounts.W001",
        )
    ]
