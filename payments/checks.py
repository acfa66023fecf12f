"""System checks: a misconfigured gateway is reported at start-up, not at the first payment."""

from django.conf import settings
from django.core import checks

from payments.gateways import GATEWAYS
from payments.gateways.webhooks import TOLERANCE_SECONDS

# An HMAC-SHA256 key should carry at least as many bytes as the hash: 32.
MIN_WEBHOOK_SECRET_LENGTH = 32
# Longer than a charge request can take (HTTP clients' timeouts are seconds to tens of seconds).
MIN_RECONCILE_AFTER_SECONDS = 60


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


def check_housekeeping_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Reconciliation and pruning are only safe with windows longer than what they wait for."""
    errors = []
    if settings.PAYMENTS_RECONCILE_AFTER_SECONDS < MIN_RECONCILE_AFTER_SECONDS:
        errors.append(
            checks.Error(
                f"PAYMENTS_RECONCILE_AFTER_SECONDS is {settings.PAYMENTS_RECONCILE_AFTER_SECONDS}:"
                " a charge still on its way to the provider could be failed as never received.",
                hint=f"Set it to at least {MIN_RECONCILE_AFTER_SECONDS}, above the provider "
                "client's request timeout.",
                id="payments.E003",
            )
        )
    if settings.PAYMENTS_WEBHOOK_EVENT_RETENTION_DAYS * 86_400 <= TOLERANCE_SECONDS:
        errors.append(
            checks.Error(
                "PAYMENTS_WEBHOOK_EVENT_RETENTION_DAYS is "
                f"{settings.PAYMENTS_WEBHOOK_EVENT_RETENTION_DAYS}: a replayed webhook whose "
                "signature is still valid would no longer be recognised.",
                hint=f"Keep events longer than the {TOLERANCE_SECONDS} s a signature is valid: "
                "at least 1 day.",
                id="payments.E004",
            )
        )
    return errors
