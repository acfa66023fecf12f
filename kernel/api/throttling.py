"""Scoped throttles whose counts live in the `throttle` cache, shared by every worker.

When that cache does not answer (Redis gone or hung), a throttle cannot count, and it fails
closed: the request is a 503 `service_unavailable` with `Retry-After`, the answer a database
outage gets. Letting requests through uncounted would lift the limit on password guessing for
as long as the cache is away, which is exactly when nobody is watching it.
"""

import functools

from django.core.cache import caches
from rest_framework.throttling import ScopedRateThrottle as DRFScopedRateThrottle

from kernel.api.errors import ServiceUnavailable
from kernel.cache import CACHE_ERRORS


class _FailClosed:
    """The throttle cache, whose every call raises `ServiceUnavailable` when it does not answer.

    It wraps the cache rather than a throttle's method, so that every subclass, whichever of
    the cache's methods it calls, fails closed the same way.
    """

    def __init__(self, cache) -> None:
        self._cache = cache

    def __getattr__(self, name: str):
        attribute = getattr(self._cache, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def call(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            except CACHE_ERRORS as error:
                raise ServiceUnavailable(f"The throttle cache did not answer: {error}") from error

        return call


class ScopedRateThrottle(DRFScopedRateThrottle):
    """DRF's scoped throttle (per user, or per client IP when anonymous) on the shared cache."""

    @property
    def cache(self):
        return _FailClosed(caches["throttle"])
