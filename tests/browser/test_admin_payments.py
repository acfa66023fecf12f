"""Staff refund part of a payment from the admin."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog import services as catalog
from orders import services as orders
from orders.dtos import OrderItem
from payments import services as payments
from tests.browser.conftest import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def payment(customer_user):
    teapot = catalog.create_product(
        sku="BRW-026", name="Teapot 1 l", price=Decimal("12.50"), stock=5
    )
    order = orders.place_order(
        customer_id=customer_user.pk, items=[OrderItem(product_id=teapot.pk, quantity=2)]
    )
    return payments.pay_order(order_id=order.id, customer_id=customer_user.pk, token="tok_visa")


def test_staff_refund_part_of_a_payment(page, api, staff_user, customer_user, payment):
    admin_login(page, staff_user)
    page.get_by_role("link", name="Payments").last.click()
    row = page.locator("#result_list tbody tr").filter(has_text="25.00")
    refund = row.get_by_role("link", name="Refund…")
    expect(refund).to_be_in_viewport()
    refund.click()

    expect(page.get_by_role("heading", name=f"Refund payment {payment.id}")).to_be_visible()
    amount = page.get_by_label("Amount")
    expect(amount).to_have_value("25.00")
    amount.fill("10.00")
    page.get_by_role("button", name="Refund").click()

    expect(page.locator(".messagelist .success")).to_have_text(
        f"Payment {payment.id}: refunded 10.00 USD."
    )
    expect(page.locator(".field-status .readonly")).to_have_text("Partially Refunded")
    expect(page.locator(".field-refunded_amount .readonly")).to_have_text("10.00")
    refunds = page.locator(".inline-group").filter(has_text="Refunds")
    expect(refunds.locator("tbody tr.has_original").filter(has_text="10.00")).to_have_count(1)

    status, body = api.get(f"/api/v1/payments/{payment.id}/", token=api.token(customer_user))
    assert status == 200
    assert (body["status"], body["refunded_amount"], body["amount"]) == (
        "partially_refunded",
        "10.00",
        "25.00",
    )
