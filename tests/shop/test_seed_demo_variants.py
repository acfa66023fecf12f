"""`manage.py seed_demo` sells a few products in sizes and colours, one variant for each
combination, beside the products sold in one; a second run adds no variant."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from catalog.models import ProductVariant

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    return APIClient()


def listed(client, **params) -> list[dict]:
    return client.get("/api/v1/products/", {"page_size": 100, **params}).json()["results"]


def detail(client, name: str) -> dict:
    [product] = [p for p in listed(client, search=name) if p["name"] == name]
    return client.get(f"/api/v1/products/{product['id']}/").json()


def test_a_t_shirt_comes_in_every_size_and_colour_at_a_price_by_size(demo):
    shirt = detail(demo, "Logo T-shirt")

    assert shirt["options"] == [
        {"name": "size", "values": ["S", "M", "L", "XL"]},
        {"name": "colour", "values": ["white", "black"]},
    ]
    variants = {variant["name"]: variant for variant in shirt["variants"]}
    assert list(variants) == [
        f"{size} / {colour}" for size in ("S", "M", "L", "XL") for colour in ("white", "black")
    ]
    assert {variants[name]["options"]["size"] for name in variants} == {"S", "M", "L", "XL"}
    assert {name: variant["price"] for name, variant in variants.items()} == {
        name: "21.00" if name.startswith("XL") else "19.00" for name in variants
    }
    assert len({variant["sku"] for variant in shirt["variants"]}) == 8
    # The product's summaries: its first variant's sku, the lowest price, the stock together.
    assert shirt["sku"] == variants["S / white"]["sku"]
    assert shirt["price"] == "19.00"
    assert shirt["stock"] == sum(variant["stock"] for variant in shirt["variants"])
    assert not variants["XL / white"]["in_stock"]
    assert variants["M / black"]["in_stock"]


def test_coffee_and_tea_cost_more_by_the_bag_size(demo):
    coffee = detail(demo, "House Espresso Beans")
    tea = detail(demo, "Breakfast Blend")

    assert [(v["options"], v["price"]) for v in coffee["variants"]] == [
        ({"size": "250 g"}, "8.90"),
        ({"size": "500 g"}, "16.00"),
        ({"size": "1 kg"}, "28.00"),
    ]
    assert [Decimal(v["price"]) for v in tea["variants"]] == sorted(
        Decimal(v["price"]) for v in tea["variants"]
    )
    assert len({v["price"] for v in tea["variants"]}) == 3


def test_the_demo_shop_sells_products_in_one_variant_and_in_several(demo):
    products = listed(demo)

    counts = {product["name"]: len(product["variants"]) for product in products}
    assert {name for name, count in counts.items() if count > 1} == {
        "Breakfast Blend",
        "House Espresso Beans",
        "Logo Mug",
        "Logo T-shirt",
        "Tea Leaf T-shirt",
        "Roastery Hoodie",
        "Zip Hoodie",
    }
    assert sum(count == 1 for count in counts.values()) > 40
    assert all(
        product["variants"][0]["options"] == {}
        for product in products
        if len(product["variants"]) == 1
    )


def test_seeding_again_adds_or_changes_no_variant(demo):
    before = list(ProductVariant.objects.order_by("id").values())

    call_command("seed_demo", stdout=StringIO())

    assert list(ProductVariant.objects.order_by("id").values()) == before
