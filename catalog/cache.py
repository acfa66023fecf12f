"""A cache of the catalog's public reads (lists, a product's detail), never stale once a write has
committed.

Keys carry the catalog's version, a random token kept in one database row (`CatalogVersion`).
Every write service calls `catalog_changed()`, which replaces the token as soon as the write's
transaction commits, before the writer's request returns. A reader reads the token first, then
the cache, and on a miss the database; so whatever is stored under a token was read from the
database after that token was set, and includes every write committed before it. A fresh
random token (rather than a counter) cannot come back, so no old entry is ever found again.

The token lives in the database rather than in the cache because the default cache (local
memory) is private to each worker process: a token there would never reach the other workers.
Reading it costs one small query, where the list it saves costs two queries and a page of rows.

The product detail is kept the same way: its three queries cost more than the tokens' one.

A key is made of the query's validated values (the view's `self.query`, see
`kernel.api.views`), never of the raw query string: equivalent URLs (`?page=1` or none,
`?in_stock=TRUE` or `true`, parameters in any order) share one entry, a URL with anything the
list does not read is a 400 before the cache is looked at, and a value the list refuses is an
error that is never stored. So the entries are bounded by the real queries of the catalog (and
a detail's by its path: an id written with leading zeros is an entry of its own, at most 19).

Reads inside a transaction neither use nor fill the cache: they may see writes of their own
that are not committed (and may never be).

A cache that does not answer (Redis gone, `kernel.cache.CACHE_ERRORS`) is done without: the
read goes to the database, as on a miss, and the next request tries the cache again.

Stock moves with every order, far more often than anything else: it has a token of its own
(`stock_changed()` replaces `CatalogVersion.stock_token` after commit, and not the catalog's
`token`), read in the same query. A product list page is kept under the catalog's token with
the stock token it was computed under. Read under another stock token, what the page says of
stock is replaced by the stock as of that token: a small entry of `{variant id: stock}` for
the page's products, keyed by both tokens, which the first such read fills with one query
(`selectors.variant_stock`). So an order costs the next read of each page one small query, not
the page; that stock is read after the token by the same argument as the page after its own.
A list whose membership depends on stock (`?in_stock=`) is kept under both tokens instead, and
recomputed after a stock move.

`settings.CATALOG_CACHE_TIMEOUT` (seconds, default 300; 0 turns the cache off) bounds how long
an entry of an old version lingers before the cache drops it.
"""

import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import NamedTuple, TypeVar
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
# Compiled once (`kernel.db.CompiledQuery`): every cached read asks for the tokens, and building
# this query cost several times what the database took to answer it.
_TOKENS = CompiledQuery(
    CatalogVersion.objects.order_by().values("token", "stock_token").filter, pk=int
)
# Query values on which a list's membership depends on stock, not only what it shows of it.
STOCK_FILTERS = frozenset({"in_stock"})


class Version(NamedTuple):
    catalog: str
    stock: str


def catalog_changed() -> None:
    """Call in every catalog write: cached reads are dropped once the transaction commits."""
    transaction.on_commit(new_version)


def stock_changed() -> None:
    """Call where stock moves (a reservation, a release): once the transaction commits, cached
    pages show the new stock, and lists filtered by stock are dropped."""
    transaction.on_commit(new_stock_version)


def new_version() -> str:
    """Replace the catalog's version token (creating its row if it is missing)."""
    return _replace(token=uuid.uuid4().hex)["token"]


def new_stock_version() -> str:
    """Replace the stock's version token (creating the row if it is missing)."""
    return _replace(stock_token=uuid.uuid4().hex)["stock_token"]


def _replace(**tokens: str) -> dict[str, str]:
    if CatalogVersion.objects.filter(pk=1).update(**tokens):
        return tokens
    tokens = {"token": uuid.uuid4().hex, "stock_token": uuid.uuid4().hex} | tokens
    try:
        with transaction.atomic():
            CatalogVersion.objects.create(pk=1, **tokens)
    except IntegrityError:
        CatalogVersion.objects.filter(pk=1).update(**tokens)
    return tokens


def current_version() -> Version:
    """The catalog's and the stock's tokens (one query)."""
    rows = _TOKENS.rows(pk=1)
    row = rows[0] if rows else _replace(token=uuid.uuid4().hex, stock_token=uuid.uuid4().hex)
    return Version(row["token"], row["stock_token"])


def _timeout() -> int:
    return getattr(settings, "CATALOG_CACHE_TIMEOUT", DEFAULT_TIMEOUT)


def _uses_cache(request) -> bool:
    return bool(_timeout()) and request.method == "GET" and not connection.in_atomic_block


def _digest(request, query: dict) -> str:
    user = request.user
    audience = "staff" if selectors.sees_inactive_products(user) else "public"
    values = urlencode(sorted((name, str(value)) for name, value in query.items()))
    # The host, the scheme and the `format` (one the view renders, or the request is a 400)
    # are in the key too: pages carry absolute `next` and `previous` links, which keep it.
    url_format = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE, "")
    url = f"{request.scheme}://{request.get_host()}{request.path}?{values}"
    return hashlib.sha256(f"{audience} {url_format} {url}".encode()).hexdigest()


def cached(request, query: dict, compute: Callable[[], T]) -> T:
    """`compute()`'s result for this GET request, whose query string validated to `query`,
    computed at most once per catalog version."""
    if not _uses_cache(request):
        return compute()
    key = f"catalog:{current_version().catalog}:{_digest(request, query)}"
    return _get_or_compute(key, compute)


def cached_products(request, query: dict, compute: Callable[[], dict]) -> dict:
    """`cached` for a page of products (`product_json`s under `results`) or one product's
    detail, computed at most once per catalog version unless its query filters by stock; its
    stock is always the stock's."""
    if not _uses_cache(request):
        return compute()
    version = current_version()
    digest = _digest(request, query)
    if STOCK_FILTERS & query.keys():
        return _get_or_compute(f"catalog:{version.catalog}:{version.stock}:{digest}", compute)
    page_key = f"catalog:{version.catalog}:{digest}"
    entry = _get(page_key)
    if entry is _DOWN:
        return compute()
    if entry is None:
        page = compute()
        _keep({page_key: (version.stock, page)})
        return page
    computed_under, page = entry
    if computed_under == version.stock:
        return page
    stock_key = f"catalog-stock:{version.catalog}:{version.stock}:{digest}"
    stock = kept = _get(stock_key)
    if kept is _DOWN or kept is None or not _covers(page, kept):
        stock = selectors.variant_stock(product_ids=[row["id"] for row in _products(page)])
        if kept is not _DOWN:
            _keep({stock_key: stock})
    _show_stock(page, stock)
    return page


# What `_get` answers when the cache does not: the read goes to the database, and nothing is
# kept (a frozen cache would make the request wait a second time).
_DOWN = object()


def _get(key: str):
    """The cache's entry (None if it has none), or `_DOWN`."""
    try:
        return caches["default"].get(key)
    except CACHE_ERRORS as error:
        logger.warning("The cache did not answer; reading the database: %s", error)
        return _DOWN


def _get_or_compute(key: str, compute: Callable[[], T]) -> T:
    result = _get(key)
    if result is _DOWN:
        return compute()
    if result is None:
        result = compute()
        _keep({key: result})
    return result


def _keep(entries: dict) -> None:
    try:
        caches["default"].set_many(entries, _timeout())
    except CACHE_ERRORS as error:
        logger.warning("The cache did not answer; the read is not kept: %s", error)


def _products(page: dict) -> list[dict]:
    """The products a page holds, or the one a detail is."""
    return page.get("results", [page])


def _covers(page: dict, stock: dict[int, int]) -> bool:
    """Whether `stock` has every variant of the page. Workers sharing a cache (Redis) may keep,
    under one catalog token, stock read before a variant was added and a page computed after
    it (committed, its token not yet replaced) by a worker that read an older stock token."""
    return all(
        variant["id"] in stock for product in _products(page) for variant in product["variants"]
    )


def _show_stock(page: dict, stock: dict[int, int]) -> None:
    """Put `stock` in the page's products as `product_json` renders it: each variant's, and
    the product's, their sum."""
    for product in _products(page):
        total = 0
        for variant in product["variants"]:
            variant["stock"] = stock[variant["id"]]
            variant["in_stock"] = variant["stock"] > 0
            total += variant["stock"]
        product["stock"] = total
        product["in_stock"] = total > 0
