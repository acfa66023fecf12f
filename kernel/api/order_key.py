"""The `Order-Key` header, shared by orders' and payments' views: a guest order's key.

A guest order (one without a customer) is opened by its key, a secret its checkout answered
with once. Whoever sends it as `Order-Key` may read that order, cancel it while pending, pay it
and list its payments; the views ask `orders.services` whether the key opens the order (hashes
compared in constant time), and a key that does not is 404, as for any order not one's own.
The key travels only in this header, never in a URL (a query parameter would land in access
logs and browser history; an unknown one is refused anyway), and every response to a request
carrying it is `Cache-Control: no-store` (`GenericViewSet.finalize_response`).
"""

from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from kernel.api.throttling import ScopedRateThrottle

ORDER_KEY_HEADER = "Order-Key"
ORDER_KEY_PARAMETER = OpenApiParameter(
    name=ORDER_KEY_HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="A guest order's key, from its checkout's answer: opens that order to anyone "
    "sending it. Without it (or with a wrong one) a guest order is 404.",
)


def order_key(request) -> str | None:
    """The `Order-Key` header's value, or None when it is absent or empty."""
    return request.headers.get(ORDER_KEY_HEADER) or None


class SignedInOrOrderKey(BasePermission):
    """Signed-in users; on the view's `key_actions`, also anyone sending an `Order-Key` (which
    the action then checks against the order)."""

    def has_permission(self, request, view) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        return view.action in view.key_actions and order_key(request) is not None


class OrderKeyThrottle(ScopedRateThrottle):
    """Requests carrying an `Order-Key`, per client (per user when signed in), at the
    `order_key` rate, whichever the view: it bounds how fast anyone may try keys. A request
    without the header is not counted."""

    def allow_request(self, request, view) -> bool:
        if order_key(request) is None:
            return True
        self.scope = "order_key"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        # The counting itself (DRF's scoped throttle would read the view's scope instead).
        return SimpleRateThrottle.allow_request(self, request, view)
