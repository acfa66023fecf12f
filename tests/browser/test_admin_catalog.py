"""Staff run the catalog from the admin, and the public API shows each change at once."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_add_a_category_and_a_product_edit_it_in_the_list_and_deactivate_it(
    page, api, staff_user
):
    admin_login(page, staff_user)

    # A category: the slug is filled in from the name as staff type (the admin's JavaScript).
    page.get_by_role("link", name="Categories").click()
    page.get_by_role("link", name="Add category").click()
    page.get_by_label("Name").press_sequentially("Herbal Tea")
    expect(page.get_by_label("Slug")).to_have_value("herbal-tea")
    page.get_by_label("Description").fill("Caffeine-free infusions.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")

    status, category = api.get("/api/v1/categories/herbal-tea/")
    assert status == 200
    assert category["name"] == "Herbal Tea"

    # A product in it.
    page.get_by_role("link", name="Products").first.click()
    page.get_by_role("link", name="Add product").click()
    page.get_by_label("SKU").fill("HRB-001")
    page.get_by_label("Name").fill("Peppermint Leaves")
    page.get_by_label("Category").select_option(label="Herbal Tea")
    page.get_by_label("Price").fill("4.50")
    page.get_by_label("Stock").fill("12")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")

    status, found = api.get("/api/v1/products/?search=HRB-001")
    assert status == 200
    assert found["count"] == 1
    product = found["results"][0]
    assert (product["name"], product["slug"]) == ("Peppermint Leaves", "peppermint-leaves")
    assert (product["price"], product["stock"]) == ("4.50", 12)
    assert product["category"]["slug"] == "herbal-tea"

    # Price and stock changed in the list, without opening the product.
    page.locator("#searchbar").fill("HRB-001")
    page.locator("#searchbar").press("Enter")
    row = page.locator("#result_list tbody tr").filter(has_text="HRB-001")
    expect(row).to_have_count(1)
    row.locator("input[name^='form-'][name$='-price']").fill("5.25")
    row.locator("input[name^='form-'][name$='-stock']").fill("30")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("1 product was changed")

    status, product = api.get(f"/api/v1/products/{product['id']}/")
    assert (product["price"], product["stock"], product["in_stock"]) == ("5.25", 30, True)

    # Deactivated with the action: gone for customers.
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Deactivate selected products")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist .success")).to_contain_text("1 product(s) deactivated.")
    expect(row.locator("input[name^='form-'][name$='-is_active']")).not_to_be_checked()

    status, _ = api.get(f"/api/v1/products/{product['id']}/")
    assert status == 404
    status, found = api.get("/api/v1/products/?search=HRB-001")
    assert found["count"] == 0
