"""The browser tests' own guard: it does catch a request that leaves the machine, a script
error and what the Content-Security-Policy refuses, so a page that does any fails its test."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_request_to_another_host_is_blocked_and_recorded(page, guard):
    # A page without the shop's Content-Security-Policy, which would refuse the request first.
    page.goto("about:blank")
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))

    page.evaluate("url => fetch(url).catch(() => null)", "https://cdn.example.com/ui.css")

    assert guard.outside == ["https://cdn.example.com/ui.css"]
    assert failed == ["https://cdn.example.com/ui.css"]
    guard.outside.clear()


def test_an_uncaught_script_error_is_recorded(page, guard):
    page.goto("/api/v1/health/")

    page.evaluate("() => setTimeout(() => { throw new Error('boom'); })")
    page.wait_for_timeout(100)

    assert guard.errors == ["JavaScript: boom"]
    guard.errors.clear()
