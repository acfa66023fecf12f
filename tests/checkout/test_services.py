"""`checkout.services`: what the admin and the API share, and the database's last word."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from checkout import services
from checkout.exceptions import DuplicateValue, InvalidValue
from checkout.models import ShippingMethod, TaxRate, Voucher

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("create", "field"),
    [
        (lambda: services.create_voucher(code="A", kind="fixed", value=Decimal("0.001")), "value"),
        (lambda: services.create_voucher(code="A", kind="other", value=Decimal(1)), "kind"),
        (lambda: services.create_voucher(code="A B", kind="fixed", value=Decimal(1)), "code"),
        (
            lambda: services.create_voucher(
                code="A", kind="fixed", value=Decimal(1), starts_at=NOW, ends_at=NOW
            ),
            "ends_at",
        ),
        (
            lambda: services.create_voucher(
                code="A", kind="fixed", value=Decimal(1), max_uses_per_email=0
            ),
            "max_uses_per_email",
        ),
        (
            lambda: services.create_shipping_method(
                code="a", name="A", price=Decimal(1), countries="DE"
            ),
            "countries",
        ),
        (
            lambda: services.create_shipping_method(code="a", name="A", price=Decimal("1E+12")),
            "price",
        ),
        (lambda: services.create_tax_rate(country="ZZ", rate=Decimal("0.1")), "country"),
        (lambda: services.create_tax_rate(country="DE", rate=Decimal("NaN")), "rate"),
    ],
)
def test_a_service_refuses_what_the_api_refuses(create, field):
    with pytest.raises(InvalidValue) as refused:
        create()

    assert refused.value.field == field
    assert [model.objects.count() for model in (ShippingMethod, TaxRate, Voucher)] == [0, 0, 0]


@pytest.mark.parametrize(
    "create",
    [
        lambda code: services.create_voucher(code=code, kind="fixed", value=Decimal(1)),
        lambda code: services.create_shipping_method(code=code, name="A", price=Decimal(1)),
        lambda code: services.create_tax_rate(country=code, rate=Decimal("0.1")),
    ],
    ids=["voucher", "shipping method", "tax rate"],
)
def test_a_value_taken_by_a_concurrent_write_is_the_same_field_error(create, monkeypatch):
    """Between the check and the write another request may take the code: the unique
    constraint catches it, and it is reported as the check would have."""
    create("DE")
    monkeypatch.setattr(services, "value_taken", lambda *args, **kwargs: False)

    with pytest.raises(DuplicateValue) as refused:
        create("DE")

    assert refused.value.field in ("code", "country")


@pytest.mark.parametrize(
    "values",
    [
        {"code": "lower"},
        {"kind": "percentage", "value": Decimal("100.01")},
        {"value": Decimal(0)},
        {"starts_at": NOW, "ends_at": NOW},
        {"max_uses": 0},
        {"min_subtotal": Decimal(-1)},
    ],
)
def test_the_database_refuses_a_voucher_the_services_would(values):
    fields = {"code": "OK", "kind": "fixed", "value": Decimal(1), **values}

    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.create(**fields)


@pytest.mark.parametrize(
    "values", [{"rate": Decimal(1)}, {"rate": Decimal("-0.0001")}, {"country": "de"}]
)
def test_the_database_refuses_a_tax_rate_the_services_would(values):
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxRate.objects.create(**{"country": "DE", "rate": Decimal("0.1"), **values})


@pytest.mark.parametrize("values", [{"price": Decimal(-1)}, {"free_over": Decimal("-0.01")}])
def test_the_database_refuses_a_shipping_method_the_services_would(values):
    with pytest.raises(IntegrityError), transaction.atomic():
        ShippingMethod.objects.create(**{"code": "a", "name": "A", "price": Decimal(1), **values})
