"""Payment providers by name. A new provider is one `PaymentGateway` subclass and one entry here.

`settings.PAYMENTS_GATEWAY` names the provider that new charges go through.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from payments.gateways.base import PaymentGateway

GATEWAYS: dict[str, str] = {
    "sandbox": "payments.gateways.sandbox.SandboxGateway",
}


def get_gateway(name: str | None = None) -> PaymentGateway:
    """The provider called `name`, or the configured one (`settings.PAYMENTS_GATEWAY`)."""
    name = settings.PAYMENTS_GATEWAY if name is None else name
    try:
        path = GATEWAYS[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"Unknown payment gateway {name!r}; known: {', '.join(sorted(GATEWAYS))}."
        ) from None
    return import_string(path)()
