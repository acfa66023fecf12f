"""The checkout's public interface: every write of its shipping methods, tax rates and
vouchers (the staff API's and the admin's).

Each write checks the row as it will be stored (`_check_*`), so the API and the admin refuse
the same things with the same messages; the check constraints (`checkout.models`) are the
last word, and a row another request wrote meanwhile with the same code becomes the same
field error (`_save`), never a 500.
"""

import datetime
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model

from checkout.exceptions import DuplicateValue, InvalidValue
from checkout.models import (
    MAX_PERCENTAGE,
    RATE_PLACES,
    ShippingMethod,
    TaxRate,
    Voucher,
    VoucherKind,
)
from kernel.address import country_codes
from kernel.money import CENT, DECIMAL_PLACES, MAX_DIGITS

SHIPPING_METHOD_FIELDS = frozenset({"code", "name", "price", "countries", "free_over", "is_active"})
TAX_RATE_FIELDS = frozenset({"rate"})
VOUCHER_FIELDS = frozenset(
    {
        "code",
        "kind",
        "value",
        "min_subtotal",
        "starts_at",
        "ends_at",
        "max_uses",
        "max_uses_per_email",
        "is_active",
    }
)
VOUCHER_CODE = re.compile(r"^[A-Z0-9_-]{1,32}$")
_MONEY_LIMIT = Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES)
_RATE_UNIT = Decimal(1).scaleb(-RATE_PLACES)


# Shipping methods.


@transaction.atomic
def create_shipping_method(
    *,
    code: str,
    name: str,
    price: Decimal,
    countries: Iterable[str] = (),
    free_over: Decimal | None = None,
    is_active: bool = True,
) -> ShippingMethod:
    """Create a shipping method; `countries` (ISO codes, any case) empty ships everywhere."""
    method = ShippingMethod(
        code=code,
        name=name,
        price=price,
        countries=list(countries),
        free_over=free_over,
        is_active=is_active,
    )
    _check_shipping_method(method)
    _save(method)
    return method


@transaction.atomic
def update_shipping_method(*, method: ShippingMethod, data: Mapping[str, Any]) -> ShippingMethod:
    """Change the given fields of `method`."""
    changed = _apply(method, data, allowed=SHIPPING_METHOD_FIELDS)
    _check_shipping_method(method)
    _save(method, update_fields=[*changed, "updated_at"])
    return method


@transaction.atomic
def delete_shipping_method(*, method: ShippingMethod) -> None:
    method.delete()


def _check_shipping_method(method: ShippingMethod) -> None:
    _check_money(method.price, field="price")
    if method.free_over is not None:
        _check_money(method.free_over, field="free_over")
    method.countries = _countries(method.countries)
    if _taken(ShippingMethod, exclude_pk=method.pk, code=method.code):
        raise DuplicateValue("code", "A shipping method with this code already exists.")


def _countries(countries: Any) -> list[str]:
    """The ISO codes upper-cased, each once, in the order given."""
    if not isinstance(countries, list | tuple) or not all(isinstance(c, str) for c in countries):
        raise InvalidValue("countries", "Expected a list of ISO 3166-1 alpha-2 codes.")
    codes = list(dict.fromkeys(country.upper() for country in countries))
    unknown = [code for code in codes if code not in country_codes()]
    if unknown:
        raise InvalidValue(
            "countries", f"Not ISO 3166-1 alpha-2 country codes: {', '.join(unknown)}."
        )
    return codes


# Tax rates.


@transaction.atomic
def create_tax_rate(*, country: str, rate: Decimal) -> TaxRate:
    """Set the rate of `country` (an ISO code, any case), which has none yet."""
    country = country.upper() if isinstance(country, str) else country
    if country not in country_codes():
        raise InvalidValue("country", "Not an ISO 3166-1 alpha-2 country code.")
    if _taken(TaxRate, exclude_pk=None, country=country):
        raise DuplicateValue("country", "This country has a tax rate already.")
    tax_rate = TaxRate(country=country, rate=rate)
    _check_rate(tax_rate.rate)
    # `force_insert`: with its primary key given, a plain save would overwrite a row that a
    # concurrent request created meanwhile instead of failing on it.
    _save(tax_rate, force_insert=True)
    return tax_rate


@transaction.atomic
def update_tax_rate(*, tax_rate: TaxRate, data: Mapping[str, Any]) -> TaxRate:
    """Change the rate (the country is the rate's identity: delete and create to move it)."""
    changed = _apply(tax_rate, data, allowed=TAX_RATE_FIELDS)
    _check_rate(tax_rate.rate)
    _save(tax_rate, update_fields=changed)
    return tax_rate


@transaction.atomic
def delete_tax_rate(*, tax_rate: TaxRate) -> None:
    tax_rate.delete()


def _check_rate(rate: Any) -> None:
    if not isinstance(rate, Decimal) or not rate.is_finite() or not 0 <= rate < 1:
        raise InvalidValue("rate", "The rate must be at least 0 and less than 1.")
    if rate != rate.quantize(_RATE_UNIT):
        raise InvalidValue("rate", f"The rate may have at most {RATE_PLACES} decimal places.")


# Vouchers.


@transaction.atomic
def create_voucher(
    *,
    code: str,
    kind: str,
    value: Decimal,
    min_subtotal: Decimal = Decimal("0.00"),
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    max_uses: int | None = None,
    max_uses_per_email: int | None = None,
    is_active: bool = True,
) -> Voucher:
    """Create a voucher; its code is stored upper-case (codes are unique in any case)."""
    voucher = Voucher(
        code=code,
        kind=kind,
        value=value,
        min_subtotal=min_subtotal,
        starts_at=starts_at,
        ends_at=ends_at,
        max_uses=max_uses,
        max_uses_per_email=max_uses_per_email,
        is_active=is_active,
    )
    _check_voucher(voucher)
    _save(voucher)
    return voucher


@transaction.atomic
def update_voucher(*, voucher: Voucher, data: Mapping[str, Any]) -> Voucher:
    """Change the given fields of `voucher`; its `used_count` is never written here (only
    the changed fields are saved, so a use counted meanwhile is kept)."""
    changed = _apply(voucher, data, allowed=VOUCHER_FIELDS)
    _check_voucher(voucher)
    _save(voucher, update_fields=[*changed, "updated_at"])
    return voucher


@transaction.atomic
def delete_voucher(*, voucher: Voucher) -> None:
    """Delete `voucher`; orders placed with it keep its code."""
    voucher.delete()


def _check_voucher(voucher: Voucher) -> None:
    if not isinstance(voucher.code, str) or not VOUCHER_CODE.match(voucher.code.upper()):
        raise InvalidValue(
            "code", "1 to 32 letters, digits, hyphens or underscores (stored upper-case)."
        )
    voucher.code = voucher.code.upper()
    if voucher.kind not in VoucherKind.values:
        raise InvalidValue("kind", "The kind is `percentage` or `fixed`.")
    _check_money(voucher.value, field="value")
    if voucher.value <= 0:
        raise InvalidValue("value", "The value must be more than 0.")
    if voucher.kind == VoucherKind.PERCENTAGE and voucher.value > MAX_PERCENTAGE:
        raise InvalidValue("value", "A percentage may be at most 100.")
    _check_money(voucher.min_subtotal, field="min_subtotal")
    if voucher.starts_at and voucher.ends_at and voucher.ends_at <= voucher.starts_at:
        raise InvalidValue("ends_at", "The end must come after the start.")
    for field in ("max_uses", "max_uses_per_email"):
        limit = getattr(voucher, field)
        if limit is not None and (not isinstance(limit, int) or not 1 <= limit <= 2**31 - 1):
            raise InvalidValue(field, "At least 1, or null for unlimited.")
    if _taken(Voucher, exclude_pk=voucher.pk, code=voucher.code):
        raise DuplicateValue("code", "A voucher with this code already exists.")


# Shared.


def _check_money(amount: Any, *, field: str) -> None:
    """A non-negative amount in whole cents that the database can store."""
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise InvalidValue(field, "The amount cannot be negative.")
    if amount != amount.quantize(CENT):
        raise InvalidValue(field, "The amount may have at most 2 decimal places.")
    if amount >= _MONEY_LIMIT:
        raise InvalidValue(field, "The amount is too large.")


def _apply(instance: Model, data: Mapping[str, Any], *, allowed: frozenset[str]) -> list[str]:
    unknown = set(data) - allowed
    if unknown:
        raise TypeError(f"Unknown field(s): {', '.join(sorted(unknown))}")
    for field, value in data.items():
        setattr(instance, field, value)
    return list(data)


def _taken(model: type[Model], *, exclude_pk: Any, **lookup: Any) -> bool:
    """Whether another row already has this value: the usual check, before the write."""
    return model.objects.filter(**lookup).exclude(pk=exclude_pk).exists()


def _save(instance: Model, **kwargs: Any) -> None:
    """Save in a savepoint; a unique value another request took since `_taken` looked is the
    same field error."""
    try:
        with transaction.atomic():
            instance.save(**kwargs)
    except IntegrityError as error:
        raise _field_error(error) from error


# What PostgreSQL (the constraint's name) and SQLite (the column) call each unique value.
_UNIQUE = (
    (
        re.compile(r"checkout_shippingmethod(_code_key|\.code\b)"),
        DuplicateValue("code", "A shipping method with this code already exists."),
    ),
    (
        re.compile(r"checkout_taxrate(_pkey|\.country\b)"),
        DuplicateValue("country", "This country has a tax rate already."),
    ),
    (
        re.compile(r"checkout_voucher(_code_key|\.code\b)"),
        DuplicateValue("code", "A voucher with this code already exists."),
    ),
)


def _field_error(error: IntegrityError) -> Exception:
    """The field error of the unique value `error` names, or `error` itself: every other
    constraint is checked before the write, so breaking one is a bug, not a user's mistake."""
    diag = getattr(error.__cause__, "diag", None)
    violated = getattr(diag, "constraint_name", None) or str(error)
    for pattern, field_error in _UNIQUE:
        if pattern.search(violated):
            return field_error
    return error
