"""Scoped throttles whose counts live in the `throttle` cache, shared by every worker."""

from django.core.cache import caches
from rest_framework.throttling import ScopedRateThrottle as DRFScopedRateThrottle


class ScopedRateThrottle(DRFScopedRateThrottle):
    """DRF's scoped throttle (per user, or per client IP when anonymous) on the shared cache."""

    @property
    def cache(self):
        return caches["throttle"]
