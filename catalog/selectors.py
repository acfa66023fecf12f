"""Reads for the catalog's own views, shaped so that query counts stay flat.

The API reads products as `.values()` rows of `PRODUCT_FIELDS`, the category's id, name and
slug joined in the same query, and `catalog.serializers.product_json` renders them: a page of
products costs one query however long it is, one product one query, and no model instance is
built (building them cost more than the database spent answering; docs/PERFORMANCE.md).
One product's query is also compiled only once (`kernel.db.CompiledQuery`): building and
compiling it cost about 190 µs where SQLite answered in about 20. The list stays a queryset:
django-filter narrows and orders it, and the catalog cache spares most of its reads.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from catalog.models import Category, Product, ProductImage, ProductVariant
from kernel.db import CompiledQuery
from kernel.permissions import staff_may_view


def sees_inactive_products(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Staff who may view products (`catalog.view_product` or `change_product`) see inactive
    ones too; everyone else sees the active ones only."""
    return staff_may_view(user, Product)


PRODUCT_FIELDS = (
    "id",
    "sku",
    "name",
    "slug",
    "description",
    "price",
    "is_active",
    "created_at",
    "updated_at",
    "category_id",
    "category__name",
    "category__slug",
)


def category_list() -> QuerySet[Category]:
    """Every category, by name, with its parent (one query)."""
    return Category.objects.select_related("parent")


# The category tree is an adjacency list (`Category.parent`) walked by recursive CTEs, which
# SQLite and PostgreSQL both run: one query whatever the depth or breadth (measured against
# walking the tree a query a level in docs/PERFORMANCE.md, "The category tree"). The services
# refuse cycles (`update_category`); `descendant_ids` uses `UNION`, not `UNION ALL`, so that
# the product list's filter would end even on one.


def _up_from(start: str) -> str:
    """The category `start` selects and its ancestors, nearest first: a recursive CTE
    `tree (id, parent_id, depth)` from that category (depth 0) up to its root."""
    table = connection.ops.quote_name(Category._meta.db_table)
    parent = connection.ops.quote_name(Category._meta.get_field("parent").column)
    return (
        f"WITH RECURSIVE tree (id, parent_id, depth) AS ("
        f"SELECT id, {parent}, 0 FROM {table} WHERE {start} "
        f"UNION SELECT c.id, c.{parent}, tree.depth + 1 FROM {table} c "
        f"JOIN tree ON c.id = tree.parent_id"
        f") SELECT c.* FROM tree JOIN {table} c ON c.id = tree.id ORDER BY tree.depth"
    )


def descendant_ids(*, category_id: int) -> RawSQL:
    """The ids of this category and of every category beneath it, as a subquery for
    `filter(category_id__in=...)`: the product list's `?category=` costs no query of its own."""
    table = connection.ops.quote_name(Category._meta.db_table)
    parent = connection.ops.quote_name(Category._meta.get_field("parent").column)
    return RawSQL(
        f"WITH RECURSIVE tree (id) AS (SELECT id FROM {table} WHERE id = %s UNION "
        f"SELECT c.id FROM {table} c JOIN tree ON c.{parent} = tree.id) SELECT id FROM tree",
        [category_id],
    )


def ancestors(*, category_id: int) -> list[Category]:
    """This category and its ancestors, the category first, its root last (one query)."""
    return list(Category.objects.raw(_up_from("id = %s"), [category_id]))


def category_with_path(*, slug: str) -> Category | None:
    """The category with this slug, its `parent` loaded, and its breadcrumbs as `path`: its
    ancestors root first, then itself. One query; None if there is no such category."""
    chain = list(Category.objects.raw(_up_from("slug = %s"), [slug]))
    if not chain:
        return None
    category = chain[0]
    category.parent = chain[1] if len(chain) > 1 else None
    category.path = chain[::-1]
    return category


def tree_order() -> list[tuple[int, int]]:
    """Every category's `(id, depth)`, depth first with siblings by name: the admin's order."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.order_by("name", "id").values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    order: list[tuple[int, int]] = []
    stack = [(pk, 0) for pk in reversed(children.get(None, []))]
    while stack:
        pk, depth = stack.pop()
        order.append((pk, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(pk, [])))
    return order


# Built once, never evaluated: `.values()` resolves its field names and the category's join when
# it is called, which costs more than SQLite takes to answer a product's query; each read works
# on a copy.
_PRODUCTS = Product.objects.values(*PRODUCT_FIELDS)
_ACTIVE_PRODUCTS = _PRODUCTS.filter(is_active=True)


def _visible(user: AbstractBaseUser | AnonymousUser) -> QuerySet[dict]:
    return _PRODUCTS if sees_inactive_products(user) else _ACTIVE_PRODUCTS


def product_rows(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[dict]:
    """The products `user` may see, newest first, as rows: all of them for staff who may view
    products, only active ones for anyone else."""
    return _visible(user).all()


# One product: compiled once (`kernel.db.CompiledQuery`), as building and compiling the query
# cost several times what SQLite took to answer it.
_PRODUCT = {
    every: CompiledQuery((_PRODUCTS if every else _ACTIVE_PRODUCTS).order_by().filter, pk=int)
    for every in (False, True)
}


def product_row(*, user: AbstractBaseUser | AnonymousUser, product_id: int) -> dict | None:
    """The product `user` may see with this id, as a row; None if there is none."""
    rows = _PRODUCT[sees_inactive_products(user)].rows(pk=product_id)
    return rows[0] if rows else None


def product_rows_by_id(*, ids: list[int]) -> list[dict]:
    """The products with these ids, active or not, as rows in id order (for the events that
    report a write)."""
    return list(_PRODUCTS.filter(pk__in=ids).order_by("id")) if ids else []


def products_to_change() -> QuerySet[Product]:
    """Every product as a model instance: what a staff write looks up and hands to a service."""
    return Product.objects.all()


VARIANT_FIELDS = ("id", "product_id", "sku", "name", "options", "price", "stock", "position")


def variants_by_product(*, product_ids: list[int]) -> dict[int, list[dict]]:
    """These products' variants by position, as rows, by product id (one query, however many
    variants each has)."""
    variants: dict[int, list[dict]] = {product_id: [] for product_id in product_ids}
    if product_ids:
        rows = ProductVariant.objects.filter(product_id__in=product_ids).order_by(
            "product_id", "position", "id"
        )
        for row in rows.values(*VARIANT_FIELDS):
            variants[row["product_id"]].append(row)
    return variants


# Compiled once per number of products (at most a page's): every cached list read after a stock
# move asks for it (`catalog.cache`).
_STOCK = CompiledQuery(
    ProductVariant.objects.order_by().values("id", "stock").filter, product_id__in=[int]
)


def variant_stock(*, product_ids: list[int]) -> dict[int, int]:
    """These products' variants' stock by variant id (one query)."""
    rows = _STOCK.rows(product_id__in=product_ids) if product_ids else []
    return {row["id"]: row["stock"] for row in rows}


# One product's variants and images: compiled once, as the product's own query (the detail's
# three queries).
_PRODUCT_VARIANTS = CompiledQuery(
    ProductVariant.objects.order_by("position", "id").values(*VARIANT_FIELDS).filter,
    product_id=int,
)


def product_variants(*, product_id: int) -> list[dict]:
    """The product's variants by position, as rows (one query)."""
    return _PRODUCT_VARIANTS.rows(product_id=product_id)


def any_variant_in_stock() -> Exists:
    """For `filter()`: whether the product has a variant in stock (an index-served EXISTS)."""
    return Exists(ProductVariant.objects.filter(product_id=OuterRef("pk"), stock__gt=0))


def has_several_variants(*, product_id: int) -> bool:
    return ProductVariant.objects.filter(product_id=product_id)[1:2].exists()


def product_variants_to_change(*, product_id: int) -> QuerySet[ProductVariant]:
    """The product's variants as model instances, each with its product: what a staff write
    looks up."""
    return ProductVariant.objects.filter(product_id=product_id).select_related("product")


IMAGE_FIELDS = (
    "id",
    "product_id",
    "file",
    "thumbnail",
    "large",
    "alt",
    "width",
    "height",
    "position",
)


_PRODUCT_IMAGES = CompiledQuery(
    ProductImage.objects.order_by("position", "id").values(*IMAGE_FIELDS).filter, product_id=int
)


def product_images(*, product_id: int) -> list[dict]:
    """The product's images by position, as rows (one query, however many there are)."""
    return _PRODUCT_IMAGES.rows(product_id=product_id)


def images_by_product(*, product_ids: list[int]) -> dict[int, list[dict]]:
    """These products' images by position, as rows, by product id (one query)."""
    images: dict[int, list[dict]] = {product_id: [] for product_id in product_ids}
    if product_ids:
        rows = ProductImage.objects.filter(product_id__in=product_ids).order_by(
            "product_id", "position", "id"
        )
        for row in rows.values(*IMAGE_FIELDS):
            images[row["product_id"]].append(row)
    return images


def first_images(*, product_ids: list[int]) -> dict[int, dict]:
    """Each of these products' first image (by position) as a row, by product id; a product
    without images is left out. One query, one row per product, however many images each has."""
    if not product_ids:
        return {}
    first = (
        ProductImage.objects.filter(product_id=OuterRef("product_id"))
        .order_by("position", "id")
        .values("id")[:1]
    )
    rows = ProductImage.objects.filter(product_id__in=product_ids, id=Subquery(first)).values(
        *IMAGE_FIELDS
    )
    return {row["product_id"]: row for row in rows}


def product_images_to_change(*, product_id: int) -> QuerySet[ProductImage]:
    """The product's images as model instances: what a staff write looks up."""
    return ProductImage.objects.filter(product_id=product_id)
