"""Issue 12 end to end, in a browser: a closed-loop referral. The mother's Hunger Vital Sign is
positive for food; a family partner refers from the visit's results, searches the directory
(food, the family's language and the child's age pre-filled), picks the food pantry, records
the mother's verbal consent and sends. The pantry opens the emailed link on a phone, accepts,
then completes the referral; the loop shows closed on the child's page and on the care page.
The father's PHQ-9 safety alert on the same visit never reaches the pantry's page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from dyadcare.instruments.internal import registry
from dyadcare.referrals.internal.importer import import_into
from dyadcare.referrals.models import Service
from dyadcare.screening import services
from dyadcare.tenancy.scope import clinic_scope
from tests.browser.conftest import VIEWPORTS, serious_violations
from tests.factories import PASSWORD, ClinicWorld, staff_actor
from tests.referrals.directory_data import service, write_json


@pytest.fixture(autouse=True)
def _queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _positive_food_screen(world: ClinicWorld, capture: Any) -> None:
    """The mother's paper Hunger Vital Sign, entered by staff: "often true" to both items."""
    assert world.visit_a and world.caregiver_a
    hvs = registry.get("hvs")
    entered = {item.number: [str(max(item.options, key=lambda o: o.weight).position)] for item in hvs.items}
    with capture(execute=True), clinic_scope(world.a):
        scored = services.staff_scores_enter(
            actor=staff_actor(world, "family_partner"), visit=world.visit_a, instrument_id="hvs",
            entered=entered, caregiver=world.caregiver_a,
        )  # fmt: skip
    assert scored.result.positive and scored.result.domains.get("food")


def _directory(world: ClinicWorld, folder: Path) -> None:
    """Two services: the food pantry (Open Eligibility 1130, Spanish spoken, takes referrals by
    email) and a housing service the food search must not offer."""
    records = [
        service("pantry", name="Family Food Pantry", codes=("1130",), languages=("en", "es")),
        service("housing", name="Rent Help Now", codes=("1137",), languages=("en", "es")),
    ]
    import_into(world.network, write_json(folder / "directory.json", records))
    Service.objects.filter(network=world.network, name="Family Food Pantry").update(
        email="intake@pantry.example", accepts_referrals_via="email", referral_contact="intake@pantry.example"
    )


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _refer(page: Any, base: str, world: ClinicWorld) -> None:
    """From the visit's results: Refer → search → choose → consent → send."""
    assert world.visit_a
    page.goto(f"{base}/c/{world.a.slug}/visits/{world.visit_a.pk}/screening/")
    with page.expect_navigation():
        page.get_by_test_id("refer-from-result").first.click()
    assert page.locator("#search_need").input_value() == "food"
    assert page.locator("#search_child_age_months").input_value() == "22"
    with page.expect_navigation():
        page.get_by_test_id("search").click()
    hits = page.get_by_test_id("hits")
    assert "Family Food Pantry" in hits.inner_text() and "Rent Help Now" not in hits.inner_text()
    assert not serious_violations(page), "refer page"
    with page.expect_navigation():
        page.get_by_test_id("choose-service").first.click()
    form = page.locator("#refer")
    assert form.get_by_label("Service name").input_value() == "Family Food Pantry"
    assert form.get_by_label("Email for referrals").input_value() == "intake@pantry.example"
    form.get_by_label("Caregiver who agreed").select_option(label="Lucía Ramírez")
    form.get_by_label("How they agreed").select_option("verbal")
    with page.expect_navigation():
        page.get_by_test_id("send-referral").click()
    assert page.get_by_test_id("referral-status").inner_text() == "Sent, waiting for an answer"
    assert not serious_violations(page), "referral page"


def _pantry_closes_the_loop(browser: Any, link: str) -> None:
    """The pantry, on a phone, accepts and then completes the referral through its link."""
    phone = browser.new_context(viewport=VIEWPORTS["phone"], locale="en-US").new_page()
    response = phone.goto(link)
    assert response.status == 200 and response.headers["cache-control"] == "no-store"
    body = phone.locator("main").inner_text()
    assert "Ana" in body and "Lucía Ramírez" in body and "Food" in body
    assert "Pablo" not in body and "PHQ" not in body and "Patient Health" not in body
    assert not serious_violations(phone), "organization's page on a phone"
    assert phone.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    with phone.expect_navigation():
        phone.get_by_test_id("choose-accepted").click()
    assert "Thank you" in phone.get_by_role("status").inner_text()
    assert phone.get_by_test_id("status").inner_text() == "Accepted"
    completed = phone.locator("form", has=phone.get_by_test_id("choose-completed"))
    completed.get_by_label("Outcome").select_option("service-provided")
    completed.get_by_label("Note for the clinic").fill("Groceries picked up on Friday")
    with phone.expect_navigation():
        phone.get_by_test_id("choose-completed").click()
    assert phone.get_by_test_id("status").inner_text() == "Completed"
    assert "This referral is closed" in phone.locator("main").inner_text()
    phone.context.close()


def test_a_closed_loop_referral(
    live_server: Any,
    browser: Any,
    world: ClinicWorld,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _positive_food_screen(world, django_capture_on_commit_callbacks)
    _directory(world, tmp_path)
    base = live_server.url
    page = browser.new_context(viewport=VIEWPORTS["workstation"], locale="en-US").new_page()
    _login(page, base, "family_partner-a")
    _refer(page, base, world)

    sent = mail.outbox[-1]
    assert sent.to == ["intake@pantry.example"] and "Ana" not in sent.body
    token = re.search(r"/r/([A-Za-z0-9_-]+)/", sent.body)
    assert token is not None
    _pantry_closes_the_loop(browser, f"{base}/r/{token.group(1)}/")

    assert world.child_a
    page.goto(f"{base}/c/{world.a.slug}/children/{world.child_a.pk}/")
    section = page.locator("#referrals")
    assert section.get_by_test_id("loop-closed").inner_text() == "Loop closed"
    assert "Completed" in section.inner_text() and "Service provided" in section.inner_text()
    page.goto(f"{base}/c/{world.a.slug}/children/{world.child_a.pk}/care/")
    assert page.locator("#referrals").get_by_test_id("loop-closed").is_visible()
    assert not serious_violations(page), "care page"
    with page.expect_navigation():
        page.locator("#referrals").get_by_role("link", name="Food").click()
    history = page.get_by_test_id("history-row").all_inner_texts()
    assert any(
        "the receiving organization, through its link" in h and "Groceries picked up" in h for h in history
    )
