"""The webhooks' errors, rendered by the API as `{"detail", "code"}`."""

from kernel.exceptions import DomainError


class WebhookError(DomainError):
    code = "webhook_error"


class WebhookUrlForbidden(WebhookError):
    """The URL's host is, or resolves to, an address the shop must not call (its own network)."""

    code = "webhook_url_forbidden"
    default_detail = "The URL's host resolves to a private, loopback or link-local address."


class WebhookUrlUnresolvable(WebhookError):
    code = "webhook_url_unresolvable"
    default_detail = "The URL's host does not resolve."
