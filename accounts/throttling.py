"""One throttle for every way to sign in: the token endpoint and the two login pages.

A session from the browsable API's login (`/api-auth/login/`) or the admin's (`/admin/login/`)
works on the whole API, so those pages guess passwords as well as `POST /api/v1/auth/token/`
does. All three count in the same windows of the shared `throttle` cache
(`kernel.api.throttling`), so what is used up on one path is used up on the others:

- per client (DRF's `get_ident`: the address `NUM_PROXIES` proxies in front report, else
  `REMOTE_ADDR`), scope `auth_token`: every attempt counts, even a malformed one, before any
  password is hashed;
- per account (the email tried, normalised as it is stored), scope `sign_in_account`: failed
  attempts count. An attempt is counted when it starts and taken back when the password was
  right, so a burst of concurrent guesses, each waiting on the slow hasher, cannot slip
  through before the first failure is recorded.

The per-account window is what stops a guesser who spreads over many addresses; its price is
that anyone can lock an account out of password sign-in by failing on purpose. So its limit
is higher than a client's, and it lasts only as long as its window: docs/API.md says more.
"""

import hashlib
import math
from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

from accounts.models import normalize_email
from kernel.api.throttling import ScopedRateThrottle

CLIENT_SCOPE = "auth_token"
ACCOUNT_SCOPE = "sign_in_account"


class SignInThrottled(Exception):
    """The client or the account has used up its sign-in attempts for now."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"Too many sign-in attempts; try again in {math.ceil(wait)} seconds.")
        self.wait = math.ceil(wait)


class _Window(ScopedRateThrottle):
    """DRF's sliding window of one scope and one key, in the throttle cache and format."""

    def __init__(self, scope: str, ident: str) -> None:
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.cache_format % {"scope": scope, "ident": ident}
        self.now = self.timer()
        self.history = self._recent()

    def _recent(self) -> list[float]:
        return [at for at in self.cache.get(self.key, []) if at > self.now - self.duration]

    def take(self) -> None:
        """Count this attempt, or raise `SignInThrottled` if the window is full."""
        if len(self.history) >= self.num_requests:
            # Newest first: the window has room again once its `num_requests`-th entry expires
            # (with a rate of 0 it never has: a whole window).
            blocking = self.history[self.num_requests - 1] if self.num_requests else self.now
            raise SignInThrottled(self.duration - (self.now - blocking))
        self.history = [self.now, *self._recent()]
        self.cache.set(self.key, self.history, self.duration)

    def give_back(self) -> None:
        """Uncount this attempt."""
        history = self._recent()
        if self.now in history:
            history.remove(self.now)
            self.cache.set(self.key, history, self.duration)


def count_client_attempt(request: HttpRequest) -> None:
    """Count a sign-in attempt of the request's client; `SignInThrottled` if it has no more."""
    _Window(CLIENT_SCOPE, BaseThrottle().get_ident(request)).take()


@contextmanager
def account_attempt(email: str) -> Iterator[None]:
    """Around checking a password for `email`: `SignInThrottled` before it, if the account has
    no attempts left; the attempt stays counted unless the block finishes without raising."""
    digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()
    window = _Window(ACCOUNT_SCOPE, digest)
    window.take()
    yield
    window.give_back()


class SignInClientThrottle(BaseThrottle):
    """The per-client count as a DRF throttle, for the token endpoint (before its body is read)."""

    def __init__(self) -> None:
        self.throttled: SignInThrottled | None = None

    def allow_request(self, request, view) -> bool:
        try:
            count_client_attempt(request)
        except SignInThrottled as throttled:
            self.throttled = throttled
            return False
        return True

    def wait(self) -> float | None:
        return self.throttled.wait if self.throttled else None
