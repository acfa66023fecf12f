"""Shipping methods, tax rates and vouchers in Django's admin, for staff (the `Marketing`
group): every write goes through `checkout.services`, so the admin refuses what the API
refuses; a refusal only the service sees (a code taken meanwhile) is reported on the page."""

import re

from django import forms
from django.contrib import admin

from checkout import services
from checkout.models import ShippingMethod, TaxRate, Voucher
from kernel.address import country_codes
from kernel.admin import ServiceAdmin


def _country(value: str) -> str:
    code = value.strip().upper()
    if code not in country_codes():
        raise forms.ValidationError(f"Not an ISO 3166-1 alpha-2 country code: {value}.")
    return code


class CountriesField(forms.CharField):
    """A list of ISO country codes typed as `DE, FR AT` (commas or spaces); blank for
    everywhere."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        return list(dict.fromkeys(_country(code) for code in re.split(r"[\s,]+", text) if code))

    def has_changed(self, initial, data) -> bool:
        try:
            return (initial or []) != self.to_python(data)
        except forms.ValidationError:
            return True


class ShippingMethodForm(forms.ModelForm):
    countries = CountriesField(
        required=False,
        help_text="ISO 3166-1 alpha-2 codes, separated by commas: `DE, FR, AT`. Blank for "
        "everywhere.",
    )

    class Meta:
        model = ShippingMethod
        fields = ("code", "name", "price", "countries", "free_over", "is_active")


@admin.register(ShippingMethod)
class ShippingMethodAdmin(ServiceAdmin):
    form = ShippingMethodForm
    list_display = ("code", "name", "price", "free_over", "country_list", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    service_fields = services.SHIPPING_METHOD_FIELDS
    service_create = staticmethod(services.create_shipping_method)
    service_update = staticmethod(
        lambda method, data: services.update_shipping_method(method=method, data=data)
    )
    service_delete = staticmethod(lambda method: services.delete_shipping_method(method=method))

    @admin.display(description="countries")
    def country_list(self, method: ShippingMethod) -> str:
        return ", ".join(method.countries) or "everywhere"


class TaxRateForm(forms.ModelForm):
    class Meta:
        model = TaxRate
        fields = ("country", "rate")

    def clean_country(self) -> str:
        return _country(self.cleaned_data["country"])


@admin.register(TaxRate)
class TaxRateAdmin(ServiceAdmin):
    form = TaxRateForm
    list_display = ("country", "rate")
    search_fields = ("country",)
    service_fields = frozenset({"country", "rate"})
    service_create = staticmethod(services.create_tax_rate)
    service_update = staticmethod(
        lambda tax_rate, data: services.update_tax_rate(tax_rate=tax_rate, data=data)
    )
    service_delete = staticmethod(lambda tax_rate: services.delete_tax_rate(tax_rate=tax_rate))

    def get_readonly_fields(self, request, obj=None):
        """The country is the rate's identity: set when it is added, never changed."""
        return ("country",) if obj is not None else ()


class VoucherForm(forms.ModelForm):
    class Meta:
        model = Voucher
        fields = (
            "code",
            "kind",
            "value",
            "min_subtotal",
            "starts_at",
            "ends_at",
            "max_uses",
            "max_uses_per_email",
            "is_active",
        )
        help_texts = {"code": "Stored upper-case: codes are unique whatever their case."}

    def clean_code(self) -> str:
        return self.cleaned_data["code"].upper()


@admin.register(Voucher)
class VoucherAdmin(ServiceAdmin):
    form = VoucherForm
    list_display = ("code", "kind", "value", "starts_at", "ends_at", "used_count", "max_uses")
    list_filter = ("kind", "is_active")
    search_fields = ("code",)
    readonly_fields = ("used_count", "created_at", "updated_at")
    service_fields = services.VOUCHER_FIELDS
    service_create = staticmethod(services.create_voucher)
    service_update = staticmethod(
        lambda voucher, data: services.update_voucher(voucher=voucher, data=data)
    )
    service_delete = staticmethod(lambda voucher: services.delete_voucher(voucher=voucher))
