"""The category tree's reads, in this process, on a tree of 1,023 categories, depth 5:
    DATABASE_URL=... python -m bench.category_tree
(a database of its own: migrated, filled, and the tree deleted afterwards). Three roots, each
with four children per category down to the fifth level (341 categories a root), one product
in each category. Measures the median of `ROUNDS` runs (µs) and the queries of:
1. a root's descendants' ids by the recursive CTE (`catalog.selectors.descendant_ids`, the
   subquery `?category=` uses), against walking the tree level by level (one query a level,
   what an adjacency list costs without a CTE), and counting a root's products through it
   against counting one category's with a plain `category_id =`;
2. a root's and a leaf's breadcrumbs (`category_with_path`, one query);
3. the product list without a filter, `?category=<root>` and `?category=<leaf>` through
   Django's test client, the catalog cache off.
"""

import os
import statistics
import time

import django

ROUNDS = 50
ROOTS, BRANCHING, DEPTH = 3, 4, 5


def _median_us(run) -> float:
    timings = []
    for _ in range(ROUNDS + 1):
        start = time.perf_counter_ns()
        run()
        timings.append((time.perf_counter_ns() - start) / 1000)
    return statistics.median(timings[1:])


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    os.environ.setdefault("DEBUG", "true")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalog import selectors
    from catalog.models import Category, Product

    settings.CATALOG_CACHE_TIMEOUT = 0
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    Product.objects.all().delete()
    Category.objects.all().update(parent=None)
    Category.objects.all().delete()

    roots, level, number = [], [], 0
    for _ in range(ROOTS):
        number += 1
        roots.append(Category.objects.create(name=f"C{number}", slug=f"c{number}"))
    level = list(roots)
    for _ in range(DEPTH - 1):
        below = []
        for parent in level:
            for _ in range(BRANCHING):
                number += 1
                below.append(Category(name=f"C{number}", slug=f"c{number}", parent=parent))
        level = Category.objects.bulk_create(below)
    leaf = level[0]
    Product.objects.bulk_create(
        Product(sku=f"P{c.pk}", name=f"Product {c.pk}", slug=f"p{c.pk}", price=1, category=c)
        for c in Category.objects.all()
    )
    root = roots[0]
    if connection.vendor == "postgresql":
        # As autovacuum would soon: the planner's statistics of the freshly filled tables.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def by_levels() -> list[int]:
        found, frontier = [root.pk], [root.pk]
        while frontier:
            frontier = list(
                Category.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
            )
            found += frontier
        return found

    def cte_ids() -> list[int]:
        subtree = selectors.descendant_ids(category_id=root.pk)
        return list(Category.objects.filter(id__in=subtree).values_list("id", flat=True))

    client = Client()
    cases = {
        "descendant ids, recursive CTE": cte_ids,
        "descendant ids, a query a level": by_levels,
        "count a root's products (CTE)": lambda: Product.objects.filter(
            category_id__in=selectors.descendant_ids(category_id=root.pk)
        ).count(),
        "count a leaf's products (plain =)": lambda: Product.objects.filter(
            category_id=leaf.pk
        ).count(),
        "breadcrumbs of a root": lambda: selectors.category_with_path(slug=root.slug),
        "breadcrumbs of a leaf": lambda: selectors.category_with_path(slug=leaf.slug),
        "GET products/": lambda: client.get("/api/v1/products/"),
        "GET products/?category=<root>": lambda: client.get(
            "/api/v1/products/", {"category": root.slug}
        ),
        "GET products/?category=<leaf>": lambda: client.get(
            "/api/v1/products/", {"category": leaf.slug}
        ),
    }
    print(f"{connection.vendor}: {Category.objects.count()} categories, depth {DEPTH}")
    for title, run in cases.items():
        with CaptureQueriesContext(connection) as queries:
            result = run()
        size = len(result) if isinstance(result, list) else getattr(result, "status_code", result)
        print(f"  {title:<34} {len(queries):>2} queries  {_median_us(run):>8.0f} µs  ({size})")
    assert len(cte_ids()) == len(by_levels()) == 341
    Product.objects.all().delete()
    for category in reversed(Category.objects.order_by("id")):
        category.delete()


if __name__ == "__main__":
    main()
