"""The kernel's input rules (`kernel.api.serializers`), which every write endpoint uses."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kernel.api.serializers import (
    EmptyBodySerializer,
    IdField,
    MoneyField,
    StrictBooleanField,
    StrictCharField,
    StrictEmailField,
    StrictIntegerField,
    StrictSerializer,
    StrictSlugField,
    iso_datetime,
)
from kernel.ids import MAX_ID, is_id
from kernel.money import format_money


class Example(StrictSerializer):
    count = StrictIntegerField(required=False)
    id = IdField(required=False)
    flag = StrictBooleanField(required=False)
    price = MoneyField(required=False)
    name = StrictCharField(required=False)
    text = StrictCharField(required=False, multiline=True)
    slug = StrictSlugField(required=False)
    email = StrictEmailField(required=False)


def _errors(data) -> dict:
    serializer = Example(data=data)
    assert not serializer.is_valid()
    return serializer.errors


def _valid(data) -> dict:
    serializer = Example(data=data)
    assert serializer.is_valid(), serializer.errors
    return serializer.validated_data


def test_an_unknown_field_is_refused_with_the_contracts_message():
    assert _errors({"cuont": 5}) == {"cuont": ["Unknown field."]}


def test_unknown_fields_are_reported_with_whatever_else_is_wrong():
    errors = _errors({"count": "5", "colour": "red", "size": "M"})

    assert set(errors) == {"count", "colour", "size"}
    assert errors["colour"] == errors["size"] == ["Unknown field."]


def test_a_body_that_is_not_an_object_is_refused():
    for data in (["count"], "count", 5, None):
        assert Example(data=data).is_valid() is False


def test_known_fields_of_the_right_types_are_taken():
    data = {
        "count": 5,
        "id": MAX_ID,
        "flag": False,
        "price": "19.99",
        "name": "Mug",
        "text": "Line one\n\tLine two",
        "slug": "blue-mug",
        "email": "ann@example.com",
    }

    assert _valid(data) == {**data, "price": Decimal("19.99")}


@pytest.mark.parametrize("value", ["5", 5.0, 5.5, True, False, None, [5], {"n": 5}])
def test_an_integer_is_a_json_integer(value):
    assert "count" in _errors({"count": value})


@pytest.mark.parametrize("value", [0, -1, MAX_ID + 1, "1", True])
def test_an_id_is_an_integer_from_1_to_max_id(value):
    assert "id" in _errors({"id": value})


@pytest.mark.parametrize("value", ["true", "false", 1, 0, "yes", None])
def test_a_boolean_is_true_or_false(value):
    assert "flag" in _errors({"flag": value})


@pytest.mark.parametrize("value", [19.99, 19, True, "19.999", "abc", "NaN", "Infinity", "1e30"])
def test_money_is_a_decimal_string_with_at_most_two_places(value):
    assert "price" in _errors({"price": value})


@pytest.mark.parametrize("value", [5, 5.5, True, ["a"], {"a": 1}])
@pytest.mark.parametrize("field", ["name", "text", "slug", "email"])
def test_a_string_is_a_json_string(field, value):
    assert _errors({field: value})[field] == ["Expected a string."]


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\n", "\t", "\r"])
def test_a_single_line_string_refuses_control_characters(character):
    assert _errors({"name": f"Mug{character}x"}) == {
        "name": ["Control characters are not allowed."]
    }


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f"])
def test_a_multiline_string_takes_line_breaks_and_tabs_but_no_other_control_character(character):
    assert "text" in _errors({"text": f"Mug{character}x"})


def test_an_empty_body_serializer_takes_nothing():
    assert EmptyBodySerializer(data={}).is_valid()
    serializer = EmptyBodySerializer(data={"reason": "x"})
    assert not serializer.is_valid()
    assert serializer.errors == {"reason": ["Unknown field."]}


def test_is_id_takes_ints_in_range_only():
    assert is_id(1)
    assert is_id(MAX_ID)
    assert not any(is_id(value) for value in (0, -1, MAX_ID + 1, True, "1", 1.0, None))


def test_datetimes_render_as_drf_does_in_the_current_zone_with_z_for_utc(settings):
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)

    assert iso_datetime(moment) == "2026-01-02T03:04:05.678901Z"
    with timezone.override(ZoneInfo("Europe/Paris")):
        assert iso_datetime(moment) == "2026-01-02T04:04:05.678901+01:00"
    assert iso_datetime(moment, ZoneInfo("America/New_York")) == "2026-01-01T22:04:05.678901-05:00"


@pytest.mark.parametrize(
    ("amount", "text"), [("19.9", "19.90"), ("0", "0.00"), ("1234567890.12", "1234567890.12")]
)
def test_money_renders_with_two_places(amount, text):
    assert format_money(Decimal(amount)) == text
