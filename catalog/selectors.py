"""Reads for the catalog's own views and admin, shaped so that query counts stay flat."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import QuerySet

from catalog.models import Category, Product
from kernel.ids import is_id
from kernel.permissions import staff_may_view


def sees_inactive_products(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Staff who may view products (`catalog.view_product` or `change_product`) see inactive
    ones too; everyone else sees the active ones only."""
    return staff_may_view(user, Product)


def category_list() -> QuerySet[Category]:
    """Every category, by name."""
    return Category.objects.all()


def product_list(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Product]:
    """The products `user` may see: all of them for staff who may view products, only active
    ones for anyone else.

    The category comes in the same query (its id, name and slug only), so a page of products
    costs one query however long it is.
    """
    products = Product.objects.select_related("category").defer(
        "category__description", "category__created_at", "category__updated_at"
    )
    if not sees_inactive_products(user):
        products = products.filter(is_active=True)
    return products


_PRODUCT_FIELDS = (
    "id",
    "sku",
    "name",
    "slug",
    "description",
    "price",
    "stock",
    "is_active",
    "created_at",
    "updated_at",
)
_SELECT_PRODUCT = (
    "SELECT "
    + ", ".join(f"p.{Product._meta.get_field(name).column}" for name in _PRODUCT_FIELDS)
    + ", c.id, c.name, c.slug"
    + f" FROM {Product._meta.db_table} p"
    + f" LEFT JOIN {Category._meta.db_table} c ON c.id = p.category_id"
    + " WHERE p.id = %s"
)


def product_detail(
    *, user: AbstractBaseUser | AnonymousUser, product_id: int
) -> SimpleNamespace | None:
    """The product `user` may see with this id, with the attributes `ProductSerializer` (and the
    browsable API's form) read.

    One hand-written query: the ORM took several times longer to build it and the model
    instances than the database took to answer (docs/PERFORMANCE.md).
    """
    if not is_id(product_id):
        return None
    sql = _SELECT_PRODUCT
    if not sees_inactive_products(user):
        sql += " AND p.is_active = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [product_id] if sql is _SELECT_PRODUCT else [product_id, True])
        row = cursor.fetchone()
    if row is None:
        return None
    product = SimpleNamespace(**dict(zip(_PRODUCT_FIELDS, row[:10], strict=True)))
    category_id, category_name, category_slug = row[10:]
    product.category = (
        None
        if category_id is None
        else SimpleNamespace(id=category_id, pk=category_id, name=category_name, slug=category_slug)
    )
    product.pk = product.id
    if not isinstance(product.price, Decimal):
        product.price = Decimal(repr(product.price))
    product.is_active = bool(product.is_active)
    product.in_stock = product.stock > 0
    for name in ("created_at", "updated_at"):
        value = getattr(product, name)
        if value.tzinfo is None:
            setattr(product, name, value.replace(tzinfo=datetime.UTC))
    return product
