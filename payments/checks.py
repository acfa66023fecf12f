"""System checks: a misconfigured gateway is reported at start-up, not at the first payment."""

from django.conf import settings
from django.core import checks

from payments.gateways import GATEWAYS


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
