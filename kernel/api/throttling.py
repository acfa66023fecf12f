"""Scoped throttles whose counts live in the `throttle` cache, shared by every worker.

When that cache does not answer (Redis gone or hung), a throttle cannot count, and it fails
closed: the request is a 503 `service_unavailable` with `Retry-After`, the answer a database
outage gets. Letting requests through uncounted would lift the limit on password guessing for
as long as the cache is away, which is exactly when nobody is watching it.
"""

from django.core.cache import caches
from rest_framework.throttling import ScopedRateThrottle as DRFScopedRateThrottle

from kernel.api.errors import ServiceUnavailable
from kernel.cache import CACHE_ERRORS


class ScopedRateThrottle(DRFScopedRateThrottle):
    """DRF's scoped throttle (per user, or per client IP when anonymous) on the shared cache."""

    @property
    def cache(self):
        return caches["throttle"]

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            raise ServiceUnavailable(f"The throttle cache did not answer: {error}") from error
