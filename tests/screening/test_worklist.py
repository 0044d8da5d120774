"""The alerts page as a worklist (issue 9, item 7): filters, most urgent and newest first,
paging, an owner assigned by a service with audit, the huddle's links into it, clear
messages for bad filters, and query counts that do not grow with the flags."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dyadcare.screening.models import Flag, ScreeningResult
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import unscoped
from tests import factories
from tests.factories import ClinicWorld, login


def _flag(
    world: ClinicWorld,
    *,
    severity: str = Flag.Severity.FOLLOW_UP,
    raised: datetime | None = None,
    instrument: str = "phq9",
    category: str = "maternal-depression",
    labels: tuple[str, ...] = ("PSY",),
    reason: str = "PHQ-9: positive",
    child: object = None,
) -> Flag:
    assert world.visit_a
    when = raised or timezone.now()
    visit = world.visit_a if child is None else factories.visit(world.a, child)
    with unscoped("test data"):
        result = ScreeningResult.objects.create(
            clinic=world.a,
            visit=visit,
            child=visit.child,
            instrument_id=instrument,
            category=category,
            respondent="caregiver-self",
            answers=[],
            total=12,
            positive=True,
            sensitivity=list(labels),
            scored_at=when,
        )
        return Flag.objects.create(
            clinic=world.a,
            result=result,
            visit=visit,
            child=visit.child,
            severity=severity,
            reason=reason,
            raised_at=when,
        )


def _items(client: Client, world: ClinicWorld, query: str = "") -> list[Flag]:
    response = client.get(f"/c/{world.a.slug}/alerts/{query}")
    assert response.status_code == 200, response.content.decode()[:500]
    return [item.flag for item in response.context["items"]]


def test_most_urgent_and_newest_first(world: ClinicWorld, client: Client) -> None:
    now = timezone.now()
    old_follow_up = _flag(world, raised=now - timedelta(days=9))
    new_follow_up = _flag(world, raised=now - timedelta(hours=1))
    closed = _flag(world, raised=now)
    with unscoped("test data"):
        Flag.objects.filter(pk=closed.pk).update(
            resolved_at=now, resolved_by=world.staff_a["dyadic_specialist"]
        )
    login(client, world.staff_a["dyadic_specialist"])
    shown = _items(client, world)
    assert shown == [world.flag_a, new_follow_up, old_follow_up], "open only, the safety alert first"
    assert _items(client, world, "?status=all")[-1] == closed
    assert _items(client, world, "?status=closed") == [closed]


def test_filters(world: ClinicWorld, client: Client) -> None:
    now = timezone.now()
    other_child = factories.child(world.a, given_name="Leo")
    social = _flag(world, instrument="ahc-hrsn", category="family-needs", labels=("SOC",), reason="Food")
    week_ago = _flag(world, raised=now - timedelta(days=7))
    leo = _flag(world, child=other_child)
    login(client, world.staff_a["dyadic_specialist"])
    assert _items(client, world, "?kind=alert") == [world.flag_a]
    assert set(_items(client, world, "?kind=follow_up")) == {social, week_ago, leo}
    day = (timezone.localtime(now) - timedelta(days=7)).date().isoformat()
    assert _items(client, world, f"?since={day}&until={day}") == [week_ago]
    assert _items(client, world, "?category=family-needs") == [social]
    assert _items(client, world, f"?child={other_child.pk}") == [leo]
    assert _items(client, world, "?mine=on") == []


def test_a_family_partner_sees_no_sensitive_reason_and_no_hidden_category(
    world: ClinicWorld, client: Client
) -> None:
    _flag(world, reason="PHQ-9: positive")
    social = _flag(
        world, instrument="ahc-hrsn", category="family-needs", labels=("SOC",), reason="Food insecurity"
    )
    login(client, world.staff_a["family_partner"])
    body = html.unescape(client.get(f"/c/{world.a.slug}/alerts/").content.decode())
    assert "PHQ" not in body and "critical answer" not in body
    assert "A screen needs a clinician's follow-up." in body and "Food insecurity" in body
    assert _items(client, world, "?category=maternal-depression") == []
    assert _items(client, world, "?category=family-needs") == [social]


def test_bad_filters_answer_400_with_a_message(world: ClinicWorld, client: Client) -> None:
    login(client, world.staff_a["dyadic_specialist"])
    for query, message in (
        ("?status=zzz", "Select a valid choice"),
        ("?since=31/31/2020", "Enter a valid date"),
        ("?child=not-a-child", "Enter a valid UUID"),
        ("?since=2026-03-02&until=2026-03-01", "The end date is before the start date."),
        ("?category=nonsense", "Select a valid choice"),
    ):
        response = client.get(f"/c/{world.a.slug}/alerts/{query}")
        assert response.status_code == 400, query
        assert (
            "These filters cannot be used" in response.content.decode()
            and message in response.content.decode()
        )
    assert client.get(f"/c/{world.a.slug}/alerts/?page=zzz").status_code == 200


def test_paging_and_constant_queries(world: ClinicWorld, client: Client) -> None:
    login(client, world.staff_a["dyadic_specialist"])
    for n in range(4):
        _flag(world, raised=timezone.now() - timedelta(minutes=n))
    url = f"/c/{world.a.slug}/alerts/"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(40):
        _flag(world, raised=timezone.now() - timedelta(hours=n + 1))
    with CaptureQueriesContext(connection) as many:
        first = client.get(url)
    assert len(many) == len(few), (len(few), len(many))
    assert len(first.context["items"]) == 25 and first.context["page"].paginator.count == 45
    second = client.get(url, {"page": "2"})
    assert len(second.context["items"]) == 20
    assert not {i.flag.pk for i in first.context["items"]} & {i.flag.pk for i in second.context["items"]}


def test_assigning_an_owner(world: ClinicWorld, client: Client) -> None:
    assert world.flag_a and world.admin_b
    url = f"/c/{world.a.slug}/flags/{world.flag_a.pk}/assign/"
    specialist = world.staff_a["dyadic_specialist"]
    login(client, world.staff_a["front_desk"])
    assert client.post(url, {"owner": str(specialist.pk)}).status_code == 403
    login(client, world.staff_a["pediatric_clinician"])
    refused = client.post(url, {"owner": str(world.admin_b.pk)}, follow=True)
    assert "Choose a staff member of this clinic." in refused.content.decode()
    assert "Choose a staff member" in client.post(url, {"owner": "zzz"}, follow=True).content.decode()
    client.post(url, {"owner": str(specialist.pk)})
    with unscoped("test"):
        assert Flag.objects.get(pk=world.flag_a.pk).owner == specialist
        entry = AuditEvent.objects.get(action="screening.flag_assigned")
        assert entry.actor == world.staff_a["pediatric_clinician"] and str(specialist.pk) in entry.summary
    login(client, specialist)
    assert _items(client, world, "?mine=on") == [world.flag_a]
    client.post(url, {"owner": ""})
    assert _items(client, world, "?mine=on") == []


def test_the_huddle_links_each_childs_alerts_into_the_worklist(world: ClinicWorld, client: Client) -> None:
    assert world.child_a
    login(client, world.staff_a["front_desk"])
    body = client.get(f"/c/{world.a.slug}/huddle/").content.decode()
    link = f"/c/{world.a.slug}/alerts/?child={world.child_a.pk}&amp;kind=alert"
    assert link in body
    assert _items(client, world, html.unescape(link[len(f"/c/{world.a.slug}/alerts/") :])) == [world.flag_a]
