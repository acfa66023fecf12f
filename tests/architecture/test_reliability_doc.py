"""docs/RELIABILITY.md names the tests that hold each promise: every name it gives is a test
that exists, so the page cannot point at a test that was renamed or removed.

A name is `tests/<path>.py::<test>` (a parametrized test may add `[…]`); `…::<test>` is another
test of the file named just before it; `::*` stands for every test of the file.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RELIABILITY = ROOT / "docs" / "RELIABILITY.md"
NAME = re.compile(r"`(tests/[\w/]+\.py|…)::([\w*]+)")


def named_tests() -> list[tuple[str, str]]:
    named, current = [], None
    for path, test in NAME.findall(RELIABILITY.read_text()):
        current = current if path == "…" else path
        assert current is not None, f"…::{test} follows no file"
        named.append((current, test))
    return named


def test_the_page_names_tests():
    assert len(named_tests()) > 100


def test_every_test_the_page_names_exists():
    missing = []
    for path, test in named_tests():
        file = ROOT / path
        if not file.exists():
            missing.append(path)
        elif test != "*" and not re.search(rf"^(async )?def {test}\(", file.read_text(), re.M):
            missing.append(f"{path}::{test}")
    assert not missing, f"docs/RELIABILITY.md names tests that do not exist: {missing}"
