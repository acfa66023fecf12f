"""The staff API of shipping methods, tax rates and vouchers: who may call it, the shapes it
answers with, and the values it refuses (each a 400 naming the field, changing nothing)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from checkout import services
from checkout.models import ShippingMethod, TaxRate, Voucher
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

API = "/api/v1"


def rows() -> dict[str, list[dict]]:
    """Every row of the checkout's tables."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (ShippingMethod, TaxRate, Voucher)
    }


@pytest.fixture
def stored():
    """One of each, for the detail routes."""
    services.create_shipping_method(code="standard", name="Standard", price=Decimal("4.99"))
    services.create_tax_rate(country="DE", rate=Decimal("0.19"))
    services.create_voucher(code="SUMMER10", kind="percentage", value=Decimal("10"))


# Who may call it.

OPERATIONS = [
    ("get", "shipping-methods/", None, "checkout.view_shippingmethod", 200),
    ("get", "shipping-methods/standard/", None, "checkout.view_shippingmethod", 200),
    (
        "post",
        "shipping-methods/",
        {"code": "express", "name": "Express", "price": "9.99"},
        "checkout.add_shippingmethod",
        201,
    ),
    (
        "patch",
        "shipping-methods/standard/",
        {"price": "5.99"},
        "checkout.change_shippingmethod",
        200,
    ),
    ("delete", "shipping-methods/standard/", None, "checkout.delete_shippingmethod", 204),
    ("get", "tax-rates/", None, "checkout.view_taxrate", 200),
    ("get", "tax-rates/DE/", None, "checkout.view_taxrate", 200),
    ("post", "tax-rates/", {"country": "FR", "rate": "0.2"}, "checkout.add_taxrate", 201),
    ("patch", "tax-rates/DE/", {"rate": "0.07"}, "checkout.change_taxrate", 200),
    ("delete", "tax-rates/DE/", None, "checkout.delete_taxrate", 204),
    ("get", "vouchers/", None, "checkout.view_voucher", 200),
    ("get", "vouchers/SUMMER10/", None, "checkout.view_voucher", 200),
    (
        "post",
        "vouchers/",
        {"code": "WELCOME", "kind": "fixed", "value": "5.00"},
        "checkout.add_voucher",
        201,
    ),
    ("patch", "vouchers/SUMMER10/", {"is_active": False}, "checkout.change_voucher", 200),
    ("delete", "vouchers/SUMMER10/", None, "checkout.delete_voucher", 204),
]
OPERATION_IDS = [f"{method.upper()} {path}" for method, path, *_ in OPERATIONS]


def call(client, method: str, path: str, body: dict | None):
    return getattr(client, method)(f"{API}/{path}", body, format="json")


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
def test_marketing_may_do_everything(stored, marketer, operation):
    method, path, body, _permission, success = operation

    response = call(client_for(marketer), method, path, body)

    assert response.status_code == success, response.content


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
def test_a_superuser_may_do_everything(stored, make_user, operation):
    method, path, body, _permission, success = operation
    superuser = make_user(is_staff=True, is_superuser=True)

    assert call(client_for(superuser), method, path, body).status_code == success


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
@pytest.mark.parametrize("who", ["customer", "catalog manager", "staff without a group"])
def test_anyone_else_signed_in_gets_403_naming_the_permission_and_nothing_changes(
    stored, customer, catalog_manager, staff_without_group, operation, who
):
    method, path, body, permission, _success = operation
    user = {
        "customer": customer,
        "catalog manager": catalog_manager,
        "staff without a group": staff_without_group,
    }[who]
    before = rows()

    response = call(client_for(user), method, path, body)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert permission in response.json()["detail"]
    assert rows() == before


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
def test_an_anonymous_caller_gets_401_and_nothing_changes(stored, anon_client, operation):
    method, path, body, *_ = operation
    before = rows()

    assert call(anon_client, method, path, body).status_code == 401
    assert rows() == before


def test_the_view_permission_alone_reads_but_does_not_write(stored, make_staff):
    reader = make_staff()
    reader.user_permissions.set(
        Permission.objects.filter(content_type__app_label="checkout", codename__startswith="view_")
    )
    client = client_for(reader)

    assert client.get(f"{API}/vouchers/").status_code == 200
    assert client.patch(f"{API}/vouchers/SUMMER10/", {"is_active": False}).status_code == 403


# Shipping methods.


def test_a_shipping_method_is_created_and_read_back(staff_client):
    body = {
        "code": "eu-standard",
        "name": "EU standard",
        "price": "4.90",
        "countries": ["de", "FR", "DE"],
        "free_over": "50.00",
    }

    created = staff_client.post(f"{API}/shipping-methods/", body, format="json")
    read = staff_client.get(f"{API}/shipping-methods/eu-standard/")

    assert created.status_code == 201
    expected = {
        "code": "eu-standard",
        "name": "EU standard",
        "price": "4.90",
        "currency": "USD",
        "countries": ["DE", "FR"],
        "free_over": "50.00",
        "is_active": True,
    }
    assert created.json() == expected
    assert read.json() == expected


def test_a_shipping_method_ships_everywhere_and_is_never_free_by_default(staff_client):
    response = staff_client.post(
        f"{API}/shipping-methods/", {"code": "post", "name": "Post", "price": "0.00"}
    )

    assert response.status_code == 201
    assert (response.json()["countries"], response.json()["free_over"]) == ([], None)


def test_the_shipping_methods_are_listed_by_code_paginated(staff_client):
    for code in ("standard", "express", "pickup"):
        services.create_shipping_method(code=code, name=code.title(), price=Decimal("1.00"))

    page = staff_client.get(f"{API}/shipping-methods/", {"page_size": "2"}).json()

    assert page["count"] == 3
    assert [method["code"] for method in page["results"]] == ["express", "pickup"]


def test_a_shipping_method_is_changed_and_deleted(stored, staff_client):
    changed = staff_client.patch(
        f"{API}/shipping-methods/standard/",
        {"countries": ["us"], "free_over": None, "is_active": False},
        format="json",
    )
    deleted = staff_client.delete(f"{API}/shipping-methods/standard/")

    assert changed.status_code == 200
    assert changed.json()["countries"] == ["US"]
    assert changed.json()["is_active"] is False
    assert changed.json()["price"] == "4.99"
    assert deleted.status_code == 204
    assert staff_client.get(f"{API}/shipping-methods/standard/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"countries": ["XX"]}, "countries"),
        ({"countries": ["Germany"]}, "countries"),
        ({"countries": "DE"}, "countries"),
        ({"price": "-0.01"}, "price"),
        ({"price": "1.999"}, "price"),
        ({"price": 4.99}, "price"),
        ({"free_over": "-1.00"}, "free_over"),
        ({"code": "not a slug"}, "code"),
        ({"code": "standard"}, "code"),
        ({"is_active": "yes"}, "is_active"),
        ({"zzz": 1}, "zzz"),
    ],
)
def test_a_bad_shipping_method_is_400_naming_the_field(stored, staff_client, body, field):
    before = rows()
    new = {"code": "express", "name": "Express", "price": "9.99", **body}

    response = staff_client.post(f"{API}/shipping-methods/", new, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert rows() == before


def test_a_taken_code_is_400_on_a_change_too(stored, staff_client):
    services.create_shipping_method(code="express", name="Express", price=Decimal("9.99"))

    response = staff_client.patch(
        f"{API}/shipping-methods/express/", {"code": "standard"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"code": ["A shipping method with this code already exists."]}


# Tax rates.


def test_a_tax_rate_is_created_in_any_case_and_read_back_upper_case(staff_client):
    created = staff_client.post(f"{API}/tax-rates/", {"country": "at", "rate": "0.2"})
    read = staff_client.get(f"{API}/tax-rates/at/")

    assert created.status_code == 201
    assert created.json() == {"country": "AT", "rate": "0.2000"}
    assert read.json() == {"country": "AT", "rate": "0.2000"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rate": "1"}, "rate"),
        ({"rate": "1.0000"}, "rate"),
        ({"rate": "1.5"}, "rate"),
        ({"rate": "-0.01"}, "rate"),
        ({"rate": "0.12345"}, "rate"),
        ({"rate": 0.2}, "rate"),
        ({"rate": "abc"}, "rate"),
        ({"country": "XX"}, "country"),
        ({"country": "FRA"}, "country"),
        ({"country": "de"}, "country"),
        ({"zzz": 1}, "zzz"),
    ],
)
def test_a_bad_tax_rate_is_400_naming_the_field(stored, staff_client, body, field):
    before = rows()

    response = staff_client.post(
        f"{API}/tax-rates/", {"country": "FR", "rate": "0.2", **body}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert rows() == before


@pytest.mark.parametrize("rate", ["0", "0.0000", "0.9999", "0.0825"])
def test_the_edges_of_the_rate_are_taken(staff_client, rate):
    response = staff_client.post(f"{API}/tax-rates/", {"country": "FR", "rate": rate})

    assert response.status_code == 201
    assert Decimal(response.json()["rate"]) == Decimal(rate)


def test_a_tax_rate_changes_its_rate_only(stored, staff_client):
    changed = staff_client.patch(f"{API}/tax-rates/de/", {"rate": "0.07"}, format="json")
    moved = staff_client.patch(f"{API}/tax-rates/DE/", {"country": "AT"}, format="json")
    too_high = staff_client.patch(f"{API}/tax-rates/DE/", {"rate": "1"}, format="json")

    assert changed.json() == {"country": "DE", "rate": "0.0700"}
    assert (moved.status_code, moved.json()) == (400, {"country": ["Unknown field."]})
    assert too_high.status_code == 400
    assert list(TaxRate.objects.values_list("country", "rate")) == [("DE", Decimal("0.07"))]


def test_a_country_without_a_rate_is_404(staff_client):
    assert staff_client.get(f"{API}/tax-rates/FR/").status_code == 404
    assert staff_client.delete(f"{API}/tax-rates/FR/").status_code == 404


# Vouchers.

VOUCHER = {"code": "spring-25", "kind": "percentage", "value": "25.00"}


def test_a_voucher_is_created_with_its_code_upper_case(staff_client):
    response = staff_client.post(f"{API}/vouchers/", VOUCHER, format="json")

    assert response.status_code == 201
    assert response.json() == {
        "code": "SPRING-25",
        "kind": "percentage",
        "value": "25.00",
        "min_subtotal": "0.00",
        "starts_at": None,
        "ends_at": None,
        "max_uses": None,
        "max_uses_per_email": None,
        "used_count": 0,
        "is_active": True,
    }


def test_a_voucher_is_found_by_its_code_in_any_case(stored, staff_client):
    for code in ("SUMMER10", "summer10", "Summer10"):
        response = staff_client.get(f"{API}/vouchers/{code}/")
        assert (response.status_code, response.json()["code"]) == (200, "SUMMER10")


def test_a_full_voucher_round_trips(staff_client):
    body = {
        "code": "BIG",
        "kind": "fixed",
        "value": "150.00",
        "min_subtotal": "200.00",
        "starts_at": "2026-01-01T00:00:00Z",
        "ends_at": "2026-02-01T00:00:00Z",
        "max_uses": 100,
        "max_uses_per_email": 1,
        "is_active": False,
    }

    response = staff_client.post(f"{API}/vouchers/", body, format="json")

    assert response.status_code == 201
    assert response.json() == {**body, "used_count": 0}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": "100.01"}, "value"),
        ({"value": "0.00"}, "value"),
        ({"value": "-5.00"}, "value"),
        ({"kind": "fixed", "value": "0"}, "value"),
        ({"kind": "bogo"}, "kind"),
        ({"value": 10}, "value"),
        ({"starts_at": "2026-02-01T00:00:00Z", "ends_at": "2026-01-01T00:00:00Z"}, "ends_at"),
        ({"starts_at": "2026-02-01T00:00:00Z", "ends_at": "2026-02-01T00:00:00Z"}, "ends_at"),
        ({"ends_at": "tomorrow"}, "ends_at"),
        ({"min_subtotal": "-1.00"}, "min_subtotal"),
        ({"max_uses": 0}, "max_uses"),
        ({"max_uses": "5"}, "max_uses"),
        ({"max_uses_per_email": 0}, "max_uses_per_email"),
        ({"code": "summer10"}, "code"),
        ({"code": "Summer10"}, "code"),
        ({"code": "TWO WORDS"}, "code"),
        ({"code": "X" * 33}, "code"),
        ({"code": ""}, "code"),
        ({"used_count": 3}, "used_count"),
        ({"zzz": 1}, "zzz"),
    ],
)
def test_a_bad_voucher_is_400_naming_the_field(stored, staff_client, body, field):
    before = rows()

    response = staff_client.post(f"{API}/vouchers/", {**VOUCHER, **body}, format="json")

    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert rows() == before


def test_the_edges_of_a_voucher_are_taken(staff_client):
    hundred = {**VOUCHER, "value": "100.00"}
    past = {**VOUCHER, "code": "OLD", "ends_at": "2020-01-01T00:00:00Z"}

    assert staff_client.post(f"{API}/vouchers/", hundred, format="json").status_code == 201
    assert staff_client.post(f"{API}/vouchers/", past, format="json").status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "percentage"}, "value"),
        ({"ends_at": "2026-01-01T00:00:00Z"}, "ends_at"),
        ({"code": "summer10"}, "code"),
        ({"used_count": 0}, "used_count"),
    ],
)
def test_a_change_is_checked_against_what_is_stored(stored, staff_client, change, field):
    services.create_voucher(
        code="BIG",
        kind="fixed",
        value=Decimal("150.00"),
        starts_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC),
    )
    before = rows()

    response = staff_client.patch(f"{API}/vouchers/big/", change, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert rows() == before


def test_a_change_keeps_the_uses_counted_meanwhile(stored, staff_client):
    Voucher.objects.filter(code="SUMMER10").update(used_count=3)

    response = staff_client.patch(
        f"{API}/vouchers/summer10/", {"value": "15.00", "max_uses": 10}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["used_count"] == 3
    assert Voucher.objects.get().used_count == 3


def test_a_voucher_is_deleted_by_its_code_in_any_case(stored, staff_client):
    assert staff_client.delete(f"{API}/vouchers/summer10/").status_code == 204
    assert staff_client.get(f"{API}/vouchers/SUMMER10/").status_code == 404
    assert not Voucher.objects.exists()


def test_the_vouchers_are_listed_newest_first(staff_client):
    for code in ("FIRST", "SECOND", "THIRD"):
        services.create_voucher(code=code, kind="fixed", value=Decimal("1.00"))

    page = staff_client.get(f"{API}/vouchers/").json()

    assert [voucher["code"] for voucher in page["results"]] == ["THIRD", "SECOND", "FIRST"]
