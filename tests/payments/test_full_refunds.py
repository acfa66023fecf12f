"""A refund that gives an order's money back in full makes the order `refunded`: it says so,
it is never shipped, and if it had not shipped yet its stock comes back. A partial refund
leaves the order as it is."""

from decimal import Decimal

import pytest
from django.test import Client

from payments.exceptions import GatewayUnavailable
from payments.models import Payment, Refund
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import order_status, stock_of
from tests.payments.support import ORDER_TOTAL, PAYMENTS_URL, fail_refund

ORDERS = "/api/v1/orders/"


def payment_of(order_id: int) -> int:
    return Payment.objects.values_list("pk", flat=True).get(order_id=order_id)


def refund(client, order_id: int, amount: str | None = None):
    return client.post(
        f"{PAYMENTS_URL}{payment_of(order_id)}/refund/",
        {} if amount is None else {"amount": amount},
        format="json",
    )


def order_of(client, order_id: int) -> dict:
    return client.get(f"{ORDERS}{order_id}/").json()


@pytest.fixture
def order_in(make_order, customer, teapot):
    """An order of two teapots (25.00) brought to `status` through the services."""

    def make(status: str) -> int:
        return make_order(customer, items=[(teapot, 2)], status=status)

    return make


def test_a_full_refund_makes_a_paid_order_refunded_and_gives_its_stock_back(
    staff_client, customer_client, order_in, teapot
):
    order_id = order_in("paid")
    stock_while_paid = stock_of(teapot)

    response = refund(staff_client, order_id)

    assert response.status_code == 201
    order = order_of(customer_client, order_id)
    assert order["status"] == "refunded"
    assert [event["status"] for event in order["events"]] == ["pending", "paid", "refunded"]
    assert order["events"][-1]["note"] == f"Refunded in full (payment {payment_of(order_id)})."
    assert stock_of(teapot) == stock_while_paid + 2


@pytest.mark.parametrize("action", ["ship", "deliver", "cancel"])
def test_a_fully_refunded_order_is_never_shipped_delivered_or_cancelled(
    staff_client, order_in, teapot, action
):
    order_id = order_in("paid")
    refund(staff_client, order_id)
    stock = stock_of(teapot)

    response = staff_client.post(f"{ORDERS}{order_id}/{action}/", {}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["current_status"]) == ("invalid_transition", "refunded")
    assert order_status(order_id) == "refunded"
    assert stock_of(teapot) == stock


def test_partial_refunds_make_the_order_refunded_with_the_one_that_completes_them(
    staff_client, customer_client, order_in
):
    order_id = order_in("paid")

    first = refund(staff_client, order_id, "10.00")
    status_between = order_status(order_id)
    last = refund(staff_client, order_id, "15.00")

    assert (first.status_code, last.status_code) == (201, 201)
    assert status_between == "paid"
    order = order_of(customer_client, order_id)
    assert order["status"] == "refunded"
    assert [event["status"] for event in order["events"]].count("refunded") == 1


def test_a_partial_refund_leaves_the_order_paid_and_shippable(staff_client, order_in):
    order_id = order_in("paid")

    refund(staff_client, order_id, "24.99")
    shipped = staff_client.post(f"{ORDERS}{order_id}/ship/", {}, format="json")

    assert shipped.status_code == 200
    assert shipped.json()["status"] == "shipped"
    assert Payment.objects.get(order_id=order_id).status == "partially_refunded"


@pytest.mark.parametrize("status", ["shipped", "delivered"])
def test_refunding_a_shipped_or_delivered_order_in_full_leaves_the_stock_alone(
    staff_client, customer_client, order_in, teapot, status
):
    order_id = order_in(status)
    stock = stock_of(teapot)

    refund(staff_client, order_id)

    order = order_of(customer_client, order_id)
    assert order["status"] == "refunded"
    assert [event["status"] for event in order["events"][-2:]] == [status, "refunded"]
    assert stock_of(teapot) == stock


def test_a_refund_the_provider_refuses_leaves_the_order_paid(
    staff_client, order_in, teapot, monkeypatch
):
    order_id = order_in("paid")
    stock = stock_of(teapot)
    fail_refund(monkeypatch, TimeoutError("The provider did not answer in time."))

    response = refund(staff_client, order_id)

    assert response.status_code == GatewayUnavailable.status_code
    assert order_status(order_id) == "paid"
    assert stock_of(teapot) == stock
    assert Payment.objects.get(order_id=order_id).status == "succeeded"


def test_cancelling_a_paid_order_refunds_it_and_leaves_it_cancelled(
    customer_client, order_in, teapot
):
    order_id = order_in("paid")

    response = customer_client.post(f"{ORDERS}{order_id}/cancel/")

    assert response.json()["status"] == "cancelled"
    assert "refunded" not in [event["status"] for event in response.json()["events"]]
    assert Payment.objects.get(order_id=order_id).status == "refunded"


def test_the_order_list_filters_refunded_orders(customer_client, order_in):
    orders = {status: order_in(status) for status in ["paid", "cancelled", "refunded"]}

    response = customer_client.get(ORDERS, {"status": "refunded"})

    assert response.status_code == 200
    assert [order["id"] for order in response.json()["results"]] == [orders["refunded"]]


@pytest.fixture
def finance_admin(finance_staff) -> Client:
    client = Client()
    client.force_login(finance_staff)
    return client


def test_the_admins_full_refund_action_makes_the_order_refunded(finance_admin, order_in, teapot):
    order_id = order_in("paid")
    stock = stock_of(teapot)

    finance_admin.post(
        "/admin/payments/payment/",
        {"action": "refund_in_full", "_selected_action": [str(payment_of(order_id))]},
    )

    assert order_status(order_id) == "refunded"
    assert stock_of(teapot) == stock + 2


def test_the_admins_refund_form_completing_the_refund_makes_the_order_refunded(
    finance_admin, order_in
):
    order_id = order_in("delivered")
    url = f"/admin/payments/payment/{payment_of(order_id)}/refund/"

    finance_admin.post(url, {"amount": "5.00"})
    status_between = order_status(order_id)
    finance_admin.post(url, {"amount": "20.00"})

    assert (status_between, order_status(order_id)) == ("delivered", "refunded")


def test_the_admins_refund_form_says_a_refund_in_full_makes_the_order_refunded(
    finance_admin, order_in
):
    order_id = order_in("paid")

    page = finance_admin.get(f"/admin/payments/payment/{payment_of(order_id)}/refund/")

    assert "Refunding all that is left makes the order refunded" in page.content.decode()


def test_the_orders_admin_filters_refunded_orders(make_user, order_in):
    refunded = order_in("refunded")
    order_in("paid")
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))

    response = client.get("/admin/orders/order/", {"status__exact": "refunded"})

    assert [order.pk for order in response.context["cl"].result_list] == [refunded]
    assert "?status__exact=refunded" in response.content.decode()


@pytest.mark.postgres("the race needs the order's row lock and two concurrent writers")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_a_full_refund_racing_a_ship_never_leaves_a_refunded_order_shipped(
    staff, customer, make_order, teapot, round_
):
    order_id = make_order(customer, items=[(teapot, 2)], status="paid")
    payment_id = payment_of(order_id)
    stock_while_paid = stock_of(teapot)
    refunder, shipper = client_for(staff), client_for(staff)

    refunding, shipping = run_concurrently(
        lambda: refunder.post(f"{PAYMENTS_URL}{payment_id}/refund/", {}, format="json"),
        lambda: shipper.post(f"{ORDERS}{order_id}/ship/", {}, format="json"),
    )

    assert refunding.status_code == 201
    assert Decimal(refunding.json()["amount"]) == ORDER_TOTAL
    events = client_for(customer).get(f"{ORDERS}{order_id}/").json()["events"]
    assert order_status(order_id) == "refunded"
    if shipping.status_code == 200:
        assert [event["status"] for event in events[-2:]] == ["shipped", "refunded"]
        assert stock_of(teapot) == stock_while_paid
    else:
        assert (shipping.status_code, shipping.json()["code"]) == (409, "invalid_transition")
        assert [event["status"] for event in events[-2:]] == ["paid", "refunded"]
        assert stock_of(teapot) == stock_while_paid + 2


@pytest.mark.postgres("the race needs the order's row lock and two concurrent writers")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_a_full_refund_racing_a_cancel_refunds_once_and_never_deadlocks(
    staff, customer, make_order, teapot, round_
):
    order_id = make_order(customer, items=[(teapot, 2)], status="paid")
    payment_id = payment_of(order_id)
    refunder, canceller = client_for(staff), client_for(customer)

    refunding, cancelling = run_concurrently(
        lambda: refunder.post(f"{PAYMENTS_URL}{payment_id}/refund/", {}, format="json"),
        lambda: canceller.post(f"{ORDERS}{order_id}/cancel/"),
    )

    statuses = (refunding.status_code, cancelling.status_code)
    assert statuses in {(201, 409), (409, 200)}
    assert order_status(order_id) == ("refunded" if statuses == (201, 409) else "cancelled")
    assert Payment.objects.get(pk=payment_id).refunded_amount == ORDER_TOTAL
    assert Refund.objects.filter(payment_id=payment_id).count() == 1
