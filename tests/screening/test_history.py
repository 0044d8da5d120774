"""Results over time (issue 9, item 6): the child page and the caregiver page show each
instrument's screens with the change between them, as the viewer may see them; the visit
report for the chart; query counts that do not grow with the number of results."""

from __future__ import annotations

import html
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dyadcare.families.models import Child
from dyadcare.instruments.internal import registry
from dyadcare.screening.internal.scoring import score_and_store
from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope, unscoped
from dyadcare.touchpoints.models import Visit
from tests import factories
from tests.factories import ClinicWorld, login
from tests.screening.conftest import mother

# PHQ-9 answers: total 5 (negative), then 14 (positive, no critical item).
MILD = [1, 1, 1, 1, 1, 0, 0, 0, 0]
MODERATE = [2, 2, 2, 2, 2, 2, 1, 1, 0]


def _phq9(world: ClinicWorld, visit: Visit, answers: list[int], when: datetime) -> ScreeningResult:
    with clinic_scope(world.a):
        scored = score_and_store(
            instrument=registry.get("phq9", clinic=world.a),
            answers=answers,
            visit=visit,
            caregiver=mother(visit),
            language="en",
            category="maternal-depression",
            scored_at=when,
        )
    return scored.result


def _two_screens(world: ClinicWorld) -> tuple[Child, Visit]:
    """Nina's mother screened with the PHQ-9 at two visits, a month apart."""
    today_visit = factories.two_month_visit(world)
    now = timezone.now()
    earlier = factories.visit(world.a, today_visit.child, when=now - timedelta(days=30), touchpoint="1m")
    _phq9(world, earlier, MILD, now - timedelta(days=30))
    _phq9(world, today_visit, MODERATE, now)
    return today_visit.child, today_visit


def _page(client: Client, world: ClinicWorld, role: str, url: str) -> str:
    login(client, world.staff_a[role])
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_specialist_sees_the_phq9_over_time_with_the_change(world: ClinicWorld, client: Client) -> None:
    child, _ = _two_screens(world)
    login(client, world.staff_a["dyadic_specialist"])
    response = client.get(f"/c/{world.a.slug}/children/{child.pk}/")
    history = response.context["history"]
    (series,) = history.series
    assert series.instrument_id == "phq9"
    assert [row.result.total for row in series.rows] == [5, 14]
    assert [row.change for row in series.rows] == [None, 9]
    body = response.content.decode()
    assert "up 9 since the last screen" in body
    assert "<svg" in body and 'aria-describedby="table-' in body and "<polyline" in body
    assert "Positive" in body


@pytest.mark.parametrize("role", ["front_desk", "billing", "family_partner"])
def test_without_the_psy_permission_only_the_need_for_follow_up_shows(
    world: ClinicWorld, client: Client, role: str
) -> None:
    child, _ = _two_screens(world)  # the positive PHQ-9 raised a follow-up flag
    body = _page(client, world, role, f"/c/{world.a.slug}/children/{child.pk}/")
    assert "PHQ" not in body and "since the last screen" not in body and "<svg" not in body
    assert "A screen needs a clinician's follow-up." in body


def test_the_caregiver_page_shows_her_own_screens_by_sensitivity(world: ClinicWorld, client: Client) -> None:
    _, visit = _two_screens(world)
    url = f"/c/{world.a.slug}/caregivers/{mother(visit).pk}/"
    body = _page(client, world, "pediatric_clinician", url)
    assert "PHQ-9" in body and "up 9 since the last screen" in body
    client.logout()
    body = _page(client, world, "family_partner", url)
    assert "PHQ" not in body and "follow-up" in body


def test_the_visit_report_is_audited_as_printed(world: ClinicWorld, client: Client) -> None:
    _, visit = _two_screens(world)
    body = _page(client, world, "dyadic_specialist", f"/c/{world.a.slug}/visits/{visit.pk}/report/")
    assert "PHQ-9" in body and "up 9 since the last screen" in body
    assert "Follow up" in body and "Printed by" in body
    with unscoped("test"):
        printed = AuditEvent.objects.filter(action="print", actor=world.staff_a["dyadic_specialist"])
        assert {e.object_type for e in printed} == {"touchpoints.visit", "screening.screeningresult"}
        assert printed.filter(object_type="screening.screeningresult").count() == 1  # this visit's only


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_the_results(world: ClinicWorld, client: Client) -> None:
    child, visit = _two_screens(world)
    caregiver = mother(visit)
    urls = {
        "child": f"/c/{world.a.slug}/children/{child.pk}/",
        "caregiver": f"/c/{world.a.slug}/caregivers/{caregiver.pk}/",
        "report": f"/c/{world.a.slug}/visits/{visit.pk}/report/",
    }
    login(client, world.staff_a["dyadic_specialist"])
    few = {name: _queries(client, url) for name, url in urls.items()}
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time(8, 0)))
    for n in range(10):
        when = start - timedelta(days=3 * (n + 1))
        _phq9(world, visit if n % 2 else factories.visit(world.a, child, when=when), MODERATE, when)
    many = {name: _queries(client, url) for name, url in urls.items()}
    assert many == few, (few, many)
