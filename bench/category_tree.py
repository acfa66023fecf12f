"""The category tree's reads, in this process, on a tree of 1,023 categories, depth 5:
    DATABASE_URL=... python -m bench.category_tree
(a database of its own: migrated, filled through `catalog.services`, emptied afterwards). Three
roots, each with four children per category down to the fifth level (341 categories a root),
one product in each category. Measures the median of `ROUNDS` runs (µs) and the queries of:
1. a root's descendants' ids by a recursive CTE (the SQL of `catalog.selectors.descendant_ids`)
   against walking the tree level by level (one query a level, what an adjacency list costs
   without a CTE); written out here, as the bench sees nothing of the catalog but its public
   interface;
2. `GET categories/{slug}/` of a root and of a leaf (with its breadcrumbs, one query);
3. the product list without a filter, `?category=<root>` and `?category=<leaf>`; through
   Django's test client, the catalog cache off.
"""

import os
import statistics
import time
from decimal import Decimal

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

    from catalog import services

    settings.CATALOG_CACHE_TIMEOUT = 0
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)

    categories, level, number = [], [None] * ROOTS, 0
    for depth in range(DEPTH):
        below = []
        for parent in level:
            for _ in range(1 if depth == 0 else BRANCHING):
                number += 1
                below.append(services.create_category(name=f"Bench {number}", parent=parent))
        categories += below
        level = below
    products = [
        services.create_product(
            sku=f"BENCH-{c.pk}", name=f"Bench {c.pk}", price=Decimal(1), category=c
        )
        for c in categories
    ]
    root, leaf = categories[0], level[0]
    if connection.vendor == "postgresql":
        # As autovacuum would soon: the planner's statistics of the freshly filled tables.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def rows(sql: str, params: list) -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def cte_ids() -> list:
        return rows(
            "WITH RECURSIVE tree (id) AS (SELECT id FROM catalog_category WHERE id = %s UNION "
            "SELECT c.id FROM catalog_category c JOIN tree ON c.parent_id = tree.id) "
            "SELECT id FROM tree",
            [root.pk],
        )

    def by_levels() -> list:
        found, frontier = [root.pk], [root.pk]
        while frontier:
            marks = ", ".join(["%s"] * len(frontier))
            frontier = [
                pk
                for (pk,) in rows(
                    f"SELECT id FROM catalog_category WHERE parent_id IN ({marks})", frontier
                )
            ]
            found += frontier
        return found

    client = Client()
    cases = {
        "descendant ids, recursive CTE": cte_ids,
        "descendant ids, a query a level": by_levels,
        "GET categories/<root>/": lambda: client.get(f"/api/v1/categories/{root.slug}/"),
        "GET categories/<leaf>/": lambda: client.get(f"/api/v1/categories/{leaf.slug}/"),
        "GET products/": lambda: client.get("/api/v1/products/"),
        "GET products/?category=<root>": lambda: client.get(
            "/api/v1/products/", {"category": root.slug}
        ),
        "GET products/?category=<leaf>": lambda: client.get(
            "/api/v1/products/", {"category": leaf.slug}
        ),
    }
    print(f"{connection.vendor}: {len(categories)} categories, depth {DEPTH}")
    for title, run in cases.items():
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            result = run()
        size = len(result) if isinstance(result, list) else getattr(result, "status_code", result)
        print(f"  {title:<34} {len(queries):>2} queries  {_median_us(run):>8.0f} µs  ({size})")
    assert len(cte_ids()) == len(by_levels()) == 341
    for product in products:
        services.delete_product(product=product)
    for category in reversed(categories):
        services.delete_category(category=category)


if __name__ == "__main__":
    main()
