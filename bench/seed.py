"""Seed the bench's own database through the apps' services, and mint the clients' tokens.

`python -m bench.seed OUT.json` (with `DJANGO_SETTINGS_MODULE=bench.settings` and the bench's
`DATABASE_URL`): 20 categories, 1,000 products with ample stock (every fifth in three sizes, three
variants), 50 customers and a staff user, and 50 orders of 3 lines for the first customer.
Everything goes through `catalog.services`, `accounts.services` and `orders.services`, as an
import would, but the sizes, through the staff API; in one transaction, so seeding takes
seconds rather than a commit per row.

The throwaway passwords are hashed with a fast hasher while seeding: production's PBKDF2 costs
about half a second a password, and no scenario signs in (the tokens are minted here). The
server keeps production's hashers.
"""

import json
import random
import sys
from decimal import Decimal

import django

CATEGORIES = 20
PRODUCTS = 1_000
CUSTOMERS = 50
LISTED_ORDERS = 50
LINES_PER_ORDER = 3
INITIAL_STOCK = 1_000_000  # of every variant
SIZED_EVERY = 5  # every fifth product comes in SIZES, the others in one kind
SIZES = ("S", "M", "L")
PASSWORD = "bench-only-password-0123456789"
SEARCH_TERM = "kettle"
FILTER_ORDERING = "-price"
NOUNS = [
    "kettle",
    "teapot",
    "mug",
    "grinder",
    "dripper",
    "filter",
    "scale",
    "jar",
    "tin",
    "cup",
    "saucer",
    "tray",
    "spoon",
    "whisk",
    "press",
    "bottle",
    "flask",
    "infuser",
    "strainer",
    "caddy",
]
ADJECTIVES = ["Blue", "Copper", "Glass", "Stone", "Steel", "Bamboo", "Matte", "Classic"]


def seed() -> dict:
    from django.db import transaction
    from django.test.utils import override_settings

    from accounts import services as accounts
    from catalog import services as catalog
    from orders import services as orders
    from orders.dtos import OrderItem

    rng = random.Random(20260101)
    with (
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        categories = [
            catalog.create_category(
                name=f"Category {n:02d}", slug=f"category-{n:02d}", description=f"Range {n}."
            )
            for n in range(1, CATEGORIES + 1)
        ]
        product_ids = []
        for n in range(1, PRODUCTS + 1):
            noun = NOUNS[n % len(NOUNS)]
            name = f"{rng.choice(ADJECTIVES)} {noun} {n}"
            product = catalog.create_product(
                sku=f"BENCH-{n:05d}",
                name=name,
                slug=f"bench-{noun}-{n}",
                description=f"A {noun} for the bench, number {n}: sturdy, simple, well made.",
                category=categories[n % CATEGORIES],
                price=Decimal(rng.randint(100, 20_000)) / 100,
                stock=INITIAL_STOCK,
            )
            product_ids.append(product.id)

        users = [
            accounts.create_user(
                email=f"customer{n:02d}@bench.example", password=PASSWORD, first_name=f"C{n}"
            )
            for n in range(1, CUSTOMERS + 1)
        ]
        # The stock check reads every order and product: a superuser holds every permission.
        staff = accounts.create_user(
            email="staff@bench.example", password=PASSWORD, is_staff=True, is_superuser=True
        )
        tokens = {
            user.id: accounts.obtain_token_pair(email=user.email, password=PASSWORD).access
            for user in [*users, staff]
        }
        snapshots = catalog.get_products(ids=product_ids)
        variant_ids = [snapshots[product_id].variant_ids[0] for product_id in product_ids]
        variant_ids += _sizes(tokens[staff.id], product_ids[SIZED_EVERY - 1 :: SIZED_EVERY])

        seeded_units: dict[int, int] = {}
        for _ in range(LISTED_ORDERS):
            lines = [(vid, rng.randint(1, 3)) for vid in rng.sample(variant_ids, LINES_PER_ORDER)]
            orders.place_order(
                customer_id=users[0].id,
                items=[OrderItem(quantity=quantity, variant_id=vid) for vid, quantity in lines],
            )
            for vid, quantity in lines:
                seeded_units[vid] = seeded_units.get(vid, 0) + quantity

    return {
        "product_ids": product_ids,
        "variant_ids": variant_ids,
        "initial_stock": INITIAL_STOCK,
        "seeded_units": {str(vid): units for vid, units in seeded_units.items()},
        "filter_category": categories[3].slug,
        "filter_ordering": FILTER_ORDERING,
        "search_term": SEARCH_TERM,
        "list_token": tokens[users[0].id],
        "placing_tokens": [[user.id, tokens[user.id]] for user in users[1:]],
        "staff_token": tokens[staff.id],
    }


def _sizes(staff_token: str, product_ids: list[int]) -> list[int]:
    """Sell these products in `SIZES`, their one variant the first, through the staff API (in
    this process: the catalog's services take a variant as a model instance, which only the
    catalog itself reads); the variants added, by id."""
    from rest_framework.test import APIClient

    api = APIClient(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {staff_token}")
    added = []
    for product_id in product_ids:
        url = f"/api/v1/products/{product_id}/"
        (first,) = api.get(url).json()["variants"]
        changed = api.patch(
            f"{url}variants/{first['id']}/", {"options": {"size": SIZES[0]}}, format="json"
        )
        assert changed.status_code == 200, changed.content
        for size in SIZES[1:]:
            body = {
                "sku": f"{first['sku']}-{size}",
                "price": first["price"],
                "options": {"size": size},
                "stock": INITIAL_STOCK,
            }
            response = api.post(f"{url}variants/", body, format="json")
            assert response.status_code == 201, response.content
            added.append(response.json()["id"])
    return added


def main() -> None:
    django.setup()
    with open(sys.argv[1], "w") as out:
        json.dump(seed(), out)


if __name__ == "__main__":
    main()
