"""docs/API.md keeps up with the API: its tables and the live OpenAPI schema list the same
operations, except the ones the page marks as planned, which the schema must not have yet."""

import re
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "API.md"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
OPERATION = re.compile(
    r"`((?:GET|POST|PUT|PATCH|DELETE)(?:, (?:GET|POST|PUT|PATCH|DELETE))*) (/\S*)`"
)


def documented(text: str | None = None) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(built, planned) operations named in the page's tables (or `text`'s), as (method, path)
    pairs.

    A row is planned when it says **planned**, or when its heading ends with "(planned)", or
    when it comes after the page's "# Planned" part begins.
    """
    built, planned = set(), set()
    heading, in_planned_part = "", False
    for line in (REFERENCE.read_text() if text is None else text).splitlines():
        if line.startswith("# "):
            in_planned_part = line.strip() == "# Planned"
        elif line.startswith("#"):
            heading = line
        elif line.startswith("|"):
            first_cell = line.split("|")[1]
            is_planned = (
                in_planned_part or heading.endswith("(planned)") or "**planned**" in first_cell
            )
            for methods, path in OPERATION.findall(first_cell):
                for method in methods.split(", "):
                    (planned if is_planned else built).add((method, path))
    return built, planned


def in_schema() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method.upper() in METHODS
    }


@pytest.fixture(scope="module")
def operations():
    return documented(), in_schema()


def test_every_operation_of_the_schema_is_in_the_reference(operations):
    (built, _planned), schema = operations

    missing = sorted(schema - built)

    assert missing == [], f"docs/API.md: document {missing}"


def test_every_operation_the_reference_calls_built_is_in_the_schema(operations):
    (built, _planned), schema = operations

    assert sorted(built - schema) == []


def test_no_operation_the_reference_calls_planned_is_in_the_schema(operations):
    (_built, planned), schema = operations

    built_meanwhile = sorted(planned & schema)

    assert built_meanwhile == [], f"docs/API.md: these are built, unmark them: {built_meanwhile}"


def test_the_reading_of_the_reference_sees_its_built_rows(operations):
    (built, _planned), _schema = operations

    assert ("POST", "/api/v1/orders/{id}/ship/") in built
    assert ("PATCH", "/api/v1/products/{id}/") in built
    assert ("DELETE", "/api/v1/auth/addresses/{id}/") in built
    assert ("GET", "/api/v1/carts/{id}/") in built
    assert ("POST", "/api/v1/carts/{id}/checkout/") in built


def test_the_reading_tells_planned_rows_from_built_ones():
    """Every operation of the page is built now; the three ways to mark one planned."""
    built, planned = documented(
        "## Things\n"
        "| `GET /a/` | x |\n"
        "| `POST /b/` **planned** | x |\n"
        "## More things (planned)\n"
        "| `PATCH, DELETE /c/` | x |\n"
        "# Planned\n"
        "## Later\n"
        "| `GET /d/` | x |\n"
    )

    assert built == {("GET", "/a/")}
    assert planned == {("POST", "/b/"), ("PATCH", "/c/"), ("DELETE", "/c/"), ("GET", "/d/")}
