"""docs/ARCHITECTURE.md keeps up with the code: every public function of every app's `services`
module is named in that app's section of "Public interfaces"."""

import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
APPS = ["accounts", "catalog", "orders", "payments", "checkout"]


def public_functions(app: str) -> list[str]:
    """Functions defined in `<app>.services` (not imported into it) whose names are public."""
    module = importlib.import_module(f"{app}.services")
    return sorted(
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and inspect.isfunction(value)
        and value.__module__ == module.__name__
    )


def interface_section(app: str) -> str:
    """The text under "### `<app>`" in the "Public interfaces" part of the document."""
    text = ARCHITECTURE.read_text()
    interfaces = text.split("\n## Public interfaces", 1)[1].split("\n## ", 1)[0]
    sections = re.split(r"^### ", interfaces, flags=re.MULTILINE)
    matching = [section for section in sections if section.startswith(f"`{app}`")]
    assert len(matching) == 1, f"no section ### `{app}` under ## Public interfaces"
    return matching[0]


@pytest.mark.parametrize("app", APPS)
def test_every_public_service_function_is_documented_in_its_apps_section(app):
    section = interface_section(app)

    missing = [name for name in public_functions(app) if not re.search(rf"`{name}\(", section)]

    assert missing == [], f"docs/ARCHITECTURE.md, ### `{app}`: document {', '.join(missing)}"


def test_the_check_sees_the_functions_the_apps_call_across_boundaries():
    assert {"reserve_stock", "release_stock", "get_products"} <= set(public_functions("catalog"))
    assert {"lock_order_for_payment", "mark_paid"} <= set(public_functions("orders"))
    assert all(public_functions(app) for app in APPS)


def test_the_document_has_its_diagrams():
    text = ARCHITECTURE.read_text()

    assert text.count("```mermaid") >= 3
    assert "sequenceDiagram" in text
    assert "docs/PERFORMANCE.md" in text or "(PERFORMANCE.md)" in text
