"""The clinic, staff and account pages in chromium, in English and Spanish: no serious
accessibility problem (axe), and a bad form comes back with its errors announced."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import VIEWPORTS, serious_violations
from tests.factories import PASSWORD, ClinicWorld


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_account_pages_are_accessible(
    live_server: Any, browser: Any, world: ClinicWorld, language: str
) -> None:
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale=language)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/password/reset/")
    assert not serious_violations(page), "reset request"
    _log_in(page, base, "clinic_admin-a")
    person = world.staff_a["front_desk"]
    for path in (
        f"/c/{world.a.slug}/staff/",
        f"/c/{world.a.slug}/staff/invite/",
        f"/c/{world.a.slug}/staff/{person.pk}/",
        "/account/",
        "/account/password/",
        "/account/two-step/",
    ):
        page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == language
        assert not serious_violations(page), path
    page.goto(f"{base}/c/{world.a.slug}/staff/invite/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible(), "the form again, with what to correct"
    assert not serious_violations(page), "the invitation form with errors"
    context.close()

    context = browser.new_context(viewport=VIEWPORTS["workstation"], locale=language)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    _log_in(page, base, "network_admin-n")
    page.goto(f"{base}/n/{world.network.slug}/clinics/new/")
    assert not serious_violations(page), "clinic creation"
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert not serious_violations(page), "clinic creation with errors"
    context.close()
