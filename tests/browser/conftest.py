"""Browser tests: Playwright drives the system's Chromium against pytest-django's live server.

Chromium is Debian's package (`/usr/bin/chromium`), never one downloaded by `playwright
install`. Without it the whole directory is skipped with one line saying so, unless
`SHOP_REQUIRE_BROWSER=1` (set by `.ci/run`), where a missing browser is a failure.

Every page gets the same guard: a request to any host but 127.0.0.1 / localhost is aborted
and recorded, and so is an uncaught JavaScript error, a static file that fails to load or
anything the Content-Security-Policy refuses (the browser reports it on the console); the test
fails on any of them. Popups opened by a page (the admin's related-object windows) are watched
alike. A failing test leaves a screenshot in `tests/browser/artifacts/`.
"""

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium phones home (updates, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Any http(s) URL whose host is not 127.0.0.1 or localhost (requests to those are not routed
# through Python at all, which keeps the pages fast).
OUTSIDE = re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)(:[0-9]+)?/)https?://")
VIEWPORT = {"width": 1280, "height": 900}
ARTIFACTS = Path(__file__).parent / "artifacts"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _chromium() -> str | None:
    """`SHOP_CHROMIUM` if set, else `chromium` on the PATH, else Debian's `/usr/bin/chromium`."""
    configured = os.environ.get("SHOP_CHROMIUM")
    candidates = [configured] if configured else [shutil.which("chromium"), CHROMIUM]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


CHROMIUM_FOUND = _chromium()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Skip before any fixture runs; raised here, every skip has the same location, so `-ra`
    reports them all on one line."""
    if (
        CHROMIUM_FOUND is None
        and os.environ.get("SHOP_REQUIRE_BROWSER") != "1"
        and item.get_closest_marker("browser")
    ):
        pytest.skip("Chromium not found (Debian package `chromium`): browser tests not run")


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the whole directory.

    While Playwright's sync API is running, it keeps an asyncio event loop running in this
    thread, and Django's async-safety guard then refuses every ORM call the test makes
    (`SynchronousOnlyOperation`), although nothing here is actually async. The guard is
    switched off (DJANGO_ALLOW_ASYNC_UNSAFE) for exactly as long as Playwright runs, and on
    again before the rest of the suite.
    """
    if CHROMIUM_FOUND is None:
        pytest.fail("Chromium not found and SHOP_REQUIRE_BROWSER=1", pytrace=False)

    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            headless=True, executable_path=CHROMIUM_FOUND, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class Guard:
    """What a page did that it must not: leave the machine, throw, miss a static file, break
    the Content-Security-Policy."""

    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    watched: list = field(default_factory=list)

    def watch(self, tab) -> None:
        """Record what goes wrong on `tab`, once however often it is called for it."""
        if tab in self.watched:
            return
        self.watched.append(tab)
        tab.on("pageerror", lambda error: self.errors.append(f"JavaScript: {error}"))
        tab.on("response", self.response)
        tab.on("console", self.console)

    def block(self, route) -> None:
        self.outside.append(route.request.url)
        route.abort("blockedbyclient")

    def response(self, response) -> None:
        if response.status >= 400 and "/static/" in response.url:
            self.errors.append(f"{response.status} {response.url}")

    def console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{message.location.get('url')}: {message.text}")


@pytest.fixture
def guard() -> Guard:
    return Guard()


@pytest.fixture
def context(browser, live_server, guard, request):
    """A fresh browser profile (no cookies) for one test, pointed at the live server."""
    profile = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    profile.set_default_timeout(10_000)
    profile.route(OUTSIDE, guard.block)
    profile.on("page", guard.watch)
    yield profile
    profile.close()


@pytest.fixture
def page(context, guard, request):
    tab = context.new_page()
    guard.watch(tab)
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        tab.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    assert guard.outside == [], f"requests left 127.0.0.1: {guard.outside}"
    assert guard.errors == [], f"the page had errors: {guard.errors}"
    assert guard.csp_violations == [], f"the policy refused: {guard.csp_violations}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so `page` knows at teardown if the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def save_screenshot(tab, name: str, *, full_page: bool = False) -> None:
    """Refresh a screenshot used by the README, when asked to (SHOP_DOCS_SCREENSHOTS=1).

    Off by default so that a test run never leaves the working tree changed.
    """
    if os.environ.get("SHOP_DOCS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=SCREENSHOTS / name, full_page=full_page)


# Users and logins.


@pytest.fixture
def staff_user(make_user):
    return make_user(email="staff@example.com", is_staff=True, is_superuser=True, first_name="Sam")


@pytest.fixture
def customer_user(make_user):
    return make_user(email="casey@example.com", first_name="Casey")


def admin_login(tab, user, password: str = PASSWORD) -> None:
    """Log in to /admin/ through its login form, as staff do."""
    tab.goto("/admin/")
    tab.get_by_label("Email").fill(user.email)
    tab.get_by_label("Password").fill(password)
    tab.get_by_role("button", name="Log in").click()
    tab.get_by_role("heading", name="Site administration").wait_for()


@dataclass
class Api:
    """The public API over HTTP, as a client outside the browser sees it."""

    request: object

    def get(self, path: str, token: str | None = None) -> tuple[int, object]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.request.get(path, headers=headers)
        return response.status, _json(response)

    def post(self, path: str, data: dict, token: str | None = None) -> tuple[int, object]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.request.post(path, data=data, headers=headers)
        return response.status, _json(response)

    def token(self, user) -> str:
        status, body = self.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD})
        assert status == 200, body
        return body["access"]


def _json(response):
    try:
        return json.loads(response.text())
    except ValueError:
        return response.text()


@pytest.fixture
def api(browser, live_server) -> Iterator[Api]:
    """An anonymous HTTP client of the live server (its own profile: no cookies)."""
    profile = browser.new_context(base_url=live_server.url)
    yield Api(profile.request)
    profile.close()
