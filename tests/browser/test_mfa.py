"""Two-step login in chromium: a clinician sets it up (the QR code drawn on the page, the key
read from the page and turned into codes here, as an authenticator app would), sees the
recovery codes once, and logs in again with the password and a code."""

from __future__ import annotations

import base64
from typing import Any

from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORTS, serious_violations
from tests.factories import PASSWORD, ClinicWorld


def _code(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key typed in by hand."""
    compact = secret.replace(" ", "")
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    return f"{totp(key, step=30, t0=-30 * steps_ahead, digits=6):06d}"


def _password(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("pediatric_clinician-a")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_a_clinician_sets_up_two_step_login_and_logs_in_with_a_code(
    live_server: Any, browser: Any, world: ClinicWorld, settings: Any
) -> None:
    settings.MFA_REQUIRED = True
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS["workstation"], locale="en-US")
    page = context.new_page()
    _password(page, base)
    assert page.url.startswith(f"{base}/account/two-step/"), "sent to set up two-step login first"
    assert page.locator("figure.qr svg").count() == 1
    assert not serious_violations(page), "the set-up page"
    secret = page.locator("#totp-secret").inner_text()

    page.get_by_label("Code").fill("000000" if _code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-step login").click()
    # the form again, with the reason (waited for: the click returns before the page does)
    expect(page.get_by_role("alert")).to_be_visible()

    page.wait_for_timeout(1_100)  # django-otp slows the try after a wrong code by a second
    page.get_by_label("Code").fill(_code(secret))
    page.get_by_role("button", name="Turn on two-step login").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="I have saved them; continue").click()
    page.wait_for_url(f"{base}/c/{world.a.slug}/**")
    context.close()

    context = browser.new_context(viewport=VIEWPORTS["workstation"], locale="en-US")
    page = context.new_page()
    _password(page, base)
    assert page.url.startswith(f"{base}/login/code/"), "the password alone is not enough"
    assert not serious_violations(page), "the code page"
    page.get_by_label("Code").fill(_code(secret, steps_ahead=1))  # the current one was used
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/c/{world.a.slug}/**")
    assert page.get_by_role("link", name="Children").is_visible()
    context.close()
