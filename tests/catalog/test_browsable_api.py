"""The browsable API's forms on a product's page start from the product being shown."""

import html

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _page(user, product_id: int) -> str:
    client = APIClient()
    client.force_login(user)
    response = client.get(f"/api/v1/products/{product_id}/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_products_raw_data_form_holds_the_product(staff, make_category, make_product):
    category = make_category(name="Tea")
    product = make_product(sku="TEA-1", name="Sencha", price="7.50", stock=3, category=category)

    page = _page(staff, product.pk)

    assert 'id="put-generic-content-form"' in page
    # The response shows it twice (the product's and its one variant's), the form once.
    assert page.count('"sku": "TEA-1"') == 3
    assert '"name": "Sencha"' in page
    assert '"price": "7.50"' in page
    assert f'"category": {category.pk}' in page


def test_a_customer_gets_the_product_but_no_form_to_change_it(customer, make_product):
    product = make_product(sku="TEA-2", name="Genmaicha")

    page = _page(customer, product.pk)

    # The product's and its one variant's: no form repeats it.
    assert page.count('"sku": "TEA-2"') == 2
    assert 'id="put-generic-content-form"' not in page
