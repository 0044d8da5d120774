"""A demo user logs in, finds a child and opens the child's page, on a workstation and on a
phone; axe finds no serious or critical accessibility violation on the pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import VIEWPORTS, login_as, serious_violations


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_demo_user_opens_a_child_page(
    live_server: Any, browser: Any, demo_network: str, viewport: str
) -> None:
    assert "frontdesk.fruitvale" in demo_network
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-US")
    page = context.new_page()
    remote_requests: list[str] = []
    page.on(
        "request", lambda r: remote_requests.append(r.url) if not r.url.startswith(live_server.url) else None
    )
    login_as(page, live_server.url, "frontdesk.fruitvale", check_axe=True)
    assert page.url == f"{live_server.url}/c/fruitvale/"
    assert page.get_by_role("heading", name="Huddle for").is_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Children").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Children").is_visible()
    rows = page.locator("table tbody tr")
    assert rows.count() > 5
    assert not serious_violations(page), "child list"

    # Live search (htmx) narrows the list as one types.
    first_name = rows.first.locator("a").inner_text()
    family = first_name.split(",")[0]
    page.get_by_label("Search by the child's or a caregiver's name").fill(family)
    page.wait_for_url("**q=*")
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length > 0")
    # The child's name, or a caregiver's (listed under the child's), holds the name searched.
    assert all(family in t for t in page.locator("#results tbody tr th").all_inner_texts())

    page.locator("#results tbody tr th a").first.click()
    page.wait_for_load_state()
    assert "/children/" in page.url
    assert page.get_by_role("heading", name="Caregivers").is_visible()
    assert page.get_by_role("heading", name="About the child").is_visible()
    assert not serious_violations(page), "child page"
    assert remote_requests == [], "no remote asset is loaded"
    context.close()


def test_register_a_child_with_a_mistake_then_fix_it(
    live_server: Any, browser: Any, demo_network: str
) -> None:
    context = browser.new_context(viewport=VIEWPORTS["workstation"], locale="en-US")
    page = context.new_page()
    login_as(page, live_server.url, "frontdesk.eastside", check_axe=True)
    page.goto(f"{live_server.url}/c/eastside/children/")
    page.get_by_role("link", name="Register a child").click()
    page.get_by_label("First name").fill("Valeria")
    page.get_by_label("Last name").fill("Quintero")
    page.get_by_label("Date of birth").fill("2026-05-02")
    page.get_by_label("Female").check()
    page.get_by_label("Gestational age at birth").fill("47+0")
    page.get_by_label("MRN").fill("EA-NEW-1")
    page.get_by_role("button", name="Register").click()
    summary = page.get_by_role("alert")
    assert "Nothing was saved" in summary.inner_text()
    assert not serious_violations(page), "form with errors"
    page.get_by_label("Gestational age at birth").fill("36+2")
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Valeria Quintero").is_visible()
    assert "36+2" in page.content()
    context.close()


def test_spanish_pages(live_server: Any, browser: Any, demo_network: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="es-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == "es"
    login_as(page, live_server.url, "specialist.float", language="es")
    assert page.get_by_role("heading", name="¿Dónde trabaja hoy?").is_visible()
    assert not serious_violations(page), "places"
    page.get_by_role("link", name="Valley Family Pediatrics").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Huddle for").count() == 0
    assert page.locator("h1").inner_text().startswith("Reunión")
    context.close()
