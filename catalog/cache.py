"""A cache of the catalog's public list reads that is never stale once a write has committed.

Keys carry the catalog's version, a random token kept in one database row (`CatalogVersion`).
Every write service calls `catalog_changed()`, which replaces the token as soon as the write's
transaction commits, before the writer's request returns. A reader reads the token first, then
the cache, and on a miss the database; so whatever is stored under a token was read from the
database after that token was set, and includes every write committed before it. A fresh
random token (rather than a counter) cannot come back, so no old entry is ever found again.

The token lives in the database rather than in the cache because the default cache (local
memory) is private to each worker process: a token there would never reach the other workers.
Reading it costs one small query, where the list it saves costs two queries and a page of rows.

A key is made of the query's validated values (the view's `self.query`, see
`kernel.api.views`), never of the raw query string: equivalent URLs (`?page=1` or none,
`?in_stock=TRUE` or `true`, parameters in any order) share one entry, a URL with anything the
list does not read is a 400 before the cache is looked at, and a value the list refuses is an
error that is never stored. So the entries are bounded by the real queries of the catalog.

Reads inside a transaction neither use nor fill the cache: they may see writes of their own
that are not committed (and may never be).

A cache that does not answer (Redis gone, `kernel.cache.CACHE_ERRORS`) is done without: the
read goes to the database, as on a miss, and the next request tries the cache again.

`settings.CATALOG_CACHE_TIMEOUT` (seconds, default 300; 0 turns the cache off) bounds how long
an entry of an old version lingers before the cache drops it.
"""

import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, connection, transaction
from rest_framework.settings import api_settings

from catalog import selectors
from catalog.models import CatalogVersion
from kernel.cache import CACHE_ERRORS
from kernel.db import CompiledQuery

T = TypeVar("T")
logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 300
# Compiled once (`kernel.db.CompiledQuery`): every cached read asks for the token, and building
# this query cost several times what the database took to answer it.
_TOKEN = CompiledQuery(CatalogVersion.objects.order_by().values("token").filter, pk=int)


def catalog_changed() -> None:
    """Call in every catalog write: cached reads are dropped once the transaction commits."""
    transaction.on_commit(new_version)


def stock_changed() -> None:
    """Call where stock moves (a reservation, a release)."""
    catalog_changed()


def new_version() -> str:
    """Replace the catalog's version token (creating its row if it is missing)."""
    token = uuid.uuid4().hex
    if CatalogVersion.objects.filter(pk=1).update(token=token):
        return token
    try:
        with transaction.atomic():
            CatalogVersion.objects.create(pk=1, token=token)
    except IntegrityError:
        CatalogVersion.objects.filter(pk=1).update(token=token)
    return token


def current_version() -> str:
    return _TOKEN.value(pk=1) or new_version()


def _timeout() -> int:
    return getattr(settings, "CATALOG_CACHE_TIMEOUT", DEFAULT_TIMEOUT)


def _key(request, query: dict, version: str) -> str:
    user = request.user
    audience = "staff" if selectors.sees_inactive_products(user) else "public"
    values = urlencode(sorted((name, str(value)) for name, value in query.items()))
    # The host, the scheme and the `format` (one the view renders, or the request is a 400)
    # are in the key too: pages carry absolute `next` and `previous` links, which keep it.
    url_format = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE, "")
    url = f"{request.scheme}://{request.get_host()}{request.path}?{values}"
    digest = hashlib.sha256(f"{audience} {url_format} {url}".encode()).hexdigest()
    return f"catalog:{version}:{digest}"


def cached(request, query: dict, compute: Callable[[], T]) -> T:
    """`compute()`'s result for this GET request, whose query string validated to `query`,
    computed at most once per catalog version."""
    timeout = _timeout()
    if not timeout or request.method != "GET" or connection.in_atomic_block:
        return compute()
    key = _key(request, query, current_version())
    cache = caches["default"]
    try:
        result = cache.get(key)
    except CACHE_ERRORS as error:
        logger.warning("The cache did not answer; reading the database: %s", error)
        return compute()
    if result is None:
        result = compute()
        try:
            cache.set(key, result, timeout)
        except CACHE_ERRORS as error:
            logger.warning("The cache did not answer; the read is not kept: %s", error)
    return result
