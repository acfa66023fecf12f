"""The variants' refusals that the contract names by a code carry it: `{"detail", "code"}`
(DRF's validation shape, `{"field": [...]}`, has none), and change nothing."""

from decimal import Decimal

import pytest

from catalog import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def shirt(make_product):
    """A T-shirt in two sizes."""
    product = make_product(sku="TSH-S", name="T-shirt", price="19.00", stock=3)
    services.update_variant(variant=product.variants.get(), data={"options": {"size": "S"}})
    services.create_variant(
        product=product, sku="TSH-M", price=Decimal("21.00"), options={"size": "M"}, stock=4
    )
    return product


def test_the_same_options_as_another_variant_are_duplicate_options(staff_client, shirt):
    response = staff_client.post(
        f"/api/v1/products/{shirt.id}/variants/",
        {"sku": "TSH-M2", "options": {"size": "M"}, "price": "22.00", "stock": 1},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert set(response.json()) == {"detail", "code"}
    assert response.json()["code"] == "duplicate_options"
    detail = staff_client.get(f"/api/v1/products/{shirt.id}/").json()
    assert [variant["sku"] for variant in detail["variants"]] == ["TSH-S", "TSH-M"]


def test_changing_a_variant_to_another_ones_options_is_duplicate_options(staff_client, shirt):
    small = shirt.variants.get(sku="TSH-S")

    response = staff_client.patch(
        f"/api/v1/products/{shirt.id}/variants/{small.id}/",
        {"options": {"size": "M"}},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (400, "duplicate_options")
    small.refresh_from_db()
    assert small.options == {"size": "S"}


@pytest.mark.parametrize(("field", "value"), [("sku", "TSH"), ("price", "5.00"), ("stock", 9)])
def test_writing_a_summary_of_a_product_with_several_variants_is_product_has_variants(
    staff_client, shirt, field, value
):
    response = staff_client.patch(f"/api/v1/products/{shirt.id}/", {field: value}, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()) == {"detail", "code", "fields"}
    assert (response.json()["code"], response.json()["fields"]) == ("product_has_variants", [field])
    detail = staff_client.get(f"/api/v1/products/{shirt.id}/").json()
    assert (detail["sku"], detail["price"], detail["stock"]) == ("TSH-S", "19.00", 7)
