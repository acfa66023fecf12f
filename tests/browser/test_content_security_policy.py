"""Each kind of HTML page works under its Content-Security-Policy: the scripts the admin, the
browsable API and Swagger UI depend on all run, and the browser refuses nothing (the guard in
conftest.py fails any test on a refusal, so every other browser test checks that too)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog import services as catalog
from tests.browser.conftest import admin_login
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRICT_SCRIPTS = "script-src 'self';"


def _policy(response) -> str:
    return response.headers.get("content-security-policy", "")


@pytest.fixture
def products():
    tea = catalog.create_category(name="Tea", slug="tea")
    return [
        catalog.create_product(sku=f"TEA-00{n}", name=name, category=tea, price=Decimal("4.86"))
        for n, name in enumerate(["Sencha", "Assam"], start=1)
    ]


def test_swagger_ui_tries_an_operation_out_under_the_policy(page, products):
    response = page.goto("/api/v1/docs/")
    assert STRICT_SCRIPTS in _policy(response)
    assert "style-src 'self';" in _policy(response)

    products_list = page.locator(".opblock-get").filter(
        has=page.locator(".opblock-summary-path[data-path='/api/v1/products/']")
    )
    products_list.locator(".opblock-summary").click()
    products_list.get_by_role("button", name="Try it out").click()
    products_list.get_by_role("button", name="Execute").click()

    expect(products_list.locator(".live-responses-table tbody .response-col_status")).to_have_text(
        "200"
    )


def test_the_admins_scripts_run_under_the_policy(page, staff_user, products):
    admin_login(page, staff_user)

    # The theme switcher and the navigation sidebar's toggle.
    response = page.goto("/admin/catalog/product/")
    assert STRICT_SCRIPTS in _policy(response)
    page.locator("#header .theme-toggle").first.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.locator("#toggle-nav-sidebar").click()
    expect(page.locator("#nav-sidebar")).to_be_hidden()

    # The action bar: selecting every row is counted, then the chosen action runs.
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_have_text("2 of 2 selected")
    page.locator("select[name=action]").select_option("deactivate")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist .success")).to_contain_text("2 product(s) deactivated")

    # The related-object popup: a category added in its window is chosen in the form.
    page.goto("/admin/catalog/product/add/")
    with page.expect_popup() as opened:
        page.locator("#add_id_category").click()
    popup = opened.value
    # The slug is filled by a script bound when the page has loaded: typing earlier is lost.
    popup.wait_for_load_state("load")
    popup.get_by_label("Name").press_sequentially("Oolong")
    expect(popup.get_by_label("Slug")).to_have_value("oolong")
    popup.get_by_role("button", name="Save", exact=True).click()
    popup.wait_for_event("close")
    expect(page.locator("#id_category option:checked")).to_have_text("Oolong")


def test_the_browsable_apis_scripts_run_under_the_policy(page, customer_user, products):
    page.goto("/api-auth/login/?next=/api/v1/products/")
    page.get_by_label("Email").fill(customer_user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url("/api/v1/products/")

    # The format menu (a Bootstrap dropdown) and the OPTIONS button (sent by script).
    response = page.reload()
    assert STRICT_SCRIPTS in _policy(response)
    page.locator(".format-selection .dropdown-toggle").click()
    expect(page.get_by_role("link", name="json")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="OPTIONS").click()
    expect(page.locator(".response-info")).to_contain_text("HTTP 200 OK")
    expect(page.locator(".response-info")).to_contain_text('"name": "Product List"')

    # Logging out from the user menu (a form posted by its button, not by an inline script).
    page.locator(".navbar .dropdown-toggle").filter(has_text=customer_user.email).click()
    page.get_by_role("button", name="Log out").click()
    expect(page.locator(".navbar")).to_contain_text("Log in")
    expect(page.locator(".navbar")).not_to_contain_text(customer_user.email)


def test_the_guard_records_what_the_policy_refuses(page, guard):
    page.goto("/admin/login/")

    ran = page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
            return window.injected === true;
        }"""
    )
    page.wait_for_timeout(100)

    assert ran is False
    assert len(guard.csp_violations) == 1
    assert "script-src 'self'" in guard.csp_violations[0]
    guard.csp_violations.clear()
