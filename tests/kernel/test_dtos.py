"""`kernel.dtos.from_fields`: a DTO read by its own field names, from a row or an object."""

from dataclasses import FrozenInstanceError, dataclass

import pytest

from kernel.dtos import from_fields


@dataclass(frozen=True, slots=True)
class Point:
    id: int
    label: str


class Row:
    def __init__(self, **values):
        self.__dict__.update(values)


def test_reads_each_field_from_a_values_row_and_ignores_the_rest():
    assert from_fields(Point, {"id": 1, "label": "a", "extra": 9}) == Point(id=1, label="a")


def test_reads_each_field_from_an_object_attribute():
    assert from_fields(Point, Row(id=2, label="b", extra=9)) == Point(id=2, label="b")


def test_overrides_replace_fields_the_source_names_differently_or_lacks():
    assert from_fields(Point, Row(id=3), label="given") == Point(id=3, label="given")


def test_a_field_the_source_lacks_is_an_error_not_a_silent_default():
    with pytest.raises(KeyError):
        from_fields(Point, {"id": 4})
    with pytest.raises(AttributeError):
        from_fields(Point, Row(id=4))


def test_the_result_stays_frozen():
    with pytest.raises(FrozenInstanceError):
        from_fields(Point, {"id": 5, "label": "e"}).id = 6
