"""Endpoints that exist only in the bench's URLconf (`bench.urls`), never in production.

- The **floor**: a static page of 20 product-shaped items, through the same middleware,
  authentication classes and DRF view, pagination-shaped envelope and JSON renderer as
  `GET /api/v1/products/`, but with no database and no serializer. What a real endpoint reaches
  as a fraction of it is the share of the request its own work costs.
- Internal catalog endpoints wrapping `catalog.services.get_products`, `reserve_stock` and
  `release_stock`, for `bench.catalog_http`: the same interface over HTTP. They authenticate
  nobody (they are mounted on loopback, in the bench only), so the HTTP figures of the
  boundary comparison are a lower bound: a real service boundary also authenticates its caller.
- **Placing an order with no outbox** (`without_outbox`): the counterfactual against which the
  outbox's cost on placing is measured in the same run.
"""

import functools
from unittest import mock

from django.views.decorators.csrf import csrf_exempt
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import services as catalog
from catalog.dtos import ProductSnapshot, StockLine, VariantSnapshot


def _floor_item(number: int) -> dict:
    return {
        "id": number,
        "sku": f"FLOOR-{number:05d}",
        "name": f"Floor product {number}",
        "slug": f"floor-product-{number}",
        "description": "A static item: the floor does no work of its own.",
        "category": {"id": 1, "name": "Floor", "slug": "floor"},
        "price": f"{number}.99",
        "currency": "USD",
        "stock": 1000,
        "in_stock": True,
        "is_active": True,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }


FLOOR_PAGE = {
    "count": 20,
    "next": None,
    "previous": None,
    "results": [_floor_item(number) for number in range(1, 21)],
}


class FloorView(APIView):
    """GET: the static page. Anyone may read it, as anyone may read the catalog."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response(FLOOR_PAGE)


def snapshot_data(snapshot: ProductSnapshot) -> dict:
    return {
        "id": snapshot.id,
        "sku": snapshot.sku,
        "name": snapshot.name,
        "price": str(snapshot.price),
        "currency": snapshot.currency,
        "stock": snapshot.stock,
        "is_active": snapshot.is_active,
        "variant_ids": list(snapshot.variant_ids),
    }


def variant_data(snapshot: VariantSnapshot) -> dict:
    return {
        "id": snapshot.id,
        "product_id": snapshot.product_id,
        "sku": snapshot.sku,
        "name": snapshot.name,
        "product_name": snapshot.product_name,
        "price": str(snapshot.price),
        "currency": snapshot.currency,
        "stock": snapshot.stock,
        "is_active": snapshot.is_active,
    }


class _InternalView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class _LinesSerializer(serializers.Serializer):
    lines = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        allow_empty=False,
    )


def _lines(request) -> list[tuple[int, int]]:
    """The body's `[variant_id, quantity]` pairs."""
    payload = _LinesSerializer(data=request.data)
    payload.is_valid(raise_exception=True)
    return [(variant_id, quantity) for variant_id, quantity in payload.validated_data["lines"]]


class ProductsView(_InternalView):
    """GET ?ids=1,2,3: `catalog.services.get_products(ids=...)`, as a list."""

    def get(self, request):
        raw = request.query_params.get("ids", "")
        try:
            ids = [int(value) for value in raw.split(",") if value]
        except ValueError:
            return Response({"ids": ["Comma-separated integers."]}, status=400)
        products = catalog.get_products(ids=ids)
        return Response({"products": [snapshot_data(p) for p in products.values()]})


class ReserveView(_InternalView):
    """POST {"lines": [[variant_id, quantity], ...]}: `catalog.services.reserve_stock`."""

    def post(self, request):
        lines = [
            StockLine(quantity, variant_id=variant_id) for variant_id, quantity in _lines(request)
        ]
        snapshots = catalog.reserve_stock(lines=lines)
        return Response({"variants": [variant_data(snapshot) for snapshot in snapshots]})


class ReleaseView(_InternalView):
    """POST {"lines": [[variant_id, quantity], ...]}: `catalog.services.release_stock`."""

    def post(self, request):
        catalog.release_stock(lines=_lines(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# What placing an order does for the outbox, all of it: building the event's payload from the
# order just written, and the INSERT into the outbox (the relay polls; nothing else is sent).
OUTBOX_WORK = "orders.services._record_event"


def _no_event(*args, **kwargs) -> None:
    """Stands in for `OUTBOX_WORK`: the shop as it was before the outbox."""


def no_outbox():
    """A context in which placing an order does none of the outbox's work (`OUTBOX_WORK`)."""
    return mock.patch(OUTBOX_WORK, new=_no_event)


def without_outbox(view):
    """`view` run in `no_outbox()`, a request at a time.

    The bench mounts `POST /api/v1/orders/`'s own view this way (`bench.urls`), so the same
    authentication, throttle, validation, `place_order` and response run, minus the outbox:
    the counterfactual for the outbox's cost on placing, measured in the same run against the
    same server. The patch lasts one request: gunicorn's sync workers serve one at a time, so
    the production route, served by the same workers, keeps its outbox. Entering and leaving
    the patch costs a few µs a request, against milliseconds for a placement.
    """

    @csrf_exempt
    @functools.wraps(view)
    def placed_without_outbox(request, *args, **kwargs):
        with no_outbox():
            return view(request, *args, **kwargs)

    return placed_without_outbox
