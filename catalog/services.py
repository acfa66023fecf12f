"""The catalog's public interface: every write, and the reads other apps need.

Other apps call these functions and receive DTOs (`catalog.dtos`) or domain errors
(`catalog.exceptions`); they never see a model or a queryset.
"""

import datetime
import itertools
import logging
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from catalog import images, selectors
from catalog.cache import catalog_changed, stock_changed
from catalog.dtos import ProductSnapshot, Shortage, StockLine, VariantSnapshot
from catalog.exceptions import (
    CategoryHasChildren,
    CategoryNotFound,
    DuplicateOptions,
    DuplicateValue,
    InvalidStockLines,
    InvalidValue,
    LastVariant,
    ProductHasVariants,
    ProductImageNotFound,
    ProductNotFound,
    ReservationFailed,
    VariantNotFound,
    VariantRequired,
)
from catalog.models import (
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    MAX_STOCK,
    MIN_PRICE,
    Category,
    Product,
    ProductImage,
    ProductVariant,
)
from catalog.serializers import product_detail_json
from kernel.background import send_task_on_commit
from kernel.db import execute
from kernel.dtos import from_fields
from kernel.money import CENT, DECIMAL_PLACES, MAX_DIGITS, shop_currency
from kernel.outbox import record_event
from kernel.writes import apply_changes, save_checked, value_taken

logger = logging.getLogger(__name__)


def get_products(*, ids: Iterable[int]) -> dict[int, ProductSnapshot]:
    """Snapshots of the products with these ids that exist (active or not), by id; a product's
    stock is its variants' together (two queries)."""
    products = Product.objects.filter(id__in=set(ids))
    variants: dict[int, list[tuple[int, int]]] = {}
    rows = ProductVariant.objects.filter(product__in=products).order_by("position", "id")
    for product_id, variant_id, stock in rows.values_list("product_id", "id", "stock"):
        variants.setdefault(product_id, []).append((variant_id, stock))
    return {
        product.id: from_fields(
            ProductSnapshot,
            product,
            currency=shop_currency(),
            stock=sum(stock for _, stock in variants.get(product.id, [])),
            variant_ids=tuple(variant_id for variant_id, _ in variants.get(product.id, [])),
        )
        for product in products
    }


def get_variants(*, ids: Iterable[int]) -> dict[int, VariantSnapshot]:
    """Snapshots of the variants with these ids that exist (their products active or not), by
    id (one query)."""
    variants = ProductVariant.objects.filter(id__in=set(ids)).select_related("product")
    return {variant.id: _variant_snapshot(variant) for variant in variants}


def _variant_snapshot(variant: ProductVariant, *, stock: int | None = None) -> VariantSnapshot:
    return VariantSnapshot(
        id=variant.id,
        product_id=variant.product_id,
        sku=variant.sku,
        name=variant.name,
        product_name=variant.product.name,
        price=variant.price,
        currency=shop_currency(),
        stock=variant.stock if stock is None else stock,
        is_active=variant.product.is_active,
    )


@transaction.atomic
def reserve_stock(*, lines: Sequence[StockLine]) -> list[VariantSnapshot]:
    """Take each line's units out of its variant's stock, all lines or none.

    A line names its variant, or a product with exactly one variant (else `VariantRequired`).
    The variants' rows are locked in id order, so two callers reserving the same variants in
    different orders queue instead of deadlocking; their products are read, not locked (a
    reservation never waits on a staff write to a product). Raises `ReservationFailed` naming
    every unknown or inactive product and unknown variant, and every variant short of stock.
    Returns the snapshots (stock after reservation) in line order.
    """
    variant_ids, unknown_products = _variant_ids(lines)
    quantities = _quantities(zip(variant_ids, (line.quantity for line in lines), strict=True))
    stock_changed()
    variants = {
        variant.id: variant
        for variant in ProductVariant.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(id__in=[variant_id for variant_id in quantities if variant_id is not None])
        .order_by("id")
    }
    unknown_variants = [
        line.variant_id
        for line, variant_id in zip(lines, variant_ids, strict=True)
        if line.variant_id is not None and variant_id not in variants
    ]
    inactive = [
        variant.product_id for variant in variants.values() if not variant.product.is_active
    ]
    shortages = [
        Shortage(
            product_id=variant.product_id,
            variant_id=variant.id,
            requested=quantities[variant.id],
            available=variant.stock,
        )
        for variant in variants.values()
        if variant.product.is_active and variant.stock < quantities[variant.id]
    ]
    if unknown_products or unknown_variants or inactive or shortages:
        raise ReservationFailed(
            unavailable=[*unknown_products, *inactive],
            unavailable_variants=unknown_variants,
            shortages=shortages,
        )
    snapshots = [
        _variant_snapshot(variants[variant_id], stock=variants[variant_id].stock - quantity)
        for variant_id, quantity in quantities.items()
    ]
    _adjust_stock(list(variants), {vid: -quantity for vid, quantity in quantities.items()})
    return snapshots


def _variant_ids(lines: Sequence[StockLine]) -> tuple[list[int | None], list[int]]:
    """Each line's variant id (None for an unknown product), and the unknown products' ids.

    A line that names a product takes its one variant (one query for all such lines); a product
    with several is `VariantRequired`.
    """
    for line in lines:
        if (line.variant_id is None) == (line.product_id is None):
            raise InvalidStockLines("Each line names a variant or a product, not both.")
    by_product: dict[int, list[int]] = {}
    product_ids = {line.product_id for line in lines if line.variant_id is None}
    if product_ids:
        rows = ProductVariant.objects.filter(product_id__in=product_ids).order_by("id")
        for product_id, variant_id in rows.values_list("product_id", "id"):
            by_product.setdefault(product_id, []).append(variant_id)
    several = [product_id for product_id, ids in by_product.items() if len(ids) > 1]
    if several:
        raise VariantRequired(product_ids=several)
    unknown = sorted(product_ids - by_product.keys())
    return [
        line.variant_id
        if line.variant_id is not None
        else by_product.get(line.product_id, [None])[0]
        for line in lines
    ], unknown


def _quantities(lines: Iterable[tuple[int | None, int]]) -> dict[int | None, int]:
    """`{variant_id: quantity}`, refusing repeated variants and quantities below 1 (unknown
    products' lines, None, are left to `ReservationFailed`)."""
    quantities: dict[int | None, int] = {}
    for variant_id, quantity in lines:
        if quantity < 1:
            raise InvalidStockLines()
        if variant_id is not None and variant_id in quantities:
            raise InvalidStockLines(f"Variant {variant_id} appears more than once.")
        if variant_id is not None:
            quantities[variant_id] = quantity
    return quantities


@transaction.atomic
def release_stock(*, lines: Iterable[tuple[int, int]]) -> None:
    """Put `(variant_id, quantity)` units back in stock; variants deleted since are skipped."""
    quantities = _quantities(lines)
    stock_changed()
    variants = ProductVariant.objects.select_for_update().filter(id__in=quantities).order_by("id")
    _adjust_stock(list(variants.values_list("id", flat=True)), quantities)


def _adjust_stock(ids: list[int], deltas: Mapping[int, int]) -> None:
    """One UPDATE for every variant row, relative to the locked row's current stock.

    Written out in SQL from the model's column names and run by `kernel.db.execute`:
    `bulk_update`'s CASE expressions cost about 3 ms of CPU to build for an order of three
    lines, twice what the rest of `reserve_stock` costs (docs/PERFORMANCE.md).
    """
    if not ids:
        return
    stock = _column("stock")
    table = connection.ops.quote_name(ProductVariant._meta.db_table)
    pk, updated_at = _column("id"), _column("updated_at")
    cases = " ".join(["WHEN %s THEN %s"] * len(ids))
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        f"UPDATE {table} SET {stock} = {stock} + CASE {pk} {cases} END, "
        f"{updated_at} = %s WHERE {pk} IN ({placeholders})"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [value for pk_value in ids for value in (pk_value, deltas[pk_value])]
    execute(sql, [*params, now, *ids])


def _column(field: str) -> str:
    return connection.ops.quote_name(ProductVariant._meta.get_field(field).column)


# Categories and products: the writes behind the staff API and the admin.

CATEGORY_FIELDS = frozenset({"name", "slug", "description", "parent"})
PRODUCT_FIELDS = frozenset(
    {"sku", "name", "slug", "description", "category", "price", "stock", "is_active"}
)
_AUTO_SLUG_ATTEMPTS = 3
# Room for a "-<n>" suffix within the slug's 220 characters.
_PRODUCT_SLUG_BASE_LENGTH = 200


@transaction.atomic
def create_category(
    *, name: str, slug: str = "", description: str = "", parent: Category | None = None
) -> Category:
    """Create a category, beneath `parent` if given; without a slug, one is made from the name."""
    catalog_changed()
    _lock_parent(parent)
    category = Category(
        name=name, slug=slug or _category_slug(name), description=description, parent=parent
    )
    _check_category_slug_free(category)
    save_checked(category, field_error=_field_error)
    return category


@transaction.atomic
def update_category(*, category: Category, data: Mapping[str, Any]) -> Category:
    """Change the given fields; a blank slug is made afresh from the (new) name.

    A product shows its category's name and slug, so a change to either is a change to each of
    its products, and each reports it (`product.updated`). A new `parent` may not be the
    category itself or one beneath it (`_check_no_cycle`). Every write bumps the catalog's
    version: a move changes which products `?category=` finds.
    """
    if "parent" in data:
        _lock_tree()
    if not Category.objects.select_for_update().filter(pk=category.pk).exists():
        raise CategoryNotFound()
    catalog_changed()
    shown = (category.name, category.slug)
    changed = apply_changes(category, data, allowed=CATEGORY_FIELDS)
    if "slug" in changed and not category.slug:
        category.slug = _category_slug(category.name)
    if "slug" in changed:
        _check_category_slug_free(category)
    if "parent" in changed:
        _lock_parent(category.parent)
        _check_no_cycle(category)
    save_checked(category, field_error=_field_error, update_fields=[*changed, "updated_at"])
    if (category.name, category.slug) != shown:
        product_ids = Product.objects.filter(category=category).values_list("id", flat=True)
        _record_product_events(
            "product.updated", selectors.product_rows_by_id(ids=list(product_ids))
        )
    return category


@transaction.atomic
def delete_category(*, category: Category) -> None:
    """Delete a category without subcategories (else `CategoryHasChildren`, a 409); its
    products stay, without a category (each reports the change)."""
    catalog_changed()
    # Locked first: a child created or moved beneath it meanwhile waits, then finds it gone.
    if not Category.objects.select_for_update().filter(pk=category.pk).exists():
        raise CategoryNotFound()
    if Category.objects.filter(parent=category).exists():
        raise CategoryHasChildren()
    product_ids = list(
        Product.objects.filter(category=category).order_by("id").values_list("id", flat=True)
    )
    category.delete()
    _record_product_events("product.updated", selectors.product_rows_by_id(ids=product_ids))


# Any constant: the key of the PostgreSQL advisory lock every move in the tree takes.
_TREE_LOCK_KEY = 0x636174_74726565


def _lock_tree() -> None:
    """Serialise the moves in the category tree until this transaction ends.

    Two moves that are each fine alone can close a cycle together (A beneath B while B goes
    beneath A): each checks the other's old parents. Taken before any row lock, so moves
    queue instead of deadlocking; other writes do not take it. On PostgreSQL a transaction-level
    advisory lock; SQLite lets one transaction write at a time anyway.
    """
    if connection.vendor == "postgresql":
        execute("SELECT pg_advisory_xact_lock(%s)", [_TREE_LOCK_KEY])


def _lock_parent(parent: Category | None) -> None:
    """Keep the parent from being deleted until this transaction ends (see `_lock_category`)."""
    if parent is not None and not (
        Category.objects.select_for_update(no_key=True).filter(pk=parent.pk).exists()
    ):
        raise InvalidValue("parent", "No such category.")


def _check_no_cycle(category: Category) -> None:
    """Refuse a parent that is the category itself or one of its descendants."""
    if category.parent_id is None:
        return
    chain = selectors.ancestors(category_id=category.parent_id)
    if any(ancestor.pk == category.pk for ancestor in chain):
        raise InvalidValue(
            "parent", "A category cannot be placed beneath itself or one of its subcategories."
        )


@transaction.atomic
def create_product(
    *,
    sku: str,
    name: str,
    price: Decimal,
    slug: str = "",
    description: str = "",
    category: Category | None = None,
    stock: int = 0,
    is_active: bool = True,
) -> Product:
    """Create a product with one variant, which takes `sku`, `price` and `stock` and no options;
    without a slug, a unique one is made from the name."""
    catalog_changed()
    product = Product(
        sku=sku,
        name=name,
        slug=slug,
        description=description,
        category=category,
        price=price,
        is_active=is_active,
    )
    variant = ProductVariant(sku=sku, price=price, stock=stock, options={})
    _check_variant_values(variant)
    _check_sku_free(variant)
    _lock_category(category)
    _save_product(product, auto_slug=not slug)
    variant.product = product
    save_checked(variant, field_error=_field_error)
    _record_product_events("product.created", selectors.product_rows_by_id(ids=[product.pk]))
    return product


VARIANT_SUMMARY_FIELDS = frozenset({"sku", "price", "stock"})


@transaction.atomic
def update_product(*, product: Product, data: Mapping[str, Any]) -> Product:
    """Change the given fields only, so a concurrent stock reservation is never overwritten.

    `sku`, `price` and `stock` are its variant's: written to it if it has one, refused
    (`ProductHasVariants`) if it has several. A blank slug is made afresh from the (new) name.
    Raises `ProductNotFound` if the product was deleted meanwhile.
    """
    if not Product.objects.select_for_update().filter(pk=product.pk).exists():
        raise ProductNotFound()
    catalog_changed()
    data = dict(data)
    variant_data = {field: data.pop(field) for field in VARIANT_SUMMARY_FIELDS & data.keys()}
    if variant_data:
        variants = list(ProductVariant.objects.filter(product_id=product.pk)[:2])
        if len(variants) > 1:
            raise ProductHasVariants(fields=variant_data)
        _write_variant(variants[0], variant_data)
    changed = apply_changes(product, data, allowed=PRODUCT_FIELDS - VARIANT_SUMMARY_FIELDS)
    if "category" in changed:
        _lock_category(product.category)
    auto_slug = "slug" in changed and not product.slug
    _save_product(product, auto_slug=auto_slug, update_fields=[*changed, "updated_at"])
    if variant_data:
        _refresh_summary(product)
    # Read back: the fields not changed here may be older in `product` than in its row.
    _record_product_events("product.updated", selectors.product_rows_by_id(ids=[product.pk]))
    return product


# Variants: each write locks its product's row first, so that the checks across a product's
# variants (options, the last one) and its summary (`_refresh_summary`) see every other write to
# them. Reservations lock variant rows only and never wait on a product's row.

VARIANT_FIELDS = frozenset({"sku", "name", "options", "price", "stock", "position"})


@transaction.atomic
def create_variant(
    *,
    product: Product,
    sku: str,
    price: Decimal,
    options: Mapping[str, str],
    stock: int = 0,
    name: str = "",
    position: int | None = None,
) -> ProductVariant:
    """Add a variant to `product`, last unless `position` says otherwise.

    Its option names must be those of the product's other variants, its values not all those
    of another (`DuplicateOptions`); without a name, it is made from the values (`"M / red"`).
    """
    _lock_product(product)
    catalog_changed()
    if position is None:
        last = (
            ProductVariant.objects.filter(product_id=product.pk)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        position = 0 if last is None else last + 1
    variant = ProductVariant(product=product, position=position)
    _write_variant(
        variant, {"sku": sku, "price": price, "options": options, "stock": stock, "name": name}
    )
    _refresh_summary(product)
    _report_product(product.pk)
    return variant


@transaction.atomic
def update_variant(*, variant: ProductVariant, data: Mapping[str, Any]) -> ProductVariant:
    """Change the given fields of a variant; `VariantNotFound` if it was deleted meanwhile.

    The variant is read again once its product is locked: a write that committed since
    `variant` was read is kept, not overwritten by its older values."""
    _lock_product(variant.product)
    try:
        variant.refresh_from_db(fields=sorted(VARIANT_FIELDS))
    except ProductVariant.DoesNotExist:
        raise VariantNotFound() from None
    catalog_changed()
    _write_variant(variant, data)
    _refresh_summary(variant.product)
    _report_product(variant.product_id)
    return variant


@transaction.atomic
def delete_variant(*, variant: ProductVariant) -> None:
    """Delete a variant; a product's last one stays (`LastVariant`, a 409). Orders keep their
    own copies of its sku, name and price."""
    _lock_product(variant.product)
    catalog_changed()
    siblings = ProductVariant.objects.filter(product_id=variant.product_id)
    if not siblings.filter(pk=variant.pk).exists():
        raise VariantNotFound()
    if siblings.count() == 1:
        raise LastVariant()
    siblings.filter(pk=variant.pk).delete()
    _refresh_summary(variant.product)
    _report_product(variant.product_id)


def _lock_product(product: Product) -> None:
    if not Product.objects.select_for_update().filter(pk=product.pk).exists():
        raise ProductNotFound()


def _write_variant(variant: ProductVariant, data: Mapping[str, Any]) -> None:
    """Apply `data` to `variant` and save it, after checking its values, its sku and its options
    against the product's other variants (whose product the caller has locked).

    A name made from the values follows new values; a name given stays until a blank one is."""
    derived_name = variant.name == variant_name(variant.options)
    changed = apply_changes(variant, data, allowed=VARIANT_FIELDS)
    if "options" in changed:
        variant.options = clean_options(variant.options)
        _check_options(variant)
        if derived_name and "name" not in changed:
            variant.name = ""
    if "name" in changed or "options" in changed:
        variant.name = (variant.name or "").strip() or variant_name(variant.options)
    _check_variant_values(variant)
    if "sku" in changed:
        _check_sku_free(variant)
    save_checked(
        variant,
        field_error=_field_error,
        update_fields=None if variant.pk is None else [*changed, "name", "updated_at"],
    )


def clean_options(options: Any) -> dict[str, str]:
    """`options` as stored: up to `MAX_OPTIONS` names to values, each a non-blank string of at
    most `MAX_OPTION_LENGTH` characters, stripped; else `InvalidValue`."""
    if not isinstance(options, Mapping):
        raise InvalidValue("options", "Must be an object of option names to values.")
    if len(options) > MAX_OPTIONS:
        raise InvalidValue("options", f"At most {MAX_OPTIONS} options.")
    cleaned: dict[str, str] = {}
    for name, value in options.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise InvalidValue("options", "Option names and values must be strings.")
        name, value = name.strip(), value.strip()
        if not name or not value:
            raise InvalidValue("options", "Option names and values may not be blank.")
        if len(name) > MAX_OPTION_LENGTH or len(value) > MAX_OPTION_LENGTH:
            raise InvalidValue(
                "options", f"Option names and values are at most {MAX_OPTION_LENGTH} characters."
            )
        if name in cleaned:
            raise InvalidValue("options", f"Option {name!r} is given twice.")
        cleaned[name] = value
    return cleaned


def variant_name(options: Mapping[str, str]) -> str:
    """A variant's name made from its option values: `"M / red"`."""
    return " / ".join(options.values())


def _check_options(variant: ProductVariant) -> None:
    others = ProductVariant.objects.filter(product_id=variant.product_id).exclude(pk=variant.pk)
    other_options = list(others.values_list("options", flat=True))
    if not other_options:
        return
    names = set(other_options[0])
    if set(variant.options) != names:
        expected = ", ".join(sorted(names)) or "none"
        raise InvalidValue(
            "options", f"Every variant of this product has the same options: {expected}."
        )
    if variant.options in other_options:
        raise DuplicateOptions()


def _refresh_summary(product: Product) -> None:
    """Keep the product's `sku` (its first variant's) and `price` (the lowest) true to its
    variants, after a write to them."""
    variants = ProductVariant.objects.filter(product_id=product.pk).order_by("position", "id")
    first = variants.values("sku").first()
    lowest = variants.order_by("price").values_list("price", flat=True).first()
    if first is None or lowest is None:
        return
    product.sku, product.price = first["sku"], lowest
    Product.objects.filter(pk=product.pk).update(
        sku=product.sku, price=product.price, updated_at=timezone.now()
    )


@transaction.atomic
def delete_product(*, product: Product) -> None:
    """Delete a product for good; orders keep their own copies of its name, SKU and price.

    Its images' files are deleted once the deletion commits.
    """
    catalog_changed()
    files = _image_files(ProductImage.objects.filter(product_id=product.pk))
    deleted, _ = Product.objects.filter(pk=product.pk).delete()
    _delete_files_on_commit(files)
    if deleted:
        record_event(type="product.deleted", data={"id": product.pk})


@transaction.atomic
def get_or_create_category(
    *, slug: str, name: str, description: str = "", parent: Category | None = None
) -> tuple[Category, bool]:
    """The category with this slug, created first if there is none (for imports and seeding)."""
    category = Category.objects.filter(slug=slug).first()
    if category is not None:
        return category, False
    return create_category(name=name, slug=slug, description=description, parent=parent), True


@transaction.atomic
def get_or_create_product(*, sku: str, **fields: Any) -> tuple[Product, bool]:
    """The product with a variant of this SKU, created from `fields` if there is none; never
    changed."""
    product = Product.objects.filter(variants__sku=sku).first()
    if product is not None:
        return product, False
    return create_product(sku=sku, **fields), True


@transaction.atomic
def set_products_active(*, product_ids: Iterable[int], is_active: bool) -> int:
    """Activate or deactivate these products; returns how many actually changed."""
    catalog_changed()
    changing = list(
        Product.objects.select_for_update()
        .filter(id__in=set(product_ids))
        .exclude(is_active=is_active)
        .order_by("id")
        .values_list("id", flat=True)
    )
    Product.objects.filter(id__in=changing).update(is_active=is_active, updated_at=timezone.now())
    _record_product_events("product.updated", selectors.product_rows_by_id(ids=changing))
    return len(changing)


# Product images: the upload is checked and re-encoded here (`catalog.images`); the renditions
# are made by the worker (`catalog.make_image_renditions`) once the upload commits.

IMAGE_FIELDS = frozenset({"alt", "position"})
RENDITIONS_TASK = "catalog.make_image_renditions"


@transaction.atomic
def add_product_image(
    *,
    product: Product,
    file: IO[bytes],
    size: int | None = None,
    alt: str = "",
    position: int | None = None,
) -> ProductImage:
    """Store `file` (`size` bytes, if known) as an image of `product`, last unless `position`
    says otherwise; raises `InvalidImage` for anything but a JPEG, PNG or WebP within the limits
    of `catalog.images`, `ProductNotFound` if the product was deleted meanwhile."""
    encoded = images.clean_upload(file, size=size)
    if not Product.objects.select_for_update().filter(pk=product.pk).exists():
        raise ProductNotFound()
    catalog_changed()
    if position is None:
        last = (
            ProductImage.objects.filter(product_id=product.pk)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        position = 0 if last is None else last + 1
    name = default_storage.save(
        f"products/{product.pk}/{uuid.uuid4().hex}.{encoded.extension}",
        ContentFile(encoded.content),
    )
    # A row that cannot be written takes its file with it. (A caller's transaction rolled back
    # later would leave the file behind, unreferenced: a known limit, docs/ARCHITECTURE.md.)
    try:
        image = ProductImage.objects.create(
            product_id=product.pk,
            file=name,
            alt=alt,
            position=position,
            width=encoded.width,
            height=encoded.height,
        )
    except Exception:
        default_storage.delete(name)
        raise
    _report_product(product.pk)
    send_task_on_commit(
        RENDITIONS_TASK,
        kwargs={"image_id": image.pk},
        if_lost="the API shows the original in place of the renditions.",
    )
    return image


@transaction.atomic
def update_product_image(*, image: ProductImage, data: Mapping[str, Any]) -> ProductImage:
    """Change an image's `alt` or `position`."""
    if not ProductImage.objects.select_for_update().filter(pk=image.pk).exists():
        raise ProductImageNotFound()
    catalog_changed()
    changed = apply_changes(image, data, allowed=IMAGE_FIELDS)
    image.save(update_fields=changed)
    _report_product(image.product_id)
    return image


@transaction.atomic
def delete_product_image(*, image: ProductImage) -> None:
    """Delete an image; its files go once the deletion commits."""
    catalog_changed()
    files = _image_files(ProductImage.objects.filter(pk=image.pk))
    deleted, _ = ProductImage.objects.filter(pk=image.pk).delete()
    _delete_files_on_commit(files)
    if deleted:
        _report_product(image.product_id)


@transaction.atomic
def make_image_renditions(*, image_id: int) -> bool:
    """Make the image's thumbnail and large renditions, unless it has them or is gone; whether
    it made them. Safe to run twice or at once: the image's row is locked meanwhile."""
    image = ProductImage.objects.select_for_update().filter(pk=image_id).first()
    if image is None or (image.thumbnail and image.large):
        return False
    with default_storage.open(image.file.name, "rb") as original:
        content = original.read()
    stem = image.file.name.rsplit(".", 1)[0]
    for field, side in (("thumbnail", images.THUMBNAIL_SIDE), ("large", images.LARGE_SIDE)):
        encoded = images.rendition(content, side=side)
        name = f"{stem}-{side}.{encoded.extension}"
        # A run that died before it recorded its files may have left this one: replace it.
        default_storage.delete(name)
        setattr(image, field, default_storage.save(name, ContentFile(encoded.content)))
    catalog_changed()
    image.save(update_fields=["thumbnail", "large"])
    _report_product(image.product_id)
    return True


def _image_files(queryset) -> list[str]:
    return [
        name
        for names in queryset.values_list("file", "thumbnail", "large")
        for name in names
        if name
    ]


def _delete_files_on_commit(names: list[str]) -> None:
    def delete() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except Exception:
                logger.error("Could not delete the image file %s.", name, exc_info=True)

    if names:
        transaction.on_commit(delete)


def _record_product_events(type: str, rows: list[dict]) -> None:
    """Record `type` for each product row in the caller's transaction, its data the product as
    its detail shows it; their images and variants are read in one query each."""
    product_ids = [row["id"] for row in rows]
    images = selectors.images_by_product(product_ids=product_ids)
    variants = selectors.variants_by_product(product_ids=product_ids)
    for row in rows:
        data = product_detail_json(row, variants[row["id"]], images[row["id"]], zone=datetime.UTC)
        record_event(type=type, data=data)


def _report_product(product_id: int) -> None:
    """Record `product.updated` for a product whose images changed, as it now shows."""
    _record_product_events("product.updated", selectors.product_rows_by_id(ids=[product_id]))


def _category_slug(name: str) -> str:
    slug = slugify(name)[: Category._meta.get_field("slug").max_length]
    if not slug:
        raise InvalidValue("slug", "No slug can be made from this name; give one.")
    return slug


def _check_category_slug_free(category: Category) -> None:
    if value_taken(Category, exclude_pk=category.pk, slug=category.slug):
        raise DuplicateValue("slug", "A category with this slug already exists.")


def _check_variant_values(variant: ProductVariant) -> None:
    price = variant.price
    if not isinstance(price, Decimal) or not price.is_finite() or price < MIN_PRICE:
        raise InvalidValue("price", "The price must be greater than zero.")
    if price != price.quantize(CENT):
        raise InvalidValue("price", "The price may have at most 2 decimal places.")
    if price >= Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES):
        raise InvalidValue("price", "The price is too large.")
    if not isinstance(variant.stock, int) or not 0 <= variant.stock <= MAX_STOCK:
        raise InvalidValue("stock", f"The stock must be between 0 and {MAX_STOCK}.")


def _check_sku_free(variant: ProductVariant) -> None:
    if value_taken(ProductVariant, exclude_pk=variant.pk, sku=variant.sku):
        raise DuplicateValue("sku", "A product with this SKU already exists.")


def _lock_category(category: Category | None) -> None:
    """Keep the product's category from being deleted until this transaction ends.

    Foreign keys are checked at commit, too late for a field error; so a category deleted
    since the caller loaded it is refused here instead.
    """
    if category is None:
        return
    if not Category.objects.select_for_update(no_key=True).filter(pk=category.pk).exists():
        raise InvalidValue("category", "No such category.")


def _save_product(
    product: Product, *, auto_slug: bool, update_fields: list[str] | None = None
) -> None:
    """Save after checking that the SKU and slug are free; a made-up slug is retried on a clash.

    The checks give the usual answer; the unique constraints (`save_checked`) catch the race in
    which another request takes the same value between the check and the write.
    """
    if not auto_slug and value_taken(Product, exclude_pk=product.pk, slug=product.slug):
        raise DuplicateValue("slug", "A product with this slug already exists.")
    for attempt in range(1, _AUTO_SLUG_ATTEMPTS + 1):
        if auto_slug:
            product.slug = _free_product_slug(product)
        try:
            save_checked(product, field_error=_field_error, update_fields=update_fields)
        except DuplicateValue as error:
            if not auto_slug or error.field != "slug" or attempt == _AUTO_SLUG_ATTEMPTS:
                raise
        else:
            return


def _free_product_slug(product: Product) -> str:
    """The name's slug, or the first of `<slug>-2`, `<slug>-3`, ... that no other product has."""
    base = slugify(product.name)[:_PRODUCT_SLUG_BASE_LENGTH].strip("-") or "product"
    taken = set(
        Product.objects.filter(Q(slug=base) | Q(slug__regex=rf"^{base}-[0-9]+$"))
        .exclude(pk=product.pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in itertools.count(2) if f"{base}-{n}" not in taken)


_UNIQUE_FIELD = re.compile(r"catalog_(product|category|productvariant)[._](sku|slug)(?![a-z0-9])")
_CHECKS = {
    "catalog_product_price_positive": ("price", "The price must be greater than zero."),
    "catalog_variant_price_positive": ("price", "The price must be greater than zero."),
    "catalog_variant_stock_not_negative": ("stock", "The stock cannot be negative."),
}


def _field_error(violated: str) -> Exception | None:
    """The field error for the constraint `violated` names, or None if unknown.

    PostgreSQL names the constraint (`catalog_product_sku_key`); SQLite names the column
    (`UNIQUE constraint failed: catalog_product.sku`) or the check.
    """
    for name, (field, message) in _CHECKS.items():
        if name in violated:
            return InvalidValue(field, message)
    match = _UNIQUE_FIELD.search(violated)
    if match:
        model, field = match.groups()
        model = "product" if model == "productvariant" else model
        label = "SKU" if field == "sku" else field
        return DuplicateValue(field, f"A {model} with this {label} already exists.")
    return None
