"""`Idempotency-Key` for unsafe API operations, one mechanism for every app.

The first request with a key claims it in a row. A 2xx response is stored and replayed to
every later request with the same key and body; the same key with another body is 422
`idempotency_key_reused`; a 4xx or an exception releases the key, since it did no work.

With `atomic=True` the claim, the operation and the stored response commit together, so a
crash can never leave work done without its response recorded, nor a claim without its work:
a twin arriving meanwhile waits for the first transaction and replays its response (or, if it
failed, does the work itself). Operations that talk to the outside world between commits (a
payment) use `atomic=False`: their claim is committed on its own, so a twin arriving meanwhile
sees it (409 `idempotency_key_in_progress`); they guard against double work themselves.
"""

import functools
import hashlib
import json
import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from kernel.exceptions import Conflict, DomainError, FieldError
from kernel.housekeeping import delete_in_batches
from kernel.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY_LIFETIME = timedelta(hours=24)
_VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")


class IdempotencyKeyReused(DomainError):
    status_code = 422
    code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used with a different request body."


class IdempotencyKeyInProgress(Conflict):
    code = "idempotency_key_in_progress"
    default_detail = "A request with this Idempotency-Key is still being processed."


def _lock_window() -> timedelta:
    """How long a claim without a response holds its key.

    A claim whose request died with its worker (killed, timed out) is taken over by the next
    request with the key once it is `settings.IDEMPOTENCY_LOCK_SECONDS` old: no request outlives
    the server's worker timeout (gunicorn's `--timeout`), so the setting must exceed it. Until
    then a twin's 409 says, in `Retry-After`, when to come back. Should a request outlive the
    window all the same, its claim is fenced by its `locked_at` (`_held`): it can neither store
    its response over the claim of the twin that took it over, nor release that claim.
    """
    return timedelta(seconds=settings.IDEMPOTENCY_LOCK_SECONDS)


def _in_progress(seconds: float) -> IdempotencyKeyInProgress:
    """The 409, with `Retry-After`: the seconds until the claim may be taken over."""
    error = IdempotencyKeyInProgress()
    error.retry_after = max(1, math.ceil(seconds))
    return error


def _fingerprint(request) -> str:
    payload = json.dumps(
        {"method": request.method, "path": request.path, "body": request.data},
        sort_keys=True,
        cls=DjangoJSONEncoder,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _claim(*, user_id: int, scope: str, key: str, fingerprint: str):
    """Claim the key; return `(record, None)` to do the work or `(None, response)` to replay."""
    now = timezone.now()
    for _ in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user_id=user_id,
                    scope=scope,
                    key=key,
                    fingerprint=fingerprint,
                    created_at=now,
                    locked_at=now,
                )
            return record, None
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(user_id=user_id, scope=scope, key=key).first()
        if existing is None:
            continue
        if existing.created_at < now - KEY_LIFETIME:
            IdempotencyKey.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
            continue
        if existing.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if existing.response_status is not None:
            return None, Response(
                existing.response_body,
                status=existing.response_status,
                headers={"Idempotent-Replayed": "true"},
            )
        if existing.locked_at <= now - _lock_window():
            taken = IdempotencyKey.objects.filter(
                pk=existing.pk, locked_at=existing.locked_at, response_status__isnull=True
            ).update(locked_at=now)
            if taken:
                existing.locked_at = now
                return existing, None
        raise _in_progress((existing.locked_at + _lock_window() - now).total_seconds())
    raise _in_progress(1)


def _held(record: IdempotencyKey):
    """The claim's row, as long as this request still holds it (nobody took it over)."""
    return IdempotencyKey.objects.filter(
        pk=record.pk, locked_at=record.locked_at, response_status__isnull=True
    )


def _complete(record: IdempotencyKey, response: Response) -> None:
    body = json.loads(JSONRenderer().render(response.data)) if response.data is not None else None
    _held(record).update(response_status=response.status_code, response_body=body)


def _release(record: IdempotencyKey) -> None:
    _held(record).delete()


def read_key(request) -> str | None:
    """The request's `Idempotency-Key`, validated (1–255 printable ASCII characters), or None."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _VALID_KEY.fullmatch(key):
        raise FieldError(HEADER, "Must be 1 to 255 printable ASCII characters.")
    return key


def prune_expired_keys(*, now: datetime | None = None) -> int:
    """Delete the keys past their `KEY_LIFETIME` (which no request replays any more), in bounded
    batches; how many were deleted."""
    now = timezone.now() if now is None else now
    return delete_in_batches(IdempotencyKey.objects.filter(created_at__lt=now - KEY_LIFETIME))


def idempotent(scope: str, *, atomic: bool = True) -> Callable:
    """Make a DRF view method honour `Idempotency-Key` for the authenticated user."""

    def decorator(view_method: Callable) -> Callable:
        @functools.wraps(view_method)
        def wrapper(view, request, *args, **kwargs):
            key = read_key(request)
            # Keys are the signed-in user's: a guest's request (by `Order-Key`) runs as sent.
            if key is None or not request.user.is_authenticated:
                return view_method(view, request, *args, **kwargs)
            claim = functools.partial(
                _claim,
                user_id=request.user.pk,
                scope=scope,
                key=key,
                fingerprint=_fingerprint(request),
            )
            if atomic:
                # The claim commits with the work or not at all: a request that fails, even
                # because the database went away, leaves no claim behind to block its retry.
                with transaction.atomic():
                    record, replay = claim()
                    if replay is not None:
                        return replay
                    response = view_method(view, request, *args, **kwargs)
                    if 200 <= response.status_code < 300:
                        _complete(record, response)
            else:
                record, replay = claim()
                if replay is not None:
                    return replay
                try:
                    response = view_method(view, request, *args, **kwargs)
                    if 200 <= response.status_code < 300:
                        _complete(record, response)
                except BaseException:
                    _release(record)
                    raise
            if not 200 <= response.status_code < 300:
                _release(record)
            return response

        return wrapper

    return decorator
