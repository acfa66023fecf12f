"""The orders admin: read-only orders, status moves only through the services, never a 500."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders import services
from orders.models import Order
from tests.factories import stock_of

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:orders_order_changelist")


def _change_url(order_id: int) -> str:
    return reverse("admin:orders_order_change", args=[order_id])


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _status(order_id: int) -> str:
    return Order.objects.get(pk=order_id).status


@pytest.fixture
def admin_client(make_user) -> Client:
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def _run_action(client: Client, action: str, order_ids: list[int], **data):
    return client.post(
        CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: order_ids, **data}, follow=False
    )


# The list and the page


def test_the_list_shows_number_customer_status_and_total(admin_client, order_in, customer):
    order = Order.objects.get(pk=order_in("paid"))

    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    for text in (order.number, customer.email, "Paid", "12.50"):
        assert text in html


def test_the_list_is_searched_by_number_and_customer_email(
    admin_client, place, product, customer, other_customer
):
    mine = Order.objects.get(pk=place((product, 1)))
    theirs = Order.objects.get(pk=place((product, 1), customer=other_customer))

    by_number = admin_client.get(CHANGELIST, {"q": mine.number}).content.decode()
    by_email = admin_client.get(CHANGELIST, {"q": other_customer.email}).content.decode()

    assert mine.number in by_number
    assert theirs.number not in by_number
    assert theirs.number in by_email
    assert mine.number not in by_email


def test_the_list_is_filtered_by_status(admin_client, order_in):
    pending = Order.objects.get(pk=order_in("pending"))
    paid = Order.objects.get(pk=order_in("paid"))

    html = admin_client.get(CHANGELIST, {"status__exact": "paid"}).content.decode()

    assert paid.number in html
    assert pending.number not in html


def test_the_list_costs_the_same_queries_for_1_and_10_orders(admin_client, place, product):
    counts = []
    for total in (1, 10):
        while Order.objects.count() < total:
            place((product, 1))
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(CHANGELIST).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_order_page_shows_lines_and_history_read_only(admin_client, order_in):
    order = Order.objects.get(pk=order_in("shipped"))

    response = admin_client.get(_change_url(order.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Blue mug" in html
    assert "Shipped with DHL (tracking number JD0001)." in html
    for field in ("status", "total", "subtotal", "number", "carrier"):
        assert f'name="{field}"' not in html
    assert 'name="_save"' not in html


def test_posting_the_order_page_changes_nothing(admin_client, order_in):
    order_id = order_in("paid")

    admin_client.post(
        _change_url(order_id), {"status": "delivered", "total": "0.00", "carrier": "X"}
    )

    order = Order.objects.get(pk=order_id)
    assert (order.status, str(order.total), order.carrier) == ("paid", "12.50", "")


def test_orders_are_neither_added_nor_deleted_by_hand(admin_client, order_in):
    order_id = order_in("pending")

    assert admin_client.get(reverse("admin:orders_order_add")).status_code == 403
    assert (
        admin_client.get(reverse("admin:orders_order_delete", args=[order_id])).status_code == 403
    )


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        ("pending", {"cancel"}),
        ("paid", {"ship", "cancel"}),
        ("shipped", {"deliver"}),
        ("delivered", set()),
        ("cancelled", set()),
        ("refunded", set()),
    ],
)
def test_the_order_page_offers_the_moves_its_status_allows(admin_client, order_in, status, buttons):
    order_id = order_in(status)

    html = admin_client.get(_change_url(order_id)).content.decode()

    offered = {
        name
        for name in ("ship", "deliver", "cancel")
        if reverse(f"admin:orders_order_{name}", args=[order_id]) in html
    }
    assert offered == buttons


# One order, from its page


def test_shipping_from_the_order_page_asks_for_carrier_and_tracking_number(admin_client, order_in):
    order_id = order_in("paid")
    url = reverse("admin:orders_order_ship", args=[order_id])

    form = admin_client.get(url)
    response = admin_client.post(url, {"carrier": "UPS", "tracking_number": "1Z999", "note": ""})

    assert form.status_code == 200
    assert 'name="tracking_number"' in form.content.decode()
    assert response.status_code == 302
    assert response["Location"] == _change_url(order_id)
    order = Order.objects.get(pk=order_id)
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "UPS", "1Z999")
    assert _messages(response) == [f"Shipped 1 order(s): {order.number}."]


def test_a_refused_move_from_the_order_page_is_a_message_not_an_error(admin_client, order_in):
    order_id = order_in("pending")

    response = admin_client.post(
        reverse("admin:orders_order_ship", args=[order_id]), {"carrier": "UPS"}
    )

    assert response.status_code == 302
    assert _status(order_id) == "pending"
    assert _messages(response) == [
        f"{Order.objects.get(pk=order_id).number}: A pending order cannot become shipped."
    ]


def test_an_overlong_tracking_number_redisplays_the_form(admin_client, order_in):
    order_id = order_in("paid")

    response = admin_client.post(
        reverse("admin:orders_order_ship", args=[order_id]), {"tracking_number": "1" * 101}
    )

    assert response.status_code == 200
    assert "at most 100 characters" in response.content.decode()
    assert _status(order_id) == "paid"


def test_delivering_and_cancelling_from_the_order_page(admin_client, order_in, product):
    shipped, pending = order_in("shipped"), order_in("pending")

    admin_client.post(
        reverse("admin:orders_order_deliver", args=[shipped]), {"note": "Left at door"}
    )
    admin_client.post(reverse("admin:orders_order_cancel", args=[pending]), {"note": ""})

    assert _status(shipped) == "delivered"
    assert Order.objects.get(pk=shipped).events.last().note == "Left at door"
    assert _status(pending) == "cancelled"
    assert Order.objects.get(pk=pending).events.last().note == "Cancelled by the shop."
    assert stock_of(product) == 9


def test_a_missing_order_page_action_redirects_with_a_message(admin_client):
    response = admin_client.get(reverse("admin:orders_order_ship", args=[424242]))

    assert response.status_code == 302
    assert "doesn’t exist" in _messages(response)[0]


# Several orders, from the list


def test_shipping_selected_orders_asks_each_ones_tracking_number_then_ships_the_paid_ones(
    admin_client, order_in
):
    first, second, pending = order_in("paid"), order_in("paid"), order_in("pending")

    form = _run_action(admin_client, "ship_orders", [first, second, pending])

    assert form.status_code == 200
    html = form.content.decode()
    assert 'name="ship-0-tracking_number"' in html
    assert 'name="ship-1-tracking_number"' in html
    assert 'name="ship-2-tracking_number"' not in html
    assert Order.objects.get(pk=pending).number in html
    response = _run_action(
        admin_client,
        "ship_orders",
        [first, second, pending],
        apply="yes",
        **{
            "ship-TOTAL_FORMS": "2",
            "ship-INITIAL_FORMS": "2",
            "ship-0-order_id": str(first),
            "ship-0-carrier": "UPS",
            "ship-0-tracking_number": "1Z-FIRST",
            "ship-1-order_id": str(second),
            "ship-1-carrier": "DHL",
            "ship-1-tracking_number": "JD-SECOND",
        },
    )

    assert response.status_code == 302
    shipped = {
        order.pk: (order.status, order.carrier, order.tracking_number)
        for order in Order.objects.filter(pk__in=[first, second])
    }
    assert shipped == {
        first: ("shipped", "UPS", "1Z-FIRST"),
        second: ("shipped", "DHL", "JD-SECOND"),
    }
    assert _status(pending) == "pending"


def test_shipping_a_selection_without_paid_orders_says_so(admin_client, order_in):
    pending = order_in("pending")

    response = _run_action(admin_client, "ship_orders", [pending])

    assert response.status_code == 302
    assert _messages(response) == ["None of the selected orders is paid: nothing to ship."]


def test_an_order_that_stopped_being_paid_meanwhile_is_reported_not_shipped(
    admin_client, order_in, customer
):
    order_id = order_in("paid")
    services.cancel_order(order_id=order_id, actor_id=customer.pk)

    response = _run_action(
        admin_client,
        "ship_orders",
        [order_id],
        apply="yes",
        **{
            "ship-TOTAL_FORMS": "1",
            "ship-INITIAL_FORMS": "1",
            "ship-0-order_id": str(order_id),
            "ship-0-carrier": "",
            "ship-0-tracking_number": "",
        },
    )

    assert response.status_code == 302
    assert _status(order_id) == "cancelled"
    assert _messages(response) == [
        f"{Order.objects.get(pk=order_id).number}: A cancelled order cannot become shipped."
    ]


def test_delivering_selected_orders_delivers_the_shipped_and_reports_the_rest(
    admin_client, order_in
):
    shipped, paid = order_in("shipped"), order_in("paid")
    numbers = dict(Order.objects.values_list("pk", "number"))

    response = _run_action(admin_client, "deliver_orders", [shipped, paid])

    assert response.status_code == 302
    assert (_status(shipped), _status(paid)) == ("delivered", "paid")
    assert _messages(response) == [
        f"{numbers[paid]}: A paid order cannot become delivered.",
        f"Delivered 1 order(s): {numbers[shipped]}.",
    ]


def test_cancelling_selected_orders_asks_first_then_returns_the_stock(
    admin_client, order_in, product
):
    pending, shipped = order_in("pending"), order_in("shipped")

    confirm = _run_action(admin_client, "cancel_orders", [pending, shipped])
    response = _run_action(
        admin_client, "cancel_orders", [pending, shipped], apply="yes", note="Out of business"
    )

    assert confirm.status_code == 200
    assert "Yes, cancel them" in confirm.content.decode()
    assert response.status_code == 302
    assert (_status(pending), _status(shipped)) == ("cancelled", "shipped")
    assert Order.objects.get(pk=pending).events.last().note == "Out of business"
    assert stock_of(product) == 9
    assert len(_messages(response)) == 2


def test_staff_without_the_change_permission_cannot_move_orders(make_user, order_in):
    viewer = make_user(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client = Client()
    client.force_login(viewer)
    order_id = order_in("shipped")

    page = client.get(_change_url(order_id))
    action = _run_action(client, "deliver_orders", [order_id])
    view = client.post(reverse("admin:orders_order_deliver", args=[order_id]), {"note": ""})

    assert page.status_code == 200
    assert reverse("admin:orders_order_deliver", args=[order_id]) not in page.content.decode()
    assert action.status_code == 200
    assert view.status_code == 403
    assert _status(order_id) == "shipped"


def test_the_list_shows_each_total_with_its_currency(admin_client, order_in):
    order_in("paid")

    html = admin_client.get(CHANGELIST).content.decode()

    assert '<td class="field-total_with_currency">12.50 USD</td>' in html


def test_the_ship_and_cancel_forms_load_the_admin_form_styles(admin_client, order_in):
    order_id = order_in("paid")

    pages = [
        admin_client.get(reverse("admin:orders_order_ship", args=[order_id])),
        admin_client.get(reverse("admin:orders_order_cancel", args=[order_id])),
        _run_action(admin_client, "ship_orders", [order_id]),
        _run_action(admin_client, "cancel_orders", [order_id]),
    ]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "admin/css/forms.css" in html
        assert 'class="closelink"' in html
