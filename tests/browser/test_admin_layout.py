"""What staff see at a common laptop size (1280 x 900), with the demo catalog: whole lists,
the links they act on, forms styled like the rest of the admin."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from rest_framework.test import APIClient

from accounts import services as accounts
from orders import services as orders
from orders.dtos import OrderItem
from payments import services as payments
from shop.management.commands.seed_demo import DEMO_USERS
from tests.browser.conftest import admin_login, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF, CUSTOMER = (
    next(user for user in DEMO_USERS if user["role"] == role) for role in ("superuser", "customer")
)
OVERFLOW = """() => {
    const results = document.querySelector('#changelist .results');
    return results.scrollWidth - results.clientWidth;
}"""


@pytest.fixture
def demo_shop(staff_groups):
    """`make run`'s data (the demo catalog and logins) and one paid order of the customer."""
    call_command("seed_demo", "--with-users", stdout=StringIO())
    customer = accounts.get_user_by_email(email=CUSTOMER["email"])
    listed = APIClient().get("/api/v1/products/", {"page_size": 100}).json()["results"]
    first, second = sorted(
        variant["id"]
        for product in listed
        for variant in product["variants"]
        if variant["stock"] > 2
    )[:2]
    items = [OrderItem(variant_id=first, quantity=2), OrderItem(variant_id=second, quantity=1)]
    order = orders.place_order(customer_id=customer.id, items=items)
    payment = payments.pay_order(order_id=order.id, customer_id=customer.id, token="tok_visa")
    return order, payment


@pytest.fixture
def staff_page(page, demo_shop):
    admin_login(page, accounts.get_user_by_email(email=STAFF["email"]), STAFF["password"])
    return page


@pytest.mark.parametrize("changelist", ["/admin/catalog/product/", "/admin/orders/order/"])
def test_every_column_of_the_list_fits_the_window(staff_page, changelist):
    staff_page.goto(changelist)

    expect(staff_page.locator("#result_list tbody tr").first).to_be_visible()
    assert staff_page.evaluate(OVERFLOW) <= 0
    expect(staff_page.locator("#result_list thead th").last).to_be_in_viewport(ratio=1)
    if changelist == "/admin/catalog/product/":
        save_screenshot(staff_page, "admin-products.png")


def test_the_payments_list_shows_amounts_status_and_the_refund_link_without_scrolling(
    staff_page, demo_shop
):
    _, payment = demo_shop
    staff_page.goto("/admin/payments/payment/")

    row = staff_page.locator("#result_list tbody tr").first
    expect(row).to_contain_text(f"{payment.amount} USD")
    for cell in ("charged", "refunded", "status", "refund_link"):
        expect(row.locator(f"td.field-{cell}")).to_be_in_viewport(ratio=1)


def test_the_ship_cancel_and_refund_forms_are_laid_out_like_the_rest_of_the_admin(
    staff_page, demo_shop
):
    order, payment = demo_shop

    for url in (
        f"/admin/orders/order/{order.id}/ship/",
        f"/admin/orders/order/{order.id}/cancel/",
        f"/admin/payments/payment/{payment.id}/refund/",
    ):
        staff_page.goto(url)
        # admin/css/forms.css lines the labels up in a 160-pixel column and styles the buttons.
        label = staff_page.locator("fieldset.aligned label").first
        assert label.evaluate("label => getComputedStyle(label).width") == "160px", url
        expect(staff_page.locator(".submit-row")).to_have_css("display", "flex")
        expect(staff_page.locator(".submit-row a")).to_have_css("padding", "10px 15px")
