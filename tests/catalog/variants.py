"""Products sold in several kinds, made through the catalog's services."""

from decimal import Decimal

from catalog import selectors, services
from catalog.models import Product, ProductVariant


def sell_in_sizes(product: Product, sizes: int, *, stock: int = 10) -> list[ProductVariant]:
    """Turn `product`'s one variant into size "1" and add sizes "2" to `sizes`, each with
    `stock` units; returns the variants by position."""
    (first,) = selectors.product_variants_to_change(product_id=product.pk)
    variants = [
        services.update_variant(variant=first, data={"options": {"size": "1"}, "stock": stock})
    ]
    for size in range(2, sizes + 1):
        variants.append(
            services.create_variant(
                product=product,
                sku=f"{product.sku}-{size}",
                price=Decimal("10.00") + size,
                options={"size": str(size)},
                stock=stock,
            )
        )
    return variants
