"""What the catalog hands to the apps above it: frozen values, never model instances."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class ProductSnapshot:
    """A product as it was when read: what an order line copies."""

    id: int
    sku: str
    name: str
    price: Decimal
    currency: str
    stock: int
    is_active: bool


@dataclass(frozen=True, slots=True)
class Shortage:
    """A product that has fewer units than were asked for."""

    product_id: int
    requested: int
    available: int
