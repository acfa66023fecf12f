"""What the catalog hands to the apps above it, and takes from them: frozen values, never model
instances."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class ProductSnapshot:
    """A product as it was when read: its stock is its variants' together; `variant_ids` by
    position."""

    id: int
    sku: str
    name: str
    price: Decimal
    currency: str
    stock: int
    is_active: bool
    variant_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class VariantSnapshot:
    """A variant as it was when read: what an order line copies (the variant's sku and name,
    its product's name, its price)."""

    id: int
    product_id: int
    sku: str
    name: str
    product_name: str
    price: Decimal
    currency: str
    stock: int
    is_active: bool


@dataclass(frozen=True, slots=True)
class StockLine:
    """Units of one variant to reserve: named by `variant_id`, or by `product_id` for a product
    that has exactly one variant."""

    quantity: int
    variant_id: int | None = None
    product_id: int | None = None


@dataclass(frozen=True, slots=True)
class Shortage:
    """A variant that has fewer units than were asked for."""

    product_id: int
    variant_id: int
    requested: int
    available: int
