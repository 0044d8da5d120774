"""Issue 9, in a browser: a dyadic specialist enters a mother's paper EPDS at today's visit,
a month after an earlier EPDS, and sees both on the child's page over time, with the change
between them, in a table and a small chart whose text alternative is the table; the same on
the mother's page; the visit report prints without the page's buttons. axe finds no serious
or critical violation."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dyadcare.instruments.internal import registry
from dyadcare.screening.internal.scoring import score_and_store
from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.scope import clinic_scope, unscoped
from dyadcare.touchpoints.schedule import add_months
from tests import factories
from tests.browser.conftest import serious_violations
from tests.factories import PASSWORD, ClinicWorld
from tests.screening.conftest import mother

DESK = {"width": 1366, "height": 900}


@pytest.fixture(autouse=True)
def _quiet_queue(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _click(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()


def _earlier_epds(world: ClinicWorld) -> tuple[Any, float]:
    """Nina (2 months) and her mother Marta, who answered an EPDS at the 1-month visit."""
    today = timezone.localdate()
    baby = factories.child(
        world.a, given_name="Nina", family_name="Soto", date_of_birth=add_months(today, -2)
    )
    factories.caregiver(world.a, for_child=baby, given_name="Marta", family_name="Soto")
    month_ago = timezone.now() - timedelta(days=30)
    earlier = factories.visit(world.a, baby, when=month_ago, touchpoint="1m")
    with clinic_scope(world.a):
        scored = score_and_store(
            instrument=registry.get("epds", clinic=world.a),
            answers=[1, 1, 3, 0, 2, 3, 3, 3, 3, 3],  # option positions; 3 and 5-10 are reverse-keyed
            visit=earlier,
            caregiver=mother(earlier),
            language="en",
            category="maternal-depression",
            scored_at=month_ago,
        )
    assert scored.result.total is not None
    today_visit = factories.visit(
        world.a, baby, when=timezone.make_aware(datetime.combine(today, time(10))), touchpoint="2m"
    )
    return today_visit, scored.result.total


def test_a_specialist_sees_the_mothers_epds_over_time(
    live_server: Any, browser: Any, world: ClinicWorld
) -> None:
    visit, first_total = _earlier_epds(world)
    context = browser.new_context(viewport=DESK, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("dyadic_specialist-a")
    page.get_by_label("Password").fill(PASSWORD)
    _click(page, page.locator("main").get_by_role("button", name="Log in"))

    # Today's EPDS on paper, item by item.
    page.goto(f"{live_server.url}/c/{world.a.slug}/visits/{visit.pk}/screening/enter/epds/")
    for n in range(1, 11):
        item = page.get_by_role("group", name=f"Item {n}", exact=True)
        item.get_by_role("radio", name=re.compile(r"^Option 3 ")).check()
    page.get_by_role("radio", name=re.compile(r"^Marta Soto")).check()
    page.get_by_role("group", name=re.compile("^Language of the form")).get_by_role(
        "radio", name="English"
    ).check()
    _click(page, page.get_by_role("button", name="Score and save"))
    with unscoped("test reads the result"):
        second_total = ScreeningResult.objects.get(visit=visit, instrument_id="epds").total
    assert second_total is not None and second_total > first_total
    change = f"up {second_total - first_total:g} since the last screen"

    # The child's page: the EPDS over time, its table and its chart.
    page.goto(f"{live_server.url}/c/{world.a.slug}/children/{visit.child_id}/")
    history = page.locator("section", has=page.get_by_role("heading", name="Results over time"))
    series = history.locator("article", has=page.get_by_role("heading", name=re.compile("Edinburgh")))
    rows = series.locator("tbody tr")
    assert rows.count() == 2
    assert "first screen" in rows.nth(0).inner_text()
    assert change in rows.nth(1).inner_text() and f"{second_total:g}" in rows.nth(1).inner_text()
    chart = series.get_by_role("img", name=re.compile(r"total scores of 2 screens"))
    assert chart.count() == 1 and chart.locator("circle").count() == 2
    table_id = series.locator("table").get_attribute("id")
    assert chart.get_attribute("aria-describedby") == table_id, "the table is the chart's description"
    assert not serious_violations(page), "child page with results over time"

    # The mother's page: her own screens, the same series.
    page.get_by_role("link", name="Marta Soto", exact=True).click()
    page.wait_for_load_state()
    own = page.locator("section", has=page.get_by_role("heading", name="Own screens over time"))
    assert change in own.inner_text()
    assert not serious_violations(page), "caregiver page with her own screens"

    # The visit report for the chart, printed: no buttons, the results and the change.
    page.goto(f"{live_server.url}/c/{world.a.slug}/visits/{visit.pk}/report/")
    assert not serious_violations(page), "visit report"
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Print").is_visible()
    assert change in page.locator("main").inner_text()
    context.close()
