"""Postal addresses, one shape everywhere (an order's shipping address, later a cart's and the
address book's): `{name, line1, line2, city, region, postal_code, country, phone}`.

`name`, `line1`, `city`, `postal_code` and `country` are required; `country` is an ISO 3166-1
alpha-2 code, upper case, from pycountry's list (kept up to date with the standard).
"""

from collections.abc import Mapping
from functools import cache

import pycountry

FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")
REQUIRED_FIELDS = ("name", "line1", "city", "postal_code", "country")
# The longest value of each field, for the API's input and for a table that stores addresses.
MAX_LENGTHS = {
    "name": 200,
    "line1": 200,
    "line2": 200,
    "city": 100,
    "region": 100,
    "postal_code": 20,
    "country": 2,
    "phone": 32,
}


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (read once: pycountry loads its data on first use)."""
    return frozenset(country.alpha_2 for country in pycountry.countries)


def missing_fields(address: Mapping | None) -> list[str]:
    """The required fields an address (or no address at all) lacks or leaves blank."""
    return [name for name in REQUIRED_FIELDS if not (address or {}).get(name)]


def postal_lines(address: Mapping) -> list[str]:
    """The address as it is written on a parcel (for an email), its blank fields left out:
    name, street lines, `city region postal_code`, country, phone."""
    locality = " ".join(
        str(address[name]) for name in ("city", "region", "postal_code") if address.get(name)
    )
    lines = [address.get(name) for name in ("name", "line1", "line2")]
    lines += [locality, address.get("country"), address.get("phone")]
    return [str(line) for line in lines if line]
