"""Which addresses a webhook may be sent to: public ones only (no SSRF into the shop's network).

A URL's host is resolved (`getaddrinfo`) and refused if any of its addresses is private,
loopback, link-local, reserved, multicast, unspecified or otherwise not global (an IPv4 address
mapped into IPv6 is judged as the IPv4 one), unless `WEBHOOK_ALLOW_PRIVATE_URLS` is true (a
development machine, the tests). Resolving again at delivery, and connecting to the address
found then, closes the gap a DNS answer that changes after the check (rebinding) would open.
"""

import ipaddress
import socket
from urllib.parse import SplitResult

from django.conf import settings

from kernel.webhooks.exceptions import WebhookUrlForbidden, WebhookUrlUnresolvable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_forbidden(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def port_of(url: SplitResult) -> int:
    """The URL's port, or its scheme's; `ValueError` for one out of range."""
    return url.port or (443 if url.scheme == "https" else 80)


def allowed_addresses(url: SplitResult) -> list[str]:
    """The addresses the URL's host resolves to, each one the shop may connect to.

    Raises `WebhookUrlUnresolvable` for a host that does not resolve, `WebhookUrlForbidden`
    when any of its addresses is forbidden (unless `WEBHOOK_ALLOW_PRIVATE_URLS`).
    """
    host = url.hostname or ""
    try:
        infos = socket.getaddrinfo(host, port_of(url), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise WebhookUrlUnresolvable(f"The URL's host {host!r} does not resolve.") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not settings.WEBHOOK_ALLOW_PRIVATE_URLS and any(
        is_forbidden(ipaddress.ip_address(address.split("%", 1)[0])) for address in addresses
    ):
        raise WebhookUrlForbidden()
    return addresses
