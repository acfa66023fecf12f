from django.apps import AppConfig
from django.core import checks


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts.checks import check_password_reset_url

        checks.register(check_password_reset_url, checks.Tags.security, deploy=True)
