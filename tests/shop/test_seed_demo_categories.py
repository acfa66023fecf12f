"""`manage.py seed_demo` builds a two-level category tree that the product list filters by."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_demo_categories_are_a_two_level_tree_the_list_filters_by(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    client = APIClient()

    tea = client.get("/api/v1/categories/tea/").json()
    drinks = client.get("/api/v1/products/", {"category": "drinks", "page_size": 100}).json()
    tea_products = client.get("/api/v1/products/", {"category": "tea", "page_size": 100}).json()

    assert [crumb["slug"] for crumb in tea["path"]] == ["drinks", "tea"]
    assert tea_products["count"] > 0
    assert drinks["count"] > tea_products["count"]
    assert {p["category"]["slug"] for p in drinks["results"]} == {"tea", "coffee"}


def test_every_category_is_a_top_level_one_or_a_child_of_one(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    client = APIClient()

    categories = client.get("/api/v1/categories/", {"page_size": 100}).json()["results"]

    parents = {c["slug"]: c["parent"]["slug"] if c["parent"] else None for c in categories}
    assert parents == {
        "drinks": None,
        "tea": "drinks",
        "coffee": "drinks",
        "equipment": None,
        "brewing": "equipment",
        "mugs": "equipment",
        "clothing": None,
        "t-shirts": "clothing",
        "hoodies": "clothing",
        "snacks": None,
    }
    clothing = client.get("/api/v1/products/", {"category": "clothing", "page_size": 100})
    assert {p["category"]["slug"] for p in clothing.json()["results"]} == {"t-shirts", "hoodies"}
