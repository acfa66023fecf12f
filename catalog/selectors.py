"""Reads for the catalog's own views and admin, shaped so that query counts stay flat."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from catalog.models import Category, Product


def category_list() -> QuerySet[Category]:
    """Every category, by name."""
    return Category.objects.all()


def product_list(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Product]:
    """The products `user` may see: all of them for staff, only active ones for anyone else.

    The category comes in the same query (its id, name and slug only), so a page of products
    costs one query however long it is.
    """
    products = Product.objects.select_related("category").defer(
        "category__description", "category__created_at", "category__updated_at"
    )
    if not (user.is_authenticated and user.is_staff):
        products = products.filter(is_active=True)
    return products
