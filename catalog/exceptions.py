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


class InvalidStockLines(CatalogError):
    code = "invalid_lines"
    default_detail = "Each product may appear once, with a quantity of at least 1."


class ReservationFailed(CatalogError):
    """Stock could not be reserved: nothing was reserved.

    Names every unknown or inactive product (`unavailable`) and every product short of stock
    (`shortages`). With any unavailable product it is a 400 `product_unavailable`; with only
    shortages it is a 409 `insufficient_stock`.
    """

    def __init__(self, *, unavailable: Iterable[int], shortages: Iterable[Shortage]) -> None:
        self.unavailable = tuple(sorted(unavailable))
        self.shortages = tuple(sorted(shortages, key=lambda shortage: shortage.product_id))
        if self.unavailable:
            self.status_code = 400
            self.code = "product_unavailable"
            detail = "Unknown or inactive product(s): " + ", ".join(map(str, self.unavailable))
        else:
            self.status_code = 409
            self.code = "insufficient_stock"
            detail = "Not enough stock for product(s): " + ", ".join(
                str(shortage.product_id) for shortage in self.shortages
            )
        super().__init__(
            detail,
            unavailable_product_ids=list(self.unavailable),
            shortages=[
                {
                    "product_id": shortage.product_id,
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
