"""Registering a child the clinic already has: the possible duplicate is shown before saving
and a reason is asked; a clinic administrator merges the two records and undoes it. axe finds
no serious or critical violation on the form with its duplicates or on the merge page."""

from __future__ import annotations

from typing import Any

from dyadcare.families.models import Child
from dyadcare.tenancy.models import Clinic
from dyadcare.tenancy.scope import clinic_scope
from tests.browser.conftest import VIEWPORTS, login_as, serious_violations


def _a_child() -> Child:
    with clinic_scope(Clinic.objects.get(slug="eastside")):
        return Child.objects.filter(gestational_age_days__isnull=True).order_by("mrn").first() or (
            Child.objects.order_by("mrn").first()
        )


def test_a_duplicate_is_shown_then_merged_and_the_merge_undone(
    live_server: Any, browser: Any, demo_network: str
) -> None:
    known = _a_child()
    context = browser.new_context(viewport=VIEWPORTS["workstation"], locale="en-US")
    page = context.new_page()
    login_as(page, live_server.url, "frontdesk.eastside")
    page.goto(f"{live_server.url}/c/eastside/children/new/")
    # The same child typed in capitals and without accents, with a new MRN.
    page.get_by_label("First name").fill(known.given_name.upper())
    page.get_by_label("Last name").fill(
        known.family_name.replace("á", "a").replace("é", "e").replace("í", "i")
    )
    page.get_by_label("Date of birth").fill(known.date_of_birth.isoformat())
    page.get_by_label("Female").check()
    page.get_by_label("MRN").fill("EA-DUP-1")
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    assert "may have this person already" in page.get_by_role("alert").inner_text()
    panel = page.get_by_role("group", name="Possible duplicates")
    assert known.mrn in panel.inner_text() and "Same name and date of birth" in panel.inner_text()
    assert not serious_violations(page), "form with possible duplicates"
    page.get_by_label("Why is this someone else?").fill(
        "Checked with the mother: registered twice by mistake"
    )
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    assert "EA-DUP-1" in page.content()
    new_page_url = page.url
    context.close()

    context = browser.new_context(viewport=VIEWPORTS["workstation"], locale="en-US")
    page = context.new_page()
    login_as(page, live_server.url, "admin.eastside")
    page.goto(new_page_url)
    page.get_by_role("link", name="Find and merge a duplicate record").click()
    page.wait_for_load_state()
    assert not serious_violations(page), "merge page: candidates"
    page.get_by_role("region", name="Possible duplicates").get_by_role("link", name=known.full_name).click()
    page.wait_for_load_state()
    assert page.get_by_role("table", name="The two records").is_visible()
    page.get_by_label("The other record").check()
    page.get_by_label("Why these are the same child").fill("Same child registered twice")
    assert not serious_violations(page), "merge page: comparison"
    page.get_by_role("button", name="Merge the records").click()
    page.wait_for_load_state()
    assert "The records are merged" in page.content()
    assert page.get_by_role("heading", name=known.full_name).is_visible()
    page.get_by_role("button", name="Undo the merge").click()
    page.wait_for_load_state()
    assert "The merge is undone" in page.content()
    context.close()
