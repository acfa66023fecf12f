"""The catalog's domain errors, each with a stable `code`."""

from collections.abc import Iterable

from catalog.dtos import Shortage
from kernel.exceptions import Conflict, DomainError, FieldError, NotFound


class CatalogError(DomainError):
    code = "catalog_error"


class ProductNotFound(NotFound, CatalogError):
    default_detail = "No such product."


class CategoryNotFound(NotFound, CatalogError):
    default_detail = "No such category."


class CategoryHasChildren(Conflict, CatalogError):
    code = "category_has_children"
    default_detail = "This category has subcategories: move or delete them first."


class DuplicateValue(FieldError, CatalogError):
    """A unique field (sku, slug) that another product or category already has."""

    code = "unique"


class InvalidValue(FieldError, CatalogError):
    """A field value that breaks one of the catalog's rules (a price of zero, negative stock)."""

    code = "invalid"


class VariantNotFound(NotFound, CatalogError):
    default_detail = "No such variant of this product."


class InvalidStockLines(CatalogError):
    code = "invalid_lines"
    default_detail = "Each variant may appear once, with a quantity of at least 1."


# The two errors below are about one field, yet rendered `{"detail", "code"}`: the contract names
# their codes, which DRF's field-error shape has no room for.


class ProductHasVariants(CatalogError):
    """`sku`, `price` or `stock` written on a product with several variants: each variant has
    its own, written through the variants' endpoints. Names the `fields` refused."""

    code = "product_has_variants"
    default_detail = (
        "This product has several variants: write each variant's sku, price and stock "
        "through its own endpoint."
    )

    def __init__(self, *, fields: Iterable[str]) -> None:
        self.fields = tuple(sorted(fields))
        super().__init__(fields=list(self.fields))


class DuplicateOptions(CatalogError):
    """Another variant of the product has the same options."""

    code = "duplicate_options"
    default_detail = "Another variant of this product has these options."


class LastVariant(Conflict, CatalogError):
    code = "last_variant"
    default_detail = "A product keeps at least one variant: delete the product instead."


class VariantRequired(CatalogError):
    """An item named a product that has several variants: which one is for the caller to say."""

    code = "variant_required"

    def __init__(self, *, product_ids: Iterable[int]) -> None:
        self.product_ids = tuple(sorted(product_ids))
        super().__init__(
            "These products come in several variants; give a variant_id: "
            + ", ".join(map(str, self.product_ids)),
            product_ids=list(self.product_ids),
        )


class ReservationFailed(CatalogError):
    """Stock could not be reserved: nothing was reserved.

    Names every unknown or inactive product (`unavailable`) and unknown variant
    (`unavailable_variants`), and every variant short of stock (`shortages`). With anything
    unavailable it is a 400 `product_unavailable`; with only shortages it is a 409
    `insufficient_stock`.
    """

    def __init__(
        self,
        *,
        unavailable: Iterable[int],
        shortages: Iterable[Shortage],
        unavailable_variants: Iterable[int] = (),
    ) -> None:
        self.unavailable = tuple(sorted(set(unavailable)))
        self.unavailable_variants = tuple(sorted(set(unavailable_variants)))
        self.shortages = tuple(
            sorted(shortages, key=lambda shortage: (shortage.product_id, shortage.variant_id))
        )
        if self.unavailable or self.unavailable_variants:
            self.status_code = 400
            self.code = "product_unavailable"
            named = [*map(str, self.unavailable)] + [
                f"variant {variant_id}" for variant_id in self.unavailable_variants
            ]
            detail = "Unknown or inactive product(s): " + ", ".join(named)
        else:
            self.status_code = 409
            self.code = "insufficient_stock"
            detail = "Not enough stock for product(s): " + ", ".join(
                str(shortage.product_id) for shortage in self.shortages
            )
        super().__init__(
            detail,
            unavailable_product_ids=list(self.unavailable),
            unavailable_variant_ids=list(self.unavailable_variants),
            shortages=[
                {
                    "product_id": shortage.product_id,
                    "variant_id": shortage.variant_id,
                    "requested": shortage.requested,
                    "available": shortage.available,
                }
                for shortage in self.shortages
            ],
        )


class InvalidImage(CatalogError):
    """An upload that is not a JPEG, PNG or WebP image within the limits (`catalog.images`)."""

    code = "invalid_image"
    default_detail = "The file is not a valid JPEG, PNG or WebP image."


class ProductImageNotFound(NotFound, CatalogError):
    default_detail = "No such image of this product."
