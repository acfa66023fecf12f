"""The catalog's cross-module interface over HTTP: what `catalog.services` would become if the
catalog were a separate service.

Same signatures, same DTOs, same domain error as the in-process functions, against the bench's
internal endpoints (`bench.views`, mounted only by `bench.urls`). One TCP connection a call:
gunicorn's sync workers close the connection after every response.
"""

import http.client
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from urllib.parse import urlsplit

from catalog.dtos import ProductSnapshot, Shortage, StockLine, VariantSnapshot
from catalog.exceptions import ReservationFailed


class CatalogHttpError(Exception):
    """The catalog service answered with something this client does not understand."""


class CatalogClient:
    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        parts = urlsplit(base_url)
        self._host, self._port = parts.hostname, parts.port or 80
        self._prefix = parts.path.rstrip("/") + "/bench/catalog"
        self._timeout = timeout

    def _call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        try:
            headers = {"Accept": "application/json"}
            payload = None
            if body is not None:
                payload = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            connection.request(method, self._prefix + path, body=payload, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        return response.status, json.loads(raw) if raw else {}

    def get_products(self, *, ids: Iterable[int]) -> dict[int, ProductSnapshot]:
        """Snapshots of the products with these ids that exist (active or not), by id."""
        query = ",".join(str(int(product_id)) for product_id in set(ids))
        status, data = self._call("GET", f"/products/?ids={query}")
        if status != 200:
            raise CatalogHttpError(f"get_products: HTTP {status} {data}")
        snapshots = (_snapshot(item) for item in data["products"])
        return {snapshot.id: snapshot for snapshot in snapshots}

    def reserve_stock(self, *, lines: Sequence[StockLine]) -> list[VariantSnapshot]:
        """Take each line's units out of its variant's stock, all lines or none;
        `ReservationFailed` otherwise. The lines name variants (the bench's endpoint takes
        variant ids only)."""
        body = {"lines": [[line.variant_id, line.quantity] for line in lines]}
        status, data = self._call("POST", "/reserve/", body)
        if status == 200:
            return [_variant(item) for item in data["variants"]]
        if data.get("code") in {"insufficient_stock", "product_unavailable"}:
            raise ReservationFailed(
                unavailable=data["unavailable_product_ids"],
                unavailable_variants=data["unavailable_variant_ids"],
                shortages=[Shortage(**shortage) for shortage in data["shortages"]],
            )
        raise CatalogHttpError(f"reserve_stock: HTTP {status} {data}")

    def release_stock(self, *, lines: Iterable[tuple[int, int]]) -> None:
        """Put `(variant_id, quantity)` units back in stock."""
        status, data = self._call("POST", "/release/", {"lines": [list(line) for line in lines]})
        if status != 204:
            raise CatalogHttpError(f"release_stock: HTTP {status} {data}")


def _snapshot(item: dict) -> ProductSnapshot:
    return ProductSnapshot(
        id=item["id"],
        sku=item["sku"],
        name=item["name"],
        price=Decimal(item["price"]),
        currency=item["currency"],
        stock=item["stock"],
        is_active=item["is_active"],
        variant_ids=tuple(item["variant_ids"]),
    )


def _variant(item: dict) -> VariantSnapshot:
    return VariantSnapshot(
        id=item["id"],
        product_id=item["product_id"],
        sku=item["sku"],
        name=item["name"],
        product_name=item["product_name"],
        price=Decimal(item["price"]),
        currency=item["currency"],
        stock=item["stock"],
        is_active=item["is_active"],
    )
