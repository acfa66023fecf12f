"""Every product response is `catalog.serializers.product_json` of a `catalog.selectors` row,
while `ProductSerializer` documents the shape (OpenAPI). These pin the function to that
documented shape (every key, type and format of the served schema) and to the model's values:
its output is, byte for byte, what `ProductSerializer` renders from the model itself."""

from decimal import Decimal

import pytest
from django.db.models import Exists, OuterRef, Sum
from rest_framework.renderers import JSONRenderer

from catalog import services
from catalog.models import Product, ProductVariant
from catalog.selectors import product_row, product_variants
from catalog.serializers import ProductSerializer, product_json
from tests.openapi_shapes import assert_documented

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


def _render(data) -> bytes:
    return JSONRenderer().render(data)


@pytest.mark.parametrize(
    ("price", "stock", "with_category", "is_active", "more_variants"),
    [
        (Decimal("0.01"), 0, True, True, 0),
        (Decimal("12.50"), 5, False, True, 2),
        (Decimal("9999999999.99"), 2_147_483_647, True, False, 0),
        (Decimal("7"), 1, True, True, 1),
    ],
)
def test_a_product_renders_in_its_documented_shape_with_the_models_values(
    make_category, make_product, admin_user, price, stock, with_category, is_active, more_variants
):
    category = make_category(name="Tea & Cups", slug="tea") if with_category else None
    created = make_product(price=price, stock=stock, category=category, is_active=is_active)
    if more_variants:
        first = created.variants.get()
        services.update_variant(variant=first, data={"options": {"size": "S"}})
    for number in range(more_variants):
        services.create_variant(
            product=created,
            sku=f"{created.sku}-{number}",
            price=price + number + 1,
            options={"size": f"L{number}"},
            stock=number,
        )

    # A list's item: the product and its first image (none here; tests/catalog/test_images.py
    # has products with images).
    rendered = {
        **product_json(
            product_row(user=admin_user, product_id=created.pk),
            product_variants(product_id=created.pk),
        ),
        "thumbnail": None,
    }

    assert_documented(rendered, "Product")
    assert len(rendered["variants"]) == 1 + more_variants
    # The model keeps no stock of its own: the database sums its variants'.
    in_stock = ProductVariant.objects.filter(product=OuterRef("pk"), stock__gt=0)
    instance = Product.objects.annotate(
        stock=Sum("variants__stock"), in_stock=Exists(in_stock)
    ).get(pk=created.pk)
    instance.thumbnail = None
    documented = ProductSerializer(instance).data
    assert _render(rendered) == _render(documented)


def test_an_inactive_product_is_read_for_staff_only(make_product, admin_user, customer):
    product = make_product(is_active=False)

    assert product_row(user=admin_user, product_id=product.pk)["id"] == product.pk
    assert product_row(user=customer, product_id=product.pk) is None


def test_every_response_renders_a_product_the_same_way(staff_client, make_category):
    category = make_category(name="Cups")
    body = {"sku": "MUG-1", "name": "Mug", "price": "4.50", "stock": 3, "category": category.pk}

    created = staff_client.post(PRODUCTS, body, format="json").json()
    url = f"{PRODUCTS}{created['id']}/"

    assert staff_client.get(url).json() == created
    listed = {key: value for key, value in created.items() if key not in {"images", "options"}}
    assert staff_client.get(PRODUCTS).json()["results"] == [listed]
    changed = staff_client.patch(url, {"stock": 0}, format="json").json()
    assert (changed["stock"], changed["in_stock"]) == (0, False)
    assert staff_client.get(url).json() == changed
    replaced = staff_client.put(url, {**body, "name": "Big mug"}, format="json").json()
    assert staff_client.get(url).json() == replaced
    assert replaced["category"] == {"id": category.pk, "name": "Cups", "slug": "cups"}


@pytest.mark.parametrize("product_id", ["0", "9223372036854775808", "99999999999999999999999"])
def test_a_product_id_out_of_range_is_not_found(anon_client, product_id):
    response = anon_client.get(f"/api/v1/products/{product_id}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
