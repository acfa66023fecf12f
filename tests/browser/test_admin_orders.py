"""Staff ship a paid order from the admin; the customer's API shows the new tracking event."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog import services as catalog
from orders import services as orders
from orders.dtos import OrderItem
from payments import services as payments
from tests.browser.conftest import admin_login, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paid_order(customer_user):
    """Two paid orders of the customer, so that finding the right one takes the search."""
    kettle = catalog.create_product(
        sku="BRW-001", name="Gooseneck Kettle", price=Decimal("32.26"), stock=5
    )
    cups = catalog.create_product(
        sku="MUG-002", name="Glass Tea Cup", price=Decimal("7.50"), stock=20
    )
    address = {
        "name": "Casey Customer",
        "line1": "1 Main St",
        "city": "Springfield",
        "postal_code": "62701",
        "country": "US",
    }
    placed = []
    for items in ([(kettle.pk, 1), (cups.pk, 2)], [(cups.pk, 1)]):
        order = orders.place_order(
            customer_id=customer_user.pk,
            items=[OrderItem(product_id=pid, quantity=quantity) for pid, quantity in items],
            shipping_address=address,
        )
        payments.pay_order(order_id=order.id, customer_id=customer_user.pk, token="tok_visa")
        placed.append(order)
    return placed[0]


def test_staff_find_a_paid_order_by_number_and_ship_it_with_a_tracking_number(
    page, api, staff_user, customer_user, paid_order
):
    admin_login(page, staff_user)
    page.get_by_role("link", name="Orders").last.click()
    page.locator("#searchbar").fill(paid_order.number)
    page.locator("#searchbar").press("Enter")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Paid")

    rows.first.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Ship selected paid orders")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name="Ship paid orders")).to_be_visible()
    page.locator("input[name$='-carrier']").fill("DHL")
    page.locator("input[name$='-tracking_number']").fill("JD0123")
    page.get_by_role("button", name="Ship 1 order(s)").click()
    expect(page.locator(".messagelist .success")).to_contain_text(
        f"Shipped 1 order(s): {paid_order.number}."
    )

    status, order = api.get(f"/api/v1/orders/{paid_order.id}/", token=api.token(customer_user))
    assert status == 200
    assert order["status"] == "shipped"
    assert (order["carrier"], order["tracking_number"]) == ("DHL", "JD0123")
    assert [event["status"] for event in order["events"]] == ["pending", "paid", "shipped"]
    assert "JD0123" in order["events"][-1]["note"]

    # The order's page shows the status and the history, and offers no way to type a status.
    page.get_by_role("link", name=paid_order.number).click()
    expect(page.locator(".field-status .readonly")).to_have_text("Shipped")
    expect(page.locator("[name=status]")).to_have_count(0)
    history = page.locator(".inline-group").filter(has_text="Status history")
    expect(history.locator("tbody tr.has_original")).to_have_count(3)
    expect(history).to_contain_text("JD0123")
    expect(page.get_by_role("link", name="Mark delivered…")).to_be_visible()
    save_screenshot(page, "admin-order.png", full_page=True)
