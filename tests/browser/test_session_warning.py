"""The warning before an automatic logoff, in chromium: it opens shortly before the idle
time ends, "Stay signed in" renews the session, and left alone the page goes to the login
page (nothing about a family stays on the screen). The times are shortened for the test."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session

from tests.browser.conftest import VIEWPORTS, serious_violations
from tests.factories import PASSWORD, ClinicWorld

IDLE = 12  # seconds
WARNING = 8  # the dialog opens 8 seconds before the end, about 4 seconds after a request


def _log_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("front_desk-a")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_the_warning_offers_to_stay_then_logs_out(
    live_server: Any, browser: Any, world: ClinicWorld, settings: Any
) -> None:
    settings.SESSION_COOKIE_AGE = IDLE
    settings.SESSION_WARNING_SECONDS = WARNING
    context = browser.new_context(viewport=VIEWPORTS["workstation"], locale="en-US")
    page = context.new_page()
    _log_in(page, live_server.url)
    huddle = f"{live_server.url}/c/{world.a.slug}/"
    assert page.url == huddle
    dialog = page.get_by_role("dialog", name="Are you still there?")
    assert not dialog.is_visible()

    dialog.wait_for(state="visible", timeout=10_000)
    assert "you will be logged out in" in dialog.inner_text()
    assert page.locator("[data-countdown]").first.inner_text().startswith("0:0")
    assert not serious_violations(page), "the warning"
    key = next(c["value"] for c in context.cookies() if c["name"] == "sessionid")
    before = Session.objects.get(session_key=key).expire_date

    dialog.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden", timeout=5_000)
    assert page.url == huddle, "the page stays, with anything typed on it"
    assert Session.objects.get(session_key=key).expire_date > before, "renewed on the server"

    # Left alone: the warning again, then the login page.
    dialog.wait_for(state="visible", timeout=10_000)
    page.wait_for_url(f"{live_server.url}/login/**", timeout=15_000)
    assert "next=" in page.url and page.get_by_role("heading", name="Log in to dyadcare").is_visible()
    assert page.goto(huddle) is not None and page.url.startswith(f"{live_server.url}/login/")
    context.close()


def test_escape_means_still_here(live_server: Any, browser: Any, world: ClinicWorld, settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = IDLE
    settings.SESSION_WARNING_SECONDS = WARNING
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="en-US")
    page = context.new_page()
    _log_in(page, live_server.url)
    dialog = page.get_by_role("dialog", name="Are you still there?")
    dialog.wait_for(state="visible", timeout=10_000)
    assert not serious_violations(page), "the warning on a phone"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden", timeout=5_000)
    page.wait_for_timeout(3_000)  # past the moment the first session would have ended
    assert page.url == f"{live_server.url}/c/{world.a.slug}/"
    status = page.request.get(f"{live_server.url}/session/").json()
    assert status["idle"] > 0, "Escape renewed the session"
    context.close()
