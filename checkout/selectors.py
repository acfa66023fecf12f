"""Reads for the checkout's own views and admin."""

from django.db.models import QuerySet

from checkout.models import ShippingMethod, TaxRate, Voucher


def shipping_methods() -> QuerySet[ShippingMethod]:
    """Every shipping method, by code."""
    return ShippingMethod.objects.order_by("code")


def tax_rates() -> QuerySet[TaxRate]:
    """Every tax rate, by country."""
    return TaxRate.objects.order_by("country")


def vouchers() -> QuerySet[Voucher]:
    """Every voucher, newest first."""
    return Voucher.objects.order_by("-created_at", "-id")


def shipping_method(*, code: str) -> ShippingMethod | None:
    return ShippingMethod.objects.filter(code=code).first()


def tax_rate(*, country: str) -> TaxRate | None:
    """The rate of `country`, in any case (`de` is `DE`)."""
    return TaxRate.objects.filter(country=country.upper()).first()


def voucher(*, code: str) -> Voucher | None:
    """The voucher with `code`, in any case: codes are stored upper-case."""
    return Voucher.objects.filter(code=code.upper()).first()
