"""The Swagger UI at /api/v1/docs/: served by the shop itself, every operation, a live call."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog import services as catalog
from tests.browser.conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

METHODS = {"get", "post", "put", "patch", "delete"}


def test_the_docs_render_every_operation_of_the_schema_from_127_0_0_1_alone(
    page, api, guard, live_server
):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    status, schema = api.get("/api/v1/schema/?format=json")
    assert status == 200
    documented = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in METHODS
    }

    page.goto("/api/v1/docs/")
    operations = page.locator(".opblock")
    expect(operations).to_have_count(len(documented))
    rendered = {
        (
            block.locator(".opblock-summary-method").inner_text(),
            block.locator(".opblock-summary-path").get_attribute("data-path"),
        )
        for block in operations.all()
    }
    assert rendered == documented
    save_screenshot(page, "swagger-ui.png")

    assert requested, "the page made no request at all"
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert guard.outside == []


def test_trying_out_the_product_list_returns_200_with_the_products(page):
    catalog.create_product(sku="TEA-001", name="Sencha", price=Decimal("4.86"), stock=8)
    page.goto("/api/v1/docs/")

    products = page.locator(".opblock-get").filter(
        has=page.locator(".opblock-summary-path[data-path='/api/v1/products/']")
    )
    products.locator(".opblock-summary").click()
    products.get_by_role("button", name="Try it out").click()
    products.get_by_role("button", name="Execute").click()

    live = products.locator(".live-responses-table")
    expect(live.locator("tbody .response-col_status")).to_have_text("200")
    expect(live.locator("tbody .response-col_description")).to_contain_text('"sku": "TEA-001"')
