"""The payments admin: read-only records, refunds through the services, errors as messages."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from payments.models import Payment, Refund
from tests.payments.support import event_body, pay, send_webhook

CHANGELIST = "/admin/payments/payment/"


@pytest.fixture
def admin_client_(make_user) -> Client:
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def paid(customer_client, order_id) -> int:
    return pay(customer_client, order_id, "tok_visa").json()["id"]


@pytest.fixture
def declined(customer_client, customer, place_order) -> int:
    order = place_order(customer)
    return pay(customer_client, order, "tok_chargeDeclined").json()["payment"]["id"]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client: Client, action: str, *payment_ids: int):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(pk) for pk in payment_ids]},
        follow=True,
    )


def listed(response) -> list[int]:
    return [payment.pk for payment in response.context["cl"].result_list]


def test_the_changelist_lists_payments_with_filters_and_search(
    admin_client_, paid, declined, other_customer, other_client, place_order
):
    others = pay(other_client, place_order(other_customer), "tok_visa").json()["id"]
    reference = Payment.objects.get(pk=paid).provider_reference

    everything = admin_client_.get(CHANGELIST)
    by_email = admin_client_.get(CHANGELIST, {"q": other_customer.email})
    by_reference = admin_client_.get(CHANGELIST, {"q": reference})
    failed = admin_client_.get(CHANGELIST, {"status__exact": "failed"})

    assert everything.status_code == 200
    assert listed(everything) == [others, declined, paid]
    assert listed(by_email) == [others]
    assert listed(by_reference) == [paid]
    assert listed(failed) == [declined]


def test_payments_cannot_be_added_changed_or_deleted(admin_client_, paid):
    change_url = f"{CHANGELIST}{paid}/change/"

    assert admin_client_.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client_.get(change_url).status_code == 200
    assert admin_client_.post(change_url, {"status": "refunded"}).status_code == 403
    assert admin_client_.post(f"{CHANGELIST}{paid}/delete/", {"post": "yes"}).status_code == 403
    assert Payment.objects.get(pk=paid).status == "succeeded"


def test_refunds_are_read_only_too(admin_client_, paid, staff_client):
    staff_client.post(f"/api/v1/payments/{paid}/refund/", {}, format="json")
    refund = Refund.objects.get()

    assert admin_client_.get("/admin/payments/refund/").status_code == 200
    assert admin_client_.get("/admin/payments/refund/add/").status_code == 403
    assert admin_client_.post(f"/admin/payments/refund/{refund.pk}/delete/").status_code == 403


def test_the_full_refund_action_refunds_each_selected_payment(admin_client_, paid, declined):
    response = run_action(admin_client_, "refund_in_full", paid, declined)

    assert Payment.objects.get(pk=paid).status == "refunded"
    assert Payment.objects.get(pk=declined).status == "failed"
    shown = messages_of(response)
    assert f"Payment {paid}: refunded 25.00 USD." in shown
    assert any(message.startswith(f"Payment {declined}: Only a succeeded") for message in shown)


def test_choosing_an_amount_leads_to_a_form_for_one_payment(admin_client_, paid):
    response = run_action(admin_client_, "refund_chosen_amount", paid)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"{CHANGELIST}{paid}/refund/"
    assert response.context["form"].initial["amount"] == Decimal("25.00")


def test_choosing_an_amount_for_several_payments_is_refused(admin_client_, paid, declined):
    response = run_action(admin_client_, "refund_chosen_amount", paid, declined)

    assert "Select exactly one payment to refund." in messages_of(response)
    assert Refund.objects.count() == 0


def test_the_refund_form_refunds_the_chosen_amount(admin_client_, paid):
    response = admin_client_.post(f"{CHANGELIST}{paid}/refund/", {"amount": "10.00"}, follow=True)

    payment = Payment.objects.get(pk=paid)
    assert (payment.status, payment.refunded_amount) == ("partially_refunded", Decimal("10.00"))
    assert f"Payment {paid}: refunded 10.00 USD." in messages_of(response)


def test_the_refund_form_shows_a_refused_refund_as_a_message(admin_client_, paid):
    response = admin_client_.post(f"{CHANGELIST}{paid}/refund/", {"amount": "30.00"})

    assert response.status_code == 200
    assert any("left to refund" in message for message in messages_of(response))
    assert Refund.objects.count() == 0


@pytest.mark.parametrize("amount", ["0", "1.001", "abc"])
def test_the_refund_form_validates_the_amount(admin_client_, paid, amount):
    response = admin_client_.post(f"{CHANGELIST}{paid}/refund/", {"amount": amount})

    assert response.status_code == 200
    assert response.context["form"].errors["amount"]
    assert Refund.objects.count() == 0


def test_staff_without_access_to_payments_cannot_refund(make_user, paid):
    client = Client()
    client.force_login(make_user(is_staff=True))

    response = client.post(f"{CHANGELIST}{paid}/refund/", {"amount": "10.00"})

    assert response.status_code == 403
    assert Refund.objects.count() == 0


def test_processed_webhook_events_are_listed_read_only(admin_client_, customer_client, order_id):
    payment_id = pay(customer_client, order_id, "tok_async").json()["id"]
    send_webhook(Client(), event_body(payment_id=payment_id, event_id="evt_listed"))

    listed = admin_client_.get("/admin/payments/processedwebhookevent/")

    assert listed.status_code == 200
    assert [event.event_id for event in listed.context["cl"].result_list] == ["evt_listed"]
    assert admin_client_.get("/admin/payments/processedwebhookevent/add/").status_code == 403


def test_the_list_shows_amounts_with_their_currency_next_to_the_refund_link(admin_client_, paid):
    html = admin_client_.get(CHANGELIST).content.decode()

    assert '<td class="field-charged">25.00 USD</td>' in html
    assert '<td class="field-refunded">0.00 USD</td>' in html
    assert f'<a href="{CHANGELIST}{paid}/refund/">Refund…</a>' in html


def test_a_refundable_payments_page_has_a_refund_button(admin_client_, paid, declined):
    refundable = admin_client_.get(f"{CHANGELIST}{paid}/change/").content.decode()
    failed = admin_client_.get(f"{CHANGELIST}{declined}/change/").content.decode()

    assert f'<li><a href="{CHANGELIST}{paid}/refund/">Refund…</a></li>' in refundable
    assert f"{CHANGELIST}{declined}/refund/" not in failed


def test_the_refund_form_loads_the_admin_form_styles(admin_client_, paid):
    response = admin_client_.get(f"{CHANGELIST}{paid}/refund/")

    html = response.content.decode()
    assert "admin/css/forms.css" in html
    assert '<fieldset class="module aligned">' in html
