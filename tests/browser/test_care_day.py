"""Issue 11 end to end, in a browser: a specialist's day. A positive caregiver depression
screen suggests tier 2; the specialist sets it, opens a care plan with a goal agreed with the
mother (in Spanish, her language), logs 35 minutes of family training with the child and the
mother present, and adds a task due next week, which shows in "my work" and on that day's
huddle. Then a PSY note, read by front desk, billing and a family partner on no page."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dyadcare.care import services as care
from dyadcare.instruments.internal import registry
from dyadcare.screening import services
from dyadcare.tenancy.scope import clinic_scope
from tests import factories
from tests.browser.conftest import serious_violations
from tests.factories import PASSWORD, ClinicWorld, staff_actor

DESK = {"width": 1366, "height": 900}
NOTE = "Marta describes panic attacks at night since the birth"


@pytest.fixture(autouse=True)
def _queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _positive_epds(world: ClinicWorld, visit: Any, capture: Any) -> None:
    """The mother's paper EPDS, entered by the specialist: 11 points (possible depression),
    nothing on the self-harm item."""
    epds = registry.get("epds")
    wanted = [2, 2, 2, 2, 2, 1, 0, 0, 0, 0]
    entered = {}
    for item, score in zip(epds.items, wanted, strict=True):
        option = next(o for o in item.options if o.weight == score)
        entered[item.number] = [str(option.position)]
    with capture(execute=True), clinic_scope(world.a):
        scored = services.staff_scores_enter(
            actor=staff_actor(world, "dyadic_specialist"), visit=visit, instrument_id="epds",
            entered=entered, caregiver=factories.mother(visit),
        )  # fmt: skip
    assert scored.result.positive and scored.result.total == 11


def test_a_specialists_day(
    live_server: Any, browser: Any, world: ClinicWorld, django_capture_on_commit_callbacks: Any
) -> None:
    visit = factories.two_month_visit(world)
    child = visit.child
    next_week = timezone.localdate() + timedelta(days=7)
    factories.visit(world.a, child, when=timezone.make_aware(datetime.combine(next_week, time(9, 30))))
    _positive_epds(world, visit, django_capture_on_commit_callbacks)

    page = browser.new_context(viewport=DESK, locale="en-US").new_page()
    base, slug = live_server.url, world.a.slug
    _login(page, base, "dyadic_specialist-a")
    page.goto(f"{base}/c/{slug}/children/{child.pk}/")
    page.get_by_role("link", name="Care plan and services").click()
    suggestion = page.get_by_test_id("tier-suggestion")
    assert "Suggested: tier 2 (A positive caregiver depression screen)" in suggestion.inner_text()
    assert "No tier set yet." in page.locator("#tier").inner_text()
    with page.expect_navigation():
        suggestion.get_by_role("button", name="Set tier 2").click()
    assert "The tier is set." in page.get_by_role("status").inner_text()
    assert page.get_by_test_id("tier-now").inner_text() == "Tier 2: short-term support"

    plan = page.locator("#plan")
    plan.get_by_label("The family's language").select_option("es")
    plan.get_by_label("Next review").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    with page.expect_navigation():
        plan.get_by_role("button", name="Open a care plan").click()
    plan.get_by_text("Add a goal agreed with the family").click()
    plan.get_by_label("Goal from the list").select_option("caregiver-mood")
    plan.get_by_label("Review date").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    with page.expect_navigation():
        plan.get_by_role("button", name="Add the goal").click()
    assert "Me sentiré menos decaída y recibiré apoyo" in page.get_by_test_id("goal").inner_text()

    log = page.locator("#services")
    log.get_by_text("Log a service").click()
    log.locator("#id_service-service_type").select_option("family-training")
    log.get_by_label("Date").fill(timezone.localdate().isoformat())
    log.get_by_label("Minutes").fill("35")
    assert log.get_by_label("Child present").is_checked()
    log.get_by_label("Marta Soto").check()
    with page.expect_navigation():
        log.get_by_role("button", name="Log the service").click()
    row = page.get_by_test_id("service").inner_text()
    assert "Family training and counselling for child development" in row and "35" in row
    assert "child, Marta Soto" in row

    tasks = page.locator("#tasks")
    tasks.get_by_text("Add a task").click()
    tasks.locator("#id_task-title").fill("Call Marta about the counselling referral")
    tasks.get_by_label("Due").fill(next_week.isoformat())
    with page.expect_navigation():
        tasks.get_by_role("button", name="Add the task").click()
    assert "Call Marta about the counselling referral" in page.get_by_test_id("task").inner_text()
    assert not serious_violations(page), "care page"

    page.get_by_role("link", name="My work").click()
    upcoming = page.get_by_test_id("task-upcoming").inner_text()
    assert "Call Marta about the counselling referral" in upcoming and child.given_name in upcoming
    assert child.given_name in page.get_by_test_id("caseload-row").inner_text()
    assert not serious_violations(page), "my work"

    page.goto(f"{base}/c/{slug}/huddle/?day={next_week.isoformat()}")
    huddle = page.locator("main").inner_text()
    assert f"Care task due {next_week.isoformat()}" in huddle
    assert "Tier 2" in huddle


@pytest.mark.parametrize("role", ["front_desk", "billing", "family_partner"])
def test_a_psy_note_is_read_by_no_one_without_psy(
    live_server: Any, browser: Any, world: ClinicWorld, role: str
) -> None:
    with clinic_scope(world.a):
        care.note_write(
            actor=staff_actor(world, "dyadic_specialist"), child=world.child_a, text=NOTE, sensitivity=["PSY"]
        )
    page = browser.new_context(viewport=DESK, locale="en-US").new_page()
    base, slug = live_server.url, world.a.slug
    _login(page, base, f"{role}-a")
    child = world.child_a.pk
    for path in (
        f"children/{child}/care/",
        f"children/{child}/",
        "my-work/",
        "caseload/",
        "huddle/",
        "alerts/",
    ):
        page.goto(f"{base}/c/{slug}/{path}")
        assert NOTE not in page.content(), path
    page.goto(f"{base}/c/{slug}/children/{world.child_a.pk}/care/")
    assert "A sensitive note (not shown to your role)." in page.locator("#notes").inner_text()
