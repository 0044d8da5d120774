"""Issue 9: the clinic tablet cannot reach staff pages once it is handed to a family. Staff
press "Open on the tablet" on the visit page and hand it over: the staff session in that
browser ends; Back twice, the history and a typed staff address land on the login page,
never a staff page, never the clinic's child list."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.browser.conftest import serious_violations
from tests.factories import PASSWORD, ClinicWorld

TABLET = {"width": 1024, "height": 768}


@pytest.fixture(autouse=True)
def _no_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _assert_locked(page: Any, base: str, names: list[str]) -> None:
    """The page is the login page saying the tablet was handed over, and shows no family."""
    assert page.url.startswith(f"{base}/login/"), page.url
    assert page.get_by_role("heading", name="Log in to dyadcare").is_visible()
    assert page.locator("#handed-over").is_visible()
    text = page.content()
    for name in names:
        assert name not in text, f"{name} on the locked tablet ({page.url})"


def test_the_tablet_never_goes_back_to_staff_pages(
    live_server: Any, browser: Any, world: ClinicWorld
) -> None:
    base = live_server.url
    visit = factories.two_month_visit(world)
    other = factories.child(world.a, given_name="Otro", family_name="Zamora")
    factories.start_session(world, visit, ["cdc-milestones-2m"], by_role="front_desk")
    staff_urls = [
        f"{base}/c/{world.a.slug}/children/",
        f"{base}/c/{world.a.slug}/",
        f"{base}/c/{world.a.slug}/visits/{visit.pk}/screening/",
        f"{base}/c/{world.a.slug}/children/{visit.child.pk}/",
    ]
    names = ["Soto", other.family_name]

    context = browser.new_context(viewport=TABLET, locale="en-US")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(world.staff_a["front_desk"].username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(staff_urls[0])
    assert other.family_name in page.content(), "the child list is a staff page before the hand-over"
    page.goto(staff_urls[2])
    with page.expect_navigation():
        page.get_by_role("button", name="Open on the tablet").click()
    assert page.get_by_role("heading", name="Ready for the family").is_visible()
    assert "/f/" not in page.content(), "the family's link is not written into the staff page"
    assert not serious_violations(page), "tablet hand-over page"
    with page.expect_navigation():
        page.get_by_role("button", name="Log me out and start the questionnaire").click()
    assert "/f/" in page.url, page.url
    family_page = page.url

    # Back, then Back again: never a staff page.
    page.go_back()
    page.wait_for_load_state()
    _assert_locked(page, base, names)
    page.go_back()
    page.wait_for_load_state()
    _assert_locked(page, base, names)
    assert not serious_violations(page), "the locked tablet's login page"
    # Every staff address typed in, or reached from the history.
    for url in staff_urls:
        page.goto(url)
        _assert_locked(page, base, names)
    # Forward to the family's questionnaire still works for the family.
    page.goto(family_page)
    assert "/f/" in page.url and "/login/" not in page.url
    context.close()
