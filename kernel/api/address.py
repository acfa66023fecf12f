"""The address as the API takes and renders it (see `kernel.address` for the rules)."""

from rest_framework import serializers

from kernel import address
from kernel.api.serializers import StrictCharField, StrictSerializer

_HELP = {
    "region": "State, province or county.",
    "country": "ISO 3166-1 alpha-2 code, e.g. `US` (lower case is upper-cased).",
}


def _field(name: str) -> StrictCharField:
    if name in address.REQUIRED_FIELDS:
        return StrictCharField(max_length=address.MAX_LENGTHS[name], help_text=_HELP.get(name))
    return StrictCharField(
        max_length=address.MAX_LENGTHS[name],
        required=False,
        allow_blank=True,
        default="",
        help_text=_HELP.get(name),
    )


class AddressSerializer(StrictSerializer):
    """`{name, line1, line2, city, region, postal_code, country, phone}`; the optional fields
    are blank strings when not given, so every stored address has the same keys."""

    name = _field("name")
    line1 = _field("line1")
    line2 = _field("line2")
    city = _field("city")
    region = _field("region")
    postal_code = _field("postal_code")
    country = _field("country")
    phone = _field("phone")

    def validate_country(self, value: str) -> str:
        code = value.upper()
        if code not in address.country_codes():
            raise serializers.ValidationError("Not an ISO 3166-1 alpha-2 country code.")
        return code
