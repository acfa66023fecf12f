"""A product shows its category's name and slug: renaming the category changes each of its
products as the API shows them, so each reports `product.updated`, in the rename's
transaction; a change nobody sees in a product reports nothing."""

import pytest

from catalog import services as catalog
from kernel.models import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def tea(make_category, make_product):
    category = make_category(name="Tea", slug="tea")
    make_category(name="Coffee", slug="coffee")
    sencha = make_product(sku="TEA-001", name="Sencha", category=category)
    assam = make_product(sku="TEA-002", name="Assam", category=category)
    return category, [sencha.pk, assam.pk]


def updates() -> list[dict]:
    return list(
        OutboxEvent.objects.filter(type="product.updated")
        .order_by("id")
        .values_list("data", flat=True)
    )


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"name": "Green tea"}, {"name": "Green tea", "slug": "tea"}),
        ({"slug": "green-tea"}, {"name": "Tea", "slug": "green-tea"}),
    ],
)
def test_renaming_a_category_reports_each_of_its_products_as_it_now_shows(tea, change, shown):
    category, product_ids = tea
    OutboxEvent.objects.all().delete()

    catalog.update_category(category=category, data=change)

    events = updates()
    assert [event["id"] for event in events] == product_ids
    assert [event["category"] for event in events] == [{"id": category.pk, **shown}] * 2


def test_a_change_no_product_shows_reports_nothing(tea):
    category, _ = tea
    OutboxEvent.objects.all().delete()

    catalog.update_category(category=category, data={"description": "Leaves."})
    catalog.update_category(category=category, data={"name": "Tea"})

    assert updates() == []
