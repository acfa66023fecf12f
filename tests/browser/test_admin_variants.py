"""Staff give a product its variants on its admin page, and the public API shows them."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = """() => {
    const group = document.querySelector('#variants-group');
    return group.querySelector('table').scrollWidth <= group.clientWidth;
}"""


def test_staff_give_a_product_sizes_on_its_page_and_the_list_no_longer_edits_its_price(
    page, api, staff_user, make_product
):
    product = make_product(sku="TEE", name="Tee", price="15.00", stock=4)
    admin_login(page, staff_user)
    page.goto(f"/admin/catalog/product/{product.id}/change/")

    # The variants' rows fit the page's form at 1280 pixels.
    assert page.evaluate(FITS)

    # The only variant's sku, price and stock are edited with the product: its row shows them
    # disabled. It gets an option, and a second variant is added beside it.
    expect(page.locator("input[name='variants-0-price']")).to_be_disabled()
    page.locator("input[name='variants-0-options']").fill("size=S")
    page.locator("input[name='variants-1-sku']").fill("TEE-M")
    page.locator("input[name='variants-1-options']").fill("size=M")
    page.locator("input[name='variants-1-price']").fill("17.00")
    page.locator("input[name='variants-1-stock']").fill("6")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")

    status, shown = api.get(f"/api/v1/products/{product.id}/")
    assert status == 200
    assert [
        (v["sku"], v["name"], v["options"], v["price"], v["stock"]) for v in shown["variants"]
    ] == [
        ("TEE", "S", {"size": "S"}, "15.00", 4),
        ("TEE-M", "M", {"size": "M"}, "17.00", 6),
    ]
    assert (shown["price"], shown["stock"]) == ("15.00", 10)

    # Now each variant's row edits its own; the product shows its summaries read-only.
    expect(page.locator("input[name='price']")).to_have_count(0)
    expect(page.locator(".field-stock .readonly")).to_have_text("10")
    page.locator("input[name='variants-1-stock']").fill("8")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")

    # The list shows its lowest price and its stock in all, as text.
    row = page.locator("#result_list tbody tr").filter(has_text="Tee")
    expect(row.locator("td.field-price")).to_have_text("15.00")
    expect(row.locator("td.field-stock")).to_have_text("12")
    expect(row.locator("input[name$='-price'], input[name$='-stock']")).to_have_count(0)
