"""The catalog's public interface: every write, and the reads other apps need.

Other apps call these functions and receive DTOs (`catalog.dtos`) or domain errors
(`catalog.exceptions`); they never see a model or a queryset.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog.dtos import ProductSnapshot, Shortage
from catalog.exceptions import InvalidStockLines, ReservationFailed
from catalog.models import Product
from shop.kernel.money import shop_currency

StockLines = Iterable[tuple[int, int]]


def _snapshot(product: Product, *, stock: int | None = None) -> ProductSnapshot:
    return ProductSnapshot(
        id=product.id,
        sku=product.sku,
        name=product.name,
        price=product.price,
        currency=shop_currency(),
        stock=product.stock if stock is None else stock,
        is_active=product.is_active,
    )


def _quantities(lines: StockLines) -> dict[int, int]:
    """`{product_id: quantity}`, refusing repeated products and quantities below 1."""
    quantities: dict[int, int] = {}
    for product_id, quantity in lines:
        if product_id in quantities or quantity < 1:
            raise InvalidStockLines()
        quantities[product_id] = quantity
    return quantities


def get_products(*, ids: Iterable[int]) -> dict[int, ProductSnapshot]:
    """Snapshots of the products with these ids that exist (active or not), by id."""
    return {product.id: _snapshot(product) for product in Product.objects.filter(id__in=set(ids))}


@transaction.atomic
def reserve_stock(*, lines: StockLines) -> list[ProductSnapshot]:
    """Take `(product_id, quantity)` units out of stock, all lines or none.

    The rows are locked in id order, so two callers reserving the same products in different
    orders queue instead of deadlocking. Raises `ReservationFailed` naming every unknown,
    inactive or short product. Returns the snapshots (stock after reservation) in line order.
    """
    quantities = _quantities(lines)
    products = {
        product.id: product
        for product in Product.objects.select_for_update().filter(id__in=quantities).order_by("id")
    }
    unavailable = [
        product_id
        for product_id in quantities
        if product_id not in products or not products[product_id].is_active
    ]
    shortages = [
        Shortage(product_id=product.id, requested=quantities[product.id], available=product.stock)
        for product in products.values()
        if product.is_active and product.stock < quantities[product.id]
    ]
    if unavailable or shortages:
        raise ReservationFailed(unavailable=unavailable, shortages=shortages)

    snapshots = [
        _snapshot(products[product_id], stock=products[product_id].stock - quantity)
        for product_id, quantity in quantities.items()
    ]
    _adjust_stock(products.values(), {pid: -quantity for pid, quantity in quantities.items()})
    return snapshots


@transaction.atomic
def release_stock(*, lines: StockLines) -> None:
    """Put `(product_id, quantity)` units back in stock; products deleted since are skipped."""
    quantities = _quantities(lines)
    products = Product.objects.select_for_update().filter(id__in=quantities).order_by("id")
    _adjust_stock(products.only("id"), quantities)


def _adjust_stock(products: Iterable[Product], deltas: dict[int, int]) -> None:
    """One UPDATE for every row, relative to the locked row's current stock."""
    now = timezone.now()
    changed = []
    for product in products:
        product.stock = F("stock") + deltas[product.id]
        product.updated_at = now
        changed.append(product)
    if changed:
        Product.objects.bulk_update(changed, ["stock", "updated_at"])
