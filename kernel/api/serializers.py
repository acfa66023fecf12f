"""The one set of input rules for every app's write endpoints, and the one datetime format.

Input is strict, as Stripe's is, so that a client's typo never silently becomes something else:
- a key the endpoint does not know is a 400 `{"<key>": ["Unknown field."]}`;
- an integer is a JSON integer (`"5"`, `5.0` and `true` are refused);
- a string is a JSON string (`5` is not `"5"`), without control characters (a multi-line text
  may hold tabs and line breaks);
- a boolean is `true` or `false` (not `"true"`, `1`);
- money is a decimal string with at most two places (`"19.99"`), as in responses; a JSON number
  is refused, since a float cannot hold every price exactly.

Every write serializer derives from `StrictSerializer` and uses these fields. A query string
has only strings: its serializer derives from `QuerySerializer` (still strict about its keys)
with DRF's own fields, which read strings.
"""

import copy
import datetime
import re
from collections.abc import Mapping

from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from kernel.ids import MAX_ID
from kernel.money import DECIMAL_PLACES, MAX_DIGITS, shop_currency

UNKNOWN_FIELD = "Unknown field."
UNKNOWN_QUERY_PARAMETER = "Unknown query parameter."
REPEATED_QUERY_PARAMETER = "Give this parameter once."
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_CHARACTERS_BUT_WHITESPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so a misspelt or read-only field is never silently
    dropped."""

    def key_errors(self, data) -> dict[str, list[str]]:
        """What is wrong with the keys of `data`, before their values are looked at."""
        if not isinstance(data, Mapping):
            return {}
        unknown = sorted(str(key) for key in data if key not in self.fields)
        return {key: [UNKNOWN_FIELD] for key in unknown}

    def to_internal_value(self, data):
        key_errors = self.key_errors(data)
        if not key_errors:
            return super().to_internal_value(data)
        errors: dict = {}
        try:
            super().to_internal_value(data)
        except serializers.ValidationError as error:
            errors.update(error.detail)
        # Every problem at once: the unknown keys and what is wrong with the known ones.
        raise serializers.ValidationError({**errors, **key_errors})


class QuerySerializer(StrictSerializer):
    """A query string (`request.query_params`): an unknown parameter is a 400 naming it, and so
    is a parameter given twice (`?page=1&page=2`) unless its field takes a list.

    `format` is known everywhere: it is DRF's renderer override, which content negotiation
    checks (`kernel.api.negotiation`); it is never part of the validated data. A blank value
    (`?search=`, as the browsable API's filter form sends) is no value unless its field allows
    blanks (DRF reads a query string as it reads a form).
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        """With data, only the fields of the parameters given (and any that is required or has
        a default): an absent optional parameter has nothing to validate, and DRF copies every
        field for every instance, which was most of the cost of a read served from the cache.
        Without data (the schema), every field."""
        given = getattr(self, "initial_data", None)
        return {
            name: copy.deepcopy(field)
            for name, field in self._declared_fields.items()
            if given is None or name in given or field.required or field.default is not empty
        }

    def key_errors(self, data) -> dict[str, list[str]]:
        if not isinstance(data, QueryDict):
            raise TypeError("A QuerySerializer validates a request's query_params.")
        errors = {}
        for key, values in sorted(data.lists()):
            field = self.fields.get(key)
            if field is None and key != api_settings.URL_FORMAT_OVERRIDE:
                errors[key] = [UNKNOWN_QUERY_PARAMETER]
            elif len(values) > 1 and not isinstance(
                field, serializers.ListField | serializers.MultipleChoiceField
            ):
                errors[key] = [REPEATED_QUERY_PARAMETER]
        return errors


class EmptyQuerySerializer(QuerySerializer):
    """The query string of an operation that takes no parameters (but `format`)."""


class EmptyBodySerializer(StrictSerializer):
    """The body of an action that takes no input (`{}` or none at all): any key is unknown."""


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: `"5"`, `5.0` and `true` are refused."""

    def to_internal_value(self, data):
        if type(data) is not int:
            self.fail("invalid")
        return super().to_internal_value(data)


class IdField(StrictIntegerField):
    """The id of an object: a JSON integer in 1..`MAX_ID`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class StrictBooleanField(serializers.BooleanField):
    """`true` or `false`: `"true"`, `1` and `"yes"` are refused."""

    def to_internal_value(self, data):
        if type(data) is not bool:
            self.fail("invalid", input=data)
        return data


class MoneyField(serializers.DecimalField):
    """A decimal string with at most two places (`"19.99"`), the way money is rendered."""

    default_error_messages = {"not_a_string": 'Expected a decimal string, e.g. "19.99".'}

    def __init__(self, **kwargs) -> None:
        super().__init__(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class _StrictString:
    """A JSON string, without control characters unless `multiline` (tabs and line breaks)."""

    default_error_messages = {
        "not_a_string": "Expected a string.",
        "control_characters": "Control characters are not allowed.",
    }

    def __init__(self, *, multiline: bool = False, **kwargs) -> None:
        self.forbidden = _CONTROL_CHARACTERS_BUT_WHITESPACE if multiline else _CONTROL_CHARACTERS
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        value = super().to_internal_value(data)
        if self.forbidden.search(value):
            self.fail("control_characters")
        return value


class StrictCharField(_StrictString, serializers.CharField):
    pass


class StrictSlugField(_StrictString, serializers.SlugField):
    pass


class StrictEmailField(_StrictString, serializers.EmailField):
    pass


class StrictURLField(_StrictString, serializers.URLField):
    pass


def iso_datetime(value: datetime.datetime, zone: datetime.tzinfo | None = None) -> str:
    """What DRF's `DateTimeField` renders: ISO 8601 in the current time zone (or `zone`, when a
    caller renders many values), with `Z` for UTC."""
    text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def validated(serializer_class: type[serializers.Serializer], data, **kwargs) -> dict:
    """`data` (a request's body or its query parameters) checked by `serializer_class`: its
    validated data, or the 400 that `ValidationError` renders. Every view validates this way."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_field(OpenApiTypes.STR)
class ShopCurrencyField(serializers.Field):
    """The shop's currency (ISO 4217), which every money amount is in: a read-only field of
    any response that shows money."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> str:
        return shop_currency()
