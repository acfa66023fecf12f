"""`assert_documented(value, "Order")`: a response body checked against a component of the API's
own OpenAPI document, strictly: no key the component does not declare, every key it requires,
every value of its declared type, format, pattern and enum. So a function that builds JSON by
hand cannot drift from the schema a storefront generates its client from.

Covers what the schema uses: `$ref`, `allOf`, `oneOf`, `nullable` (and a `null` type),
`enum`, `type`, `format` (`date-time`, `decimal`), `pattern`, `properties`, `required`, `items`.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from functools import cache

from drf_spectacular.generators import SchemaGenerator

_TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
}


@cache
def openapi_document() -> dict:
    """The document `/api/v1/schema/` serves (generated once per test session)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def assert_documented(value, component: str) -> None:
    _check(value, {"$ref": f"#/components/schemas/{component}"}, component)


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        target = openapi_document()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _nullable(schema: dict) -> bool:
    types = schema.get("type")
    return bool(schema.get("nullable")) or types == "null" or "null" in (types or [])


def _check(value, schema: dict, path: str) -> None:
    schema = _resolve(schema)
    if value is None:
        allowed = _nullable(schema) or any(
            _nullable(_resolve(option)) for option in schema.get("oneOf", [])
        )
        assert allowed, f"{path}: null where the schema does not allow it"
        return
    for part in schema.get("allOf", []):
        _check(value, part, path)
    if "oneOf" in schema:
        matching = [option for option in schema["oneOf"] if _passes(value, option, path)]
        assert len(matching) == 1, f"{path}: matches {len(matching)} of oneOf, not exactly 1"
    if "enum" in schema:
        assert value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    if "type" in schema:
        _check_type(value, schema, path)


def _passes(value, schema: dict, path: str) -> bool:
    try:
        _check(value, schema, path)
    except AssertionError:
        return False
    return True


def _check_type(value, schema: dict, path: str) -> None:
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    python_types = tuple(_TYPES[name] for name in types if name != "null")
    wrong_type = f"{path}: {value!r} is not {schema['type']}"
    assert isinstance(value, python_types), wrong_type
    assert bool in python_types or not isinstance(value, bool), wrong_type
    if isinstance(value, str):
        _check_string(value, schema, path)
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, schema.get("items", {}), f"{path}[{index}]")
    if isinstance(value, dict) and "properties" in schema:
        properties = schema["properties"]
        undeclared = set(value) - set(properties)
        missing = set(schema.get("required", [])) - set(value)
        assert not undeclared, f"{path}: keys the schema does not declare: {sorted(undeclared)}"
        assert not missing, f"{path}: required keys missing: {sorted(missing)}"
        for key, item in value.items():
            _check(item, properties[key], f"{path}.{key}")


def _check_string(value: str, schema: dict, path: str) -> None:
    if "pattern" in schema:
        assert re.search(schema["pattern"], value), f"{path}: {value!r} !~ {schema['pattern']}"
    if schema.get("format") == "date-time":
        try:
            parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise AssertionError(f"{path}: {value!r} is not an ISO 8601 date-time") from None
        assert parsed.tzinfo is not None, f"{path}: {value!r} has no time zone"
    if schema.get("format") == "decimal":
        try:
            Decimal(value)
        except InvalidOperation:
            raise AssertionError(f"{path}: {value!r} is not a decimal") from None
