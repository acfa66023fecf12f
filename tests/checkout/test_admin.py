"""Shipping methods, tax rates and vouchers in the admin: the Marketing group's pages, written
through `checkout.services`; a voucher's page shows its uses, read-only."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from checkout import services
from checkout.admin import VoucherForm
from checkout.models import ShippingMethod, TaxRate, Voucher

pytestmark = pytest.mark.django_db

MODELS = ("shippingmethod", "taxrate", "voucher")


def url(model: str, page: str, *args) -> str:
    return reverse(f"admin:checkout_{model}_{page}", args=args)


@pytest.fixture
def admin(marketer) -> Client:
    client = Client()
    client.force_login(marketer)
    return client


@pytest.fixture
def stored():
    return {
        "shippingmethod": services.create_shipping_method(
            code="standard", name="Standard", price=Decimal("4.99"), countries=["DE", "AT"]
        ).pk,
        "taxrate": services.create_tax_rate(country="DE", rate=Decimal("0.19")).pk,
        "voucher": services.create_voucher(
            code="SUMMER10", kind="percentage", value=Decimal("10")
        ).pk,
    }


@pytest.mark.parametrize("model", MODELS)
def test_marketing_sees_each_list_add_and_change_page(admin, stored, model):
    pages = [url(model, "changelist"), url(model, "add"), url(model, "change", stored[model])]

    assert [admin.get(page).status_code for page in pages] == [200, 200, 200]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("who", ["customer", "catalog_manager"])
def test_nobody_else_reaches_the_pages(request, stored, model, who):
    client = Client()
    client.force_login(request.getfixturevalue(who))

    response = client.get(url(model, "changelist"))

    # A customer is sent to the admin's login; staff without the permission are refused.
    assert response.status_code == (302 if who == "customer" else 403)


def test_the_shipping_method_list_shows_where_each_ships(admin, stored):
    services.create_shipping_method(code="world", name="World", price=Decimal("20.00"))

    page = admin.get(url("shippingmethod", "changelist")).content.decode()

    assert "DE, AT" in page
    assert "everywhere" in page


def test_a_voucher_page_shows_its_uses_read_only(admin, stored):
    Voucher.objects.filter(pk=stored["voucher"]).update(used_count=7)

    response = admin.get(url("voucher", "change", stored["voucher"]))

    form = response.context["adminform"].form
    assert "used_count" not in form.fields
    assert '<div class="readonly">7</div>' in response.content.decode()


def test_marketing_adds_a_shipping_method_with_typed_countries(admin):
    response = admin.post(
        url("shippingmethod", "add"),
        {
            "code": "eu",
            "name": "EU",
            "price": "4.90",
            "countries": "de, fr at",
            "free_over": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    method = ShippingMethod.objects.get()
    assert (method.code, method.countries, method.free_over) == ("eu", ["DE", "FR", "AT"], None)


def test_an_unknown_country_is_a_form_error(admin):
    response = admin.post(
        url("shippingmethod", "add"),
        {"code": "eu", "name": "EU", "price": "4.90", "countries": "DE, XX"},
    )

    assert response.status_code == 200
    assert "countries" in response.context["adminform"].form.errors
    assert not ShippingMethod.objects.exists()


def test_marketing_changes_a_shipping_method_through_the_services(admin, stored):
    response = admin.post(
        url("shippingmethod", "change", stored["shippingmethod"]),
        {"code": "standard", "name": "Standard", "price": "5.99", "countries": "DE, AT"},
    )

    assert response.status_code == 302
    method = ShippingMethod.objects.get()
    assert (method.price, method.countries, method.is_active) == (
        Decimal("5.99"),
        ["DE", "AT"],
        False,
    )


def test_marketing_adds_a_tax_rate_in_lower_case_and_cannot_change_its_country(admin, stored):
    added = admin.post(url("taxrate", "add"), {"country": "fr", "rate": "0.2"})
    changed = admin.post(url("taxrate", "change", "FR"), {"country": "IT", "rate": "0.055"})

    assert (added.status_code, changed.status_code) == (302, 302)
    assert dict(TaxRate.objects.values_list("country", "rate")) == {
        "DE": Decimal("0.19"),
        "FR": Decimal("0.055"),
    }


@pytest.mark.parametrize("rate", ["1", "1.5", "-0.1", "0.12345"])
def test_a_bad_rate_is_a_form_error(admin, rate):
    response = admin.post(url("taxrate", "add"), {"country": "FR", "rate": rate})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not TaxRate.objects.exists()


def voucher_form(**values) -> dict:
    return {
        "code": "welcome",
        "kind": "fixed",
        "value": "5.00",
        "min_subtotal": "0.00",
        "starts_at_0": "",
        "starts_at_1": "",
        "ends_at_0": "",
        "ends_at_1": "",
        "max_uses": "",
        "max_uses_per_email": "",
        "is_active": "on",
        **values,
    }


def test_marketing_adds_a_voucher_stored_upper_case(admin):
    response = admin.post(url("voucher", "add"), voucher_form())

    assert response.status_code == 302
    assert list(Voucher.objects.values_list("code", "used_count")) == [("WELCOME", 0)]


@pytest.mark.parametrize(
    "values",
    [
        {"code": "summer10"},
        {"kind": "percentage", "value": "100.01"},
        {"value": "0"},
        {
            "starts_at_0": "2026-02-01",
            "starts_at_1": "00:00:00",
            "ends_at_0": "2026-01-01",
            "ends_at_1": "00:00:00",
        },
        {"max_uses": "0"},
    ],
)
def test_a_bad_voucher_is_a_form_error(admin, stored, values):
    response = admin.post(url("voucher", "add"), voucher_form(**values))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert list(Voucher.objects.values_list("code", flat=True)) == ["SUMMER10"]


def test_a_change_keeps_the_uses_counted_meanwhile(admin, stored):
    Voucher.objects.filter(pk=stored["voucher"]).update(used_count=3)

    response = admin.post(
        url("voucher", "change", stored["voucher"]),
        voucher_form(code="SUMMER10", kind="percentage", value="15.00"),
    )

    assert response.status_code == 302
    voucher = Voucher.objects.get()
    assert (voucher.value, voucher.used_count) == (Decimal("15.00"), 3)


def test_a_code_taken_that_only_the_database_sees_is_an_error_message_not_a_500(
    admin, stored, monkeypatch
):
    monkeypatch.setattr(VoucherForm, "validate_unique", lambda form: None)
    monkeypatch.setattr(services, "value_taken", lambda *args, **kwargs: False)

    response = admin.post(url("voucher", "add"), voucher_form(code="summer10"))

    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "Nothing was saved. code: A voucher with this code already exists."
    assert Voucher.objects.count() == 1


def test_marketing_deletes_through_the_services(admin, stored):
    response = admin.post(url("voucher", "delete", stored["voucher"]), {"post": "yes"})

    assert response.status_code == 302
    assert not Voucher.objects.exists()


def test_an_expired_voucher_can_be_added_for_the_record(admin):
    past = datetime.date(2020, 1, 1).isoformat()

    response = admin.post(url("voucher", "add"), voucher_form(ends_at_0=past, ends_at_1="00:00:00"))

    assert response.status_code == 302
