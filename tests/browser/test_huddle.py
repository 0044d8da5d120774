"""The huddle of the busiest demo clinic day, in a browser: every visit, due and overdue
screenings, check-in, printing, and an axe check."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from dyadcare.tenancy.models import Clinic
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.selectors import busiest_day, day_bounds
from tests.browser.conftest import login_as, serious_violations


def test_huddle_of_the_busiest_day(live_server: Any, browser: Any, demo_network: str) -> None:
    clinic = Clinic.objects.get(slug="fruitvale")
    with clinic_scope(clinic):
        day = busiest_day(clinic=clinic, start=timezone.localdate(), days=28)
        assert day is not None
        start, end = day_bounds(day)
        expected = (
            Visit.objects.filter(scheduled_for__gte=start, scheduled_for__lt=end)
            .exclude(status="cancelled")
            .count()
        )
    assert expected >= 3

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    login_as(page, live_server.url, "specialist.fruitvale")
    page.goto(f"{live_server.url}/c/fruitvale/huddle/?day={day.isoformat()}")
    rows = page.locator("tr.huddle__row")
    assert rows.count() == expected
    assert page.get_by_role("heading", name="Huddle for").is_visible()
    assert page.locator(".due").count() >= expected, "every visit shows what is due"
    assert not serious_violations(page), "huddle"

    # Check a family in from the huddle.
    first = rows.first
    name = first.locator("th a").inner_text()
    first.get_by_role("button", name="Check in").click()
    page.wait_for_load_state()
    assert "is checked in" in page.get_by_role("status").inner_text()
    assert page.locator("tr.huddle__row").filter(has_text=name).locator(".status--arrived").count() == 1

    # The printed page keeps the table and drops navigation and buttons.
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert not page.locator(".day-nav").is_visible()
    assert rows.first.is_visible()
    context.close()


def test_huddle_on_a_phone_in_spanish(live_server: Any, browser: Any, demo_network: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-US")
    page = context.new_page()
    login_as(page, live_server.url, "frontdesk.valley", language="es")
    assert page.locator("h1").inner_text().startswith("Reunión del equipo")
    page.get_by_role("link", name="Día siguiente").click()
    page.wait_for_load_state()
    assert "day=" in page.url
    assert not serious_violations(page), "huddle on a phone"
    context.close()
