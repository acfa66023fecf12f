"""System checks: a misconfigured gateway is reported at start-up, not at the first payment."""

from django.conf import settings
from django.core import checks

from payments.gateways import GATEWAYS

# An HMAC-SHA256 key should carry at least as many bytes as the hash: 32.
MIN_WEBHOOK_SECRET_LENGTH = 32


def check_gateway_setting(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    name = getattr(settings, "PAYMENTS_GATEWAY", None)
    if name in GATEWAYS:
        return []
    return [
        checks.Error(
            f"PAYMENTS_GATEWAY is {name!r}, which is not a known payment gateway.",
            hint=f"Use one of: {', '.join(sorted(GATEWAYS))}.",
            id="payments.E001",
        )
    ]


def check_webhook_secret(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A deployment check: without its secret the sandbox refuses every webhook as forged.

    With `DEBUG` on, settings supply a development secret, so only production is checked.
    """
    if settings.DEBUG or settings.PAYMENTS_GATEWAY != "sandbox":
        return []
    secret = settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET
    if len(secret) >= MIN_WEBHOOK_SECRET_LENGTH:
        return []
    message = (
        "PAYMENTS_SANDBOX_WEBHOOK_SECRET is not set: every webhook is refused as unsigned."
        if not secret
        else f"PAYMENTS_SANDBOX_WEBHOOK_SECRET is only {len(secret)} characters long: "
        "an HMAC key that short can be guessed."
    )
    return [
        checks.Error(
            message,
            hint=(
                "Set PAYMENTS_SANDBOX_WEBHOOK_SECRET to the secret the provider signs its "
                f"webhooks with, at least {MIN_WEBHOOK_SECRET_LENGTH} random characters."
            ),
            id="payments.E002",
        )
    ]
