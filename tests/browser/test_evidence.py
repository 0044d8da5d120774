"""Issue 9, in a browser: screening is recorded by evidence only. A specialist closes a visit
where nothing was given and no category is done; a maternal depression screen is given by
the service model's fallback (the clinic has no licensed EPDS text: the family answers the
PHQ-2 on their phone, and the positive PHQ-2 brings the PHQ-9) and by a paper EPDS entered
item by item; a clinic administrator types the EPDS text item by item, previews it and
confirms the licence, after which the fallback is no longer needed. axe finds no serious or
critical violation on the pages."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.scope import unscoped
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.schedule import add_months
from tests import factories
from tests.browser.conftest import serious_violations
from tests.factories import PASSWORD, ClinicWorld

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


@pytest.fixture(autouse=True)
def _mail_and_queue(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _staff_login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _click(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()


def _due_statuses(page: Any) -> dict[str, str]:
    """The visit page's due list: category key -> the statuses shown."""
    return {
        row.get_attribute("data-category"): row.locator(".status").all_inner_texts()[0]
        for row in page.locator("#due-list > li").all()
    }


def _baby(world: ClinicWorld, name: str) -> Visit:
    """A 2-month visit today for a baby whose mother agreed to email."""
    today = timezone.localdate()
    baby = factories.child(world.a, given_name=name, family_name="Soto", date_of_birth=add_months(today, -2))
    factories.caregiver(
        world.a,
        for_child=baby,
        given_name="Marta",
        family_name="Soto",
        preferred_language="en",
        email=f"{name.lower()}@example.org",
        consent_email=True,
    )
    return factories.visit(
        world.a, baby, when=timezone.make_aware(datetime.combine(today, time(10))), touchpoint="2m"
    )


def test_closing_a_visit_with_nothing_given_marks_nothing_done(
    live_server: Any, browser: Any, world: ClinicWorld
) -> None:
    visit = _baby(world, "Nina")
    context = browser.new_context(viewport=DESK, locale="en-US")
    page = context.new_page()
    _staff_login(page, live_server.url, "dyadic_specialist-a")
    page.goto(f"{live_server.url}/c/{world.a.slug}/visits/{visit.pk}/")
    due = _due_statuses(page)
    assert "maternal-depression" in due and set(due.values()) == {"not done"}
    close = page.locator("form", has=page.get_by_role("button", name="Close visit"))
    assert close.locator("input[type=checkbox]").count() == 0, "nothing to tick, nothing pre-ticked"
    assert "These stay due until something shows them done" in close.inner_text()
    assert not serious_violations(page), "visit page"
    _click(page, page.get_by_role("button", name="Check in"))
    _click(page, page.get_by_role("button", name="Close visit"))
    assert "The visit is closed." in page.get_by_role("status").inner_text()
    assert set(_due_statuses(page).values()) == {"not done"}, "closing is not evidence"
    with unscoped("test reads the visit"):
        assert Visit.objects.get(pk=visit.pk).status == "completed"
    page.goto(f"{live_server.url}/c/{world.a.slug}/huddle/")
    row = page.locator("tr", has=page.get_by_role("link", name="Soto, Nina"))
    assert row.count() == 1 and "✓" not in row.inner_text()
    assert not serious_violations(page), "huddle"
    context.close()


def test_maternal_depression_by_fallback_and_by_paper_form(
    live_server: Any, browser: Any, world: ClinicWorld
) -> None:
    by_link, on_paper = _baby(world, "Nina"), _baby(world, "Eva")
    staff = browser.new_context(viewport=DESK, locale="en-US")
    desk = staff.new_page()
    _staff_login(desk, live_server.url, "dyadic_specialist-a")
    screening = f"{live_server.url}/c/{world.a.slug}/visits/{by_link.pk}/screening/"

    # The clinic has no licensed EPDS text: the page says the PHQ-2 fills the category, and why.
    desk.goto(screening)
    phq2 = desk.locator("li[data-instrument=phq2]")
    assert "the clinic has not loaded its licensed text;" in phq2.inner_text()
    assert "used instead." in phq2.inner_text() and "family can answer" in phq2.inner_text()
    assert "enter a paper form" in desk.locator("li[data-instrument=epds]").inner_text()
    assert desk.locator("li[data-instrument=phq9]").count() == 0
    assert not serious_violations(desk), "visit screening page with the fallback"
    form = desk.locator("form", has=desk.get_by_role("button", name="Send by email"))
    for box in form.locator("input[name=instruments]").all():
        if box.get_attribute("value") != "phq2":
            box.uncheck()
    form.get_by_role("radio", name="English", exact=True).check()
    _click(desk, form.get_by_role("button", name="Send by email"))
    link = re.search(r"http://\S+/f/[\w-]+/", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body

    family = browser.new_context(viewport=PHONE, locale="en-US")
    phone = family.new_page()
    phone.goto(link.group(0))
    born = by_link.child.date_of_birth
    phone.get_by_label("Month", exact=True).select_option(str(born.month))
    phone.get_by_label("Day", exact=True).fill(str(born.day))
    phone.get_by_label("Year", exact=True).fill(str(born.year))
    _click(phone, phone.get_by_role("button", name="Continue", exact=True))
    _click(phone, phone.get_by_role("link", name="Start"))
    for _question in range(2):
        phone.get_by_label("More than half the days", exact=True).check()
        _click(phone, phone.get_by_role("button", name="Next", exact=True))
    _click(phone, phone.get_by_role("button", name="Send my answers"))
    family.close()

    desk.goto(screening)
    results = desk.locator("#results-heading + article, #results-heading ~ article")
    assert "Patient Health Questionnaire-2" in results.first.inner_text()
    assert "Total 4" in results.first.inner_text() and "Positive" in results.first.inner_text()
    phq9 = desk.locator("li[data-instrument=phq9]")
    assert "after a positive Patient Health Questionnaire-2 (PHQ-2)" in phq9.inner_text()
    assert not serious_violations(desk), "visit screening page with a PHQ-2 result and the PHQ-9 offered"
    desk.goto(f"{live_server.url}/c/{world.a.slug}/visits/{by_link.pk}/")
    due = desk.locator("#due-list > li[data-category=maternal-depression]")
    assert "done" in due.locator(".status").first.inner_text()
    assert "answered by the family" in due.inner_text() and "PHQ-2" in due.inner_text()

    # A paper EPDS, entered item by item: positions and scores, no licensed text needed.
    desk.goto(f"{live_server.url}/c/{world.a.slug}/visits/{on_paper.pk}/screening/")
    epds = desk.locator("li[data-instrument=epds]")
    _click(desk, epds.get_by_role("link", name=re.compile(r"^Enter a paper form")))
    assert "items and answers are shown by number" in desk.content()
    assert not serious_violations(desk), "paper form page"
    for n in range(1, 11):
        item = desk.get_by_role("group", name=f"Item {n}", exact=True)
        item.get_by_role("radio", name=re.compile(r"^Option 2 ")).check()
    _click(desk, desk.get_by_role("button", name="Score and save"))
    summary = desk.locator("#error-summary")
    assert "Say which caregiver filled in the form." in summary.inner_text()
    assert "Say which language the form was answered in." in summary.inner_text()
    assert (
        desk.get_by_role("group", name="Item 7", exact=True)
        .get_by_role("radio", name=re.compile(r"^Option 2 "))
        .is_checked()
    ), "the answers entered are kept"
    assert not serious_violations(desk), "paper form with errors"
    desk.get_by_role("radio", name=re.compile(r"^Marta Soto")).check()
    desk.get_by_role("group", name=re.compile("^Language of the form")).get_by_role(
        "radio", name="English"
    ).check()
    _click(desk, desk.get_by_role("button", name="Score and save"))
    assert "the paper form is entered and scored" in desk.get_by_role("status").inner_text()
    with unscoped("test reads the result"):
        result = ScreeningResult.objects.get(visit=on_paper, instrument_id="epds")
    assert (
        result.entered_by == world.staff_a["dyadic_specialist"] and result.category == "maternal-depression"
    )
    assert result.total == sum([1, 1, 2, 1, 2, 2, 2, 2, 2, 2]), "items 3 and 5 to 10 are reverse-keyed"
    article = desk.locator("article", has=desk.get_by_role("heading", name=re.compile("Edinburgh")))
    assert f"Total {result.total:g}" in article.inner_text() and "entered by staff" in article.inner_text()
    desk.goto(f"{live_server.url}/c/{world.a.slug}/visits/{on_paper.pk}/")
    due = desk.locator("#due-list > li[data-category=maternal-depression]")
    assert (
        "paper form entered by staff" in due.inner_text()
        and "done" in due.locator(".status").first.inner_text()
    )
    staff.close()


def test_an_administrator_types_the_licensed_text_item_by_item(
    live_server: Any, browser: Any, world: ClinicWorld
) -> None:
    visit = _baby(world, "Nina")
    context = browser.new_context(viewport=DESK, locale="en-US")
    page = context.new_page()
    _staff_login(page, live_server.url, "clinic_admin-a")
    page.goto(f"{live_server.url}/c/{world.a.slug}/instruments/epds/text/")
    guided = page.locator("section", has=page.get_by_role("heading", name="Enter the text item by item"))
    _click(page, guided.get_by_role("link", name="English"))
    assert not serious_violations(page), "guided text form"
    for n in range(1, 11):
        page.get_by_role("textbox", name=re.compile(rf"^Item {n}\b(?!,)")).fill(f"Licensed item {n}")
        for k in range(1, 5):
            page.get_by_label(re.compile(rf"^Item {n}, option {k} ")).fill(f"Answer {n}.{k}")
    _click(page, page.get_by_role("button", name="Preview"))
    preview = page.locator("#preview")
    assert "Licensed item 10" in preview.inner_text() and "Answer 10.4" in preview.inner_text()
    assert not serious_violations(page), "preview"
    _click(page, page.get_by_role("button", name="Save the text"))
    assert "Confirm that your clinic holds a licence for this text." in page.content()
    page.get_by_label("Our clinic holds a licence to use this text in this language.").check()
    _click(page, page.get_by_role("button", name="Save the text"))
    assert "The item text was saved." in page.content()
    assert "Licensed item 3" in page.content(), "the instrument page shows the clinic's text"

    page.goto(f"{live_server.url}/c/{world.a.slug}/visits/{visit.pk}/screening/")
    assert "family can answer" in page.locator("li[data-instrument=epds]").inner_text()
    assert "used instead" not in page.content(), "with the licensed text, no fallback"
    context.close()
