"""Categories nest (API.md, "Catalog additions"): `parent`, breadcrumbs, no cycles, no orphans,
`?category=` covering every category beneath, the admin's tree, and flat query counts."""

import pytest
from django.test import Client
from django.urls import reverse

from catalog import services
from catalog.exceptions import CategoryHasChildren, InvalidValue
from catalog.models import Category

pytestmark = pytest.mark.django_db

CATEGORIES = "/api/v1/categories/"
PRODUCTS = "/api/v1/products/"


def summary(category: Category) -> dict:
    return {"id": category.pk, "name": category.name, "slug": category.slug}


def skus(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(product["sku"] for product in response.json()["results"])


@pytest.fixture
def drinks(make_category):
    """Drinks > Tea > Green tea, and Drinks > Coffee."""
    drinks = make_category(name="Drinks")
    tea = make_category(name="Tea", parent=drinks)
    green = make_category(name="Green tea", parent=tea)
    coffee = make_category(name="Coffee", parent=drinks)
    return drinks, tea, green, coffee


def test_staff_create_a_category_beneath_another_and_read_its_parent_and_path(staff_client, drinks):
    drinks, tea, *_ = drinks

    response = staff_client.post(CATEGORIES, {"name": "Matcha", "parent": tea.pk}, format="json")

    assert response.status_code == 201, response.content
    matcha = Category.objects.get(slug="matcha")
    assert response.json()["parent"] == summary(tea)
    assert response.json()["path"] == [summary(drinks), summary(tea), summary(matcha)]
    listed = {c["slug"]: c["parent"] for c in staff_client.get(CATEGORIES).json()["results"]}
    assert listed["matcha"] == summary(tea)
    assert listed["drinks"] is None


def test_a_category_detail_carries_its_breadcrumbs_root_first_then_itself(anon_client, drinks):
    drinks, tea, green, _ = drinks

    body = anon_client.get(f"{CATEGORIES}{green.slug}/").json()

    assert body["parent"] == summary(tea)
    assert body["path"] == [summary(drinks), summary(tea), summary(green)]
    root = anon_client.get(f"{CATEGORIES}{drinks.slug}/").json()
    assert (root["parent"], root["path"]) == (None, [summary(drinks)])


def test_staff_move_a_category_and_back_to_the_top_level(staff_client, drinks):
    drinks, _, green, coffee = drinks

    moved = staff_client.patch(f"{CATEGORIES}{green.slug}/", {"parent": coffee.pk}, format="json")
    assert moved.status_code == 200
    assert moved.json()["path"] == [summary(drinks), summary(coffee), summary(green)]

    top = staff_client.patch(f"{CATEGORIES}{green.slug}/", {"parent": None}, format="json")
    assert (top.json()["parent"], top.json()["path"]) == (None, [summary(green)])


@pytest.mark.parametrize("new_parent", ["itself", "child", "grandchild"])
def test_a_category_beneath_itself_is_a_400_on_parent(staff_client, drinks, new_parent):
    drinks, tea, green, _ = drinks
    target = {"itself": drinks, "child": tea, "grandchild": green}[new_parent]

    response = staff_client.patch(
        f"{CATEGORIES}{drinks.slug}/", {"parent": target.pk}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["parent"]
    drinks.refresh_from_db()
    assert drinks.parent is None


def test_the_services_refuse_a_cycle_and_an_unknown_parent(drinks):
    drinks, _, green, _ = drinks
    with pytest.raises(InvalidValue) as cycle:
        services.update_category(category=drinks, data={"parent": green})
    assert cycle.value.field == "parent"

    gone = services.create_category(name="Gone")
    services.delete_category(category=Category.objects.get(pk=gone.pk))
    with pytest.raises(InvalidValue) as unknown:
        services.create_category(name="Orphan", parent=gone)
    assert unknown.value.field == "parent"


def test_an_unknown_or_malformed_parent_is_a_400(staff_client):
    for parent in [999_999, "drinks", 1.5]:
        response = staff_client.post(CATEGORIES, {"name": "X", "parent": parent}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["parent"]
    assert not Category.objects.exists()


def test_deleting_a_category_with_children_is_a_409_and_deletes_nothing(staff_client, drinks):
    drinks, tea, green, _ = drinks

    response = staff_client.delete(f"{CATEGORIES}{tea.slug}/")

    assert response.status_code == 409
    assert response.json()["code"] == "category_has_children"
    assert Category.objects.count() == 4
    assert staff_client.delete(f"{CATEGORIES}{green.slug}/").status_code == 204
    assert staff_client.delete(f"{CATEGORIES}{tea.slug}/").status_code == 204


def test_the_service_refuses_to_delete_a_parent(drinks):
    with pytest.raises(CategoryHasChildren):
        services.delete_category(category=drinks[0])


def test_the_category_filter_covers_every_category_beneath(anon_client, drinks, make_product):
    drinks, tea, green, coffee = drinks
    make_product(sku="DRINK", category=drinks)
    make_product(sku="TEA", category=tea)
    make_product(sku="GREEN", category=green)
    make_product(sku="COFFEE", category=coffee)
    make_product(sku="NONE")

    assert skus(anon_client.get(PRODUCTS, {"category": "drinks"})) == [
        "COFFEE",
        "DRINK",
        "GREEN",
        "TEA",
    ]
    assert skus(anon_client.get(PRODUCTS, {"category": "tea"})) == ["GREEN", "TEA"]
    assert skus(anon_client.get(PRODUCTS, {"category": "green-tea"})) == ["GREEN"]


def test_a_move_changes_what_the_cached_list_finds(staff_client, anon_client, drinks, make_product):
    """The list is cached (catalog.cache): a move must bump the catalog's version."""
    _, _, green, coffee = drinks
    make_product(sku="GREEN", category=green)
    assert skus(anon_client.get(PRODUCTS, {"category": "coffee"})) == []

    staff_client.patch(f"{CATEGORIES}{green.slug}/", {"parent": coffee.pk}, format="json")

    assert skus(anon_client.get(PRODUCTS, {"category": "coffee"})) == ["GREEN"]
    assert skus(anon_client.get(PRODUCTS, {"category": "tea"})) == []


def chain(make_category, depth: int, breadth: int) -> Category:
    """A root with `breadth` children, each the top of a chain `depth` deep; one product each."""
    root = make_category()
    for _ in range(breadth):
        parent = root
        for _ in range(depth):
            parent = make_category(parent=parent)
    return root


@pytest.mark.parametrize(("depth", "breadth"), [(1, 1), (5, 1), (1, 10), (6, 4)])
def test_the_category_filter_costs_the_same_at_any_depth_and_breadth(
    anon_client, make_category, make_product, django_assert_num_queries, depth, breadth
):
    """The slug's check, the count, the page, its variants and its thumbnails: the descendants
    are a subquery of the count and the page."""
    root = chain(make_category, depth, breadth)
    for category in Category.objects.exclude(pk=root.pk):
        make_product(category=category)

    with django_assert_num_queries(5):
        response = anon_client.get(PRODUCTS, {"category": root.slug, "page_size": 100})

    assert response.json()["count"] == depth * breadth


@pytest.mark.parametrize("depth", [1, 8])
def test_a_category_detail_costs_one_query_at_any_depth(
    anon_client, make_category, django_assert_num_queries, depth
):
    leaf = chain(make_category, depth, 1)
    while leaf.children.exists():
        leaf = leaf.children.get()

    with django_assert_num_queries(1):
        response = anon_client.get(f"{CATEGORIES}{leaf.slug}/")

    assert len(response.json()["path"]) == depth + 1


def test_the_admin_lists_the_tree_indented_depth_first(staff, drinks, make_category):
    make_category(name="Bakery")
    client = Client()
    client.force_login(staff)

    response = client.get(reverse("admin:catalog_category_changelist"))

    assert response.status_code == 200
    names = [row.tree_depth * "  " + row.name for row in response.context["cl"].result_list]
    assert names == ["Bakery", "Drinks", "  Coffee", "  Tea", "    Green tea"]
    assert "— — Green tea" in response.content.decode()
    top = client.get(reverse("admin:catalog_category_changelist"), {"parent": "none"})
    assert [row.name for row in top.context["cl"].result_list] == ["Bakery", "Drinks"]


def test_the_admin_moves_a_category_and_refuses_a_cycle(staff, drinks):
    drinks, tea, *_ = drinks
    client = Client()
    client.force_login(staff)
    change = reverse("admin:catalog_category_change", args=[drinks.pk])
    data = {"name": "Drinks", "slug": "drinks", "description": "", "parent": tea.pk}

    response = client.post(change, data, follow=True)

    assert "beneath itself" in response.content.decode()
    drinks.refresh_from_db()
    assert drinks.parent is None
