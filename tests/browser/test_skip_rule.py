"""Without Chromium the browser tests are skipped with one line saying why, except in CI
(`SHOP_REQUIRE_BROWSER=1`), where a missing browser fails the run."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run_without_chromium(**env: str) -> subprocess.CompletedProcess:
    # SQLite in memory: the inner run must not touch the outer run's PostgreSQL test database.
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "SHOP_REQUIRE_BROWSER"}
    }
    # Only pytest-django: the other installed plugins take seconds to load and play no part.
    environment.update(
        SHOP_CHROMIUM="/nonexistent/chromium", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **env
    )
    command = ["pytest", "tests/browser/test_guard.py", "-q", "-p", "no:cacheprovider"]
    return subprocess.run(
        [sys.executable, "-m", *command, "-p", "pytest_django.plugin"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_chromium_the_browser_tests_are_skipped_with_one_line_saying_why():
    result = _run_without_chromium()

    assert result.returncode == 0, result.stdout
    reasons = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(reasons) == 1, result.stdout
    assert "Chromium not found" in reasons[0]
    assert "2 skipped" in result.stdout


def test_in_ci_a_missing_chromium_fails_the_run():
    result = _run_without_chromium(SHOP_REQUIRE_BROWSER="1")

    assert result.returncode == 1, result.stdout
    assert "Chromium not found and SHOP_REQUIRE_BROWSER=1" in result.stdout
