"""A customer uses the browsable API: logs in, browses the catalog, places and pays an order."""

import json
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog import services as catalog
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def products():
    tea = catalog.create_category(name="Tea", slug="tea")
    coffee = catalog.create_category(name="Coffee", slug="coffee")
    return {
        "sencha": catalog.create_product(
            sku="TEA-001", name="Sencha", category=tea, price=Decimal("4.86"), stock=8
        ),
        "assam": catalog.create_product(
            sku="TEA-002", name="Assam", category=tea, price=Decimal("6.23"), stock=15
        ),
        "kenya": catalog.create_product(
            sku="COF-013", name="Kenya AA", category=coffee, price=Decimal("21.30"), stock=32
        ),
    }


def _response(tab) -> tuple[str, dict]:
    """The status line and the JSON body the browsable API shows."""
    shown = tab.locator(".response-info pre").inner_text()
    head, _, body = shown.partition("\n\n")
    return head.splitlines()[0], json.loads(body)


def test_a_customer_logs_in_browses_and_places_an_order_from_the_html_form(
    page, api, customer_user, products
):
    page.goto("/api/v1/products/")
    page.get_by_role("link", name="Log in").click()
    expect(page).to_have_url("/api-auth/login/?next=/api/v1/products/")
    page.get_by_label("Email").fill(customer_user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url("/api/v1/products/")
    expect(page.locator(".navbar")).to_contain_text(customer_user.email)
    status, listing = _response(page)
    assert status == "HTTP 200 OK"
    assert listing["count"] == 3

    # The filter form: every field has a proper label, and filtering narrows the list. The
    # modal opens from Bootstrap's script, which runs only once the page has loaded.
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Filters").click()
    filters = page.locator("#filtersModal")
    expect(filters).to_be_visible()
    expect(filters).not_to_contain_text("[invalid name]")
    filters.get_by_label("Category").select_option(label="Tea")
    filters.get_by_label("In stock").select_option(label="Yes")
    filters.locator("button[type=submit]").click()
    expect(page).to_have_url(
        "/api/v1/products/?search=&category=tea&min_price=&max_price=&in_stock=true&ordering="
    )
    status, listing = _response(page)
    assert sorted(product["sku"] for product in listing["results"]) == ["TEA-001", "TEA-002"]

    # The order, posted from the form under the orders list (JSON, the API's one media type).
    page.goto("/api/v1/orders/")
    order = {"items": [{"product_id": products["sencha"].pk, "quantity": 2}]}
    page.locator("#post-generic-content-form textarea").fill(json.dumps(order))
    page.locator("#post-generic-content-form").get_by_role("button", name="POST").click()

    expect(page.locator(".response-info")).to_contain_text("HTTP 201 Created")
    status, placed = _response(page)
    assert placed["status"] == "pending"
    assert (placed["total"], placed["currency"]) == ("9.72", "USD")

    # Paid from the payments page's form, which says what it expects.
    page.goto("/api/v1/payments/")
    content = page.locator("#post-generic-content-form textarea")
    assert json.loads(content.input_value()) == {"order_id": None, "token": ""}
    content.fill(json.dumps({"order_id": placed["id"], "token": "tok_visa"}))
    page.locator("#post-generic-content-form").get_by_role("button", name="POST").click()
    expect(page.locator(".response-info")).to_contain_text("HTTP 201 Created")

    status, order = api.get(f"/api/v1/orders/{placed['id']}/", token=api.token(customer_user))
    assert order["status"] == "paid"
    status, sencha = api.get(f"/api/v1/products/{products['sencha'].pk}/")
    assert sencha["stock"] == 6
