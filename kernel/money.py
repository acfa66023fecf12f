"""Money is a `Decimal` with two places in the shop currency; never a float."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")
MAX_DIGITS = 12
DECIMAL_PLACES = 2


def quantize(amount: Decimal) -> Decimal:
    """Round to whole cents, half up (the way shoppers expect), never via float."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def shop_currency() -> str:
    return settings.SHOP_CURRENCY


def format_money(amount: Decimal) -> str:
    """Money as the API renders it: a decimal string with two places (`"19.90"`)."""
    return format(amount.quantize(CENT), "f")
