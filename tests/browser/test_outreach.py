"""Front desk works the outreach list in a browser: finds a child overdue for a touchpoint,
logs a call that books the visit, and the child leaves the list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dyadcare.adherence.models import OutreachAttempt
from dyadcare.tenancy.models import Clinic
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints.models import Visit
from tests.browser.conftest import login_as, serious_violations


def test_front_desk_logs_a_call_that_books_the_visit(
    live_server: Any, browser: Any, demo_network: str
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    login_as(page, live_server.url, "frontdesk.fruitvale")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outreach").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Outreach: families to bring back").is_visible()
    assert not serious_violations(page), "outreach list"
    page.locator("#id_reason").select_option("overdue")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    rows = page.locator("#outreach-list tbody tr")
    assert rows.count() >= 1, "the demo has children overdue for a touchpoint"
    first = rows.first
    child_id = first.get_attribute("data-child")
    name = first.locator("td a").first.inner_text()
    first.get_by_role("link", name="Log attempt").click()
    page.wait_for_load_state()
    assert "Overdue for the" in page.locator("#outreach-need").inner_text()
    assert not serious_violations(page), "a child's outreach"

    day = timezone.localdate() + timedelta(days=8)
    page.locator("#id_kind").select_option("call")
    page.locator("#id_outcome").select_option("booked")
    page.locator("#id_book_day").fill(day.isoformat())
    page.locator("#id_book_at").fill("10:20")
    page.locator("#id_note").fill("Mother can come after work; needs a bus pass")
    page.get_by_role("button", name="Log attempt").click()
    page.wait_for_load_state()
    assert "The attempt is logged." in page.get_by_role("status").inner_text()
    assert "Not on the outreach list now" in page.locator("#outreach-need").inner_text()
    assert "Visit booked" in page.locator("#attempts").inner_text()

    page.goto(f"{live_server.url}/c/fruitvale/outreach/?reason=overdue")
    assert page.locator(f'tr[data-child="{child_id}"]').count() == 0, f"{name} left the list"
    clinic = Clinic.objects.get(slug="fruitvale")
    with clinic_scope(clinic):
        attempt = OutreachAttempt.objects.get(child_id=child_id)
        assert (attempt.kind, attempt.outcome, attempt.made_by.username) == (
            "call",
            "booked",
            "frontdesk.fruitvale",
        )
        booked = Visit.objects.get(child_id=child_id, status="scheduled", scheduled_for__date__gte=day)
        assert (
            timezone.localtime(booked.scheduled_for).strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} 10:20"
        )
    context.close()
