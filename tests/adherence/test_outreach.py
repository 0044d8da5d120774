"""The outreach list: who is on it and why, logging attempts (a call that books the visit),
the page's filters and paging, and its query count whatever the number of children."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dyadcare.adherence import selectors, services
from dyadcare.adherence.models import OutreachAttempt
from dyadcare.adherence.tasks import refresh_every_clinic
from dyadcare.families.models import Child
from dyadcare.tenancy.models import AuditEvent, Clinic
from dyadcare.tenancy.scope import clinic_scope, unscoped
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.schedule import add_months
from tests import factories
from tests.factories import ClinicWorld, login


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _kid(clinic: Clinic, months: int, days: int = 0, **fields: object) -> Child:
    """A child ``months`` (and ``days``) old today."""
    dob = add_months(timezone.localdate(), -months) - timedelta(days=days)
    return factories.child(clinic, date_of_birth=dob, **fields)


def _listed(world: ClinicWorld, **filters: str) -> dict[object, str]:
    with clinic_scope(world.a):
        result = selectors.outreach_list(actor=factories.staff_actor(world, "front_desk"), **filters)
    return {row.child_id: row.reason for row in result.page.object_list}


def test_who_is_on_the_list_and_why(world: ClinicWorld) -> None:
    today = timezone.localdate()
    overdue = _kid(world.a, 9, 10)  # 10 days past the 9-month target, nothing booked
    not_yet = _kid(world.a, 8, 20)  # in the 9-month window, before its target
    booked = _kid(world.a, 9, 10)
    factories.visit(world.a, booked, when=_at(today + timedelta(days=3)))
    kept = _kid(world.a, 9, 10)
    factories.visit(world.a, kept, when=_at(today - timedelta(days=5)), status="completed")
    missed = _kid(world.a, 6, 3)
    missed_visit = factories.visit(world.a, missed, when=_at(today - timedelta(days=3)), status="missed")
    rebooked = _kid(world.a, 6, 3)
    factories.visit(world.a, rebooked, when=_at(today - timedelta(days=3)), status="missed")
    factories.visit(world.a, rebooked, when=_at(today + timedelta(days=4)))
    old = _kid(world.a, 44)  # past the schedule
    elsewhere = _kid(world.b, 9, 10)  # another clinic's
    listed = _listed(world)
    assert listed.get(overdue.pk) == "overdue" and listed.get(missed.pk) == "missed"
    for absent in (not_yet, booked, kept, rebooked, old, elsewhere):
        assert absent.pk not in listed
    assert set(_listed(world, reason="missed")) == {missed.pk}
    with clinic_scope(world.a):
        row = selectors.child_outreach(actor=factories.staff_actor(world, "front_desk"), child=missed).need
    assert row is not None and row.missed_visit_id == missed_visit.pk


def test_logging_attempts_and_a_call_that_books(world: ClinicWorld) -> None:
    kid = _kid(world.a, 9, 10)
    actor = factories.staff_actor(world, "front_desk")
    with clinic_scope(world.a):
        services.outreach_log(actor=actor, child=kid, reason="overdue", kind="call", outcome="no_answer")
    assert set(_listed(world, contact="tried")) >= {kid.pk} and kid.pk not in _listed(world, contact="none")
    with clinic_scope(world.a):
        with pytest.raises(ValidationError, match="day and time"):
            services.outreach_log(actor=actor, child=kid, reason="overdue", kind="call", outcome="booked")
        with pytest.raises(ValidationError, match="has not passed"):
            services.outreach_log(
                actor=actor,
                child=kid,
                reason="overdue",
                kind="call",
                outcome="booked",
                book_at=timezone.now() - timedelta(hours=2),
            )
        with pytest.raises(ValidationError):
            services.outreach_log(actor=actor, child=kid, reason="overdue", kind="fax", outcome="reached")
        services.outreach_log(
            actor=actor,
            child=kid,
            reason="overdue",
            kind="call",
            outcome="booked",
            note="Tuesday works",
            book_at=_at(timezone.localdate() + timedelta(days=6), 9),
        )
        attempts = selectors.child_outreach(actor=actor, child=kid).attempts
        assert [a.outcome for a in attempts] == ["booked", "no_answer"]
        assert attempts[0].made_by == world.staff_a["front_desk"] and attempts[0].touchpoint == ""
        assert Visit.objects.filter(child=kid, status="scheduled").count() == 1
        assert OutreachAttempt.objects.count() == 2  # the refused ones wrote nothing
    assert kid.pk not in _listed(world)
    with unscoped("test check"):
        assert (
            AuditEvent.objects.filter(action="adherence.outreach_logged", object_id=str(kid.pk)).count() == 2
        )


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_page_filters_pages_and_keeps_its_query_count(world: ClinicWorld, client: Client) -> None:
    login(client, world.staff_a["front_desk"])
    url = f"/c/{world.a.slug}/outreach/"
    actor = factories.staff_actor(world, "front_desk")
    for n in range(3):
        kid = _kid(world.a, 9, 10 + n)
        if n == 0:  # a missed child on the page from the start (its missed visit is one query)
            factories.visit(world.a, kid, when=_at(timezone.localdate() - timedelta(days=2)), status="missed")
        with clinic_scope(world.a):
            services.outreach_log(
                actor=actor, child=kid, reason="overdue", kind="text", outcome="left_message"
            )
    refresh_every_clinic()  # the worker's daily refresh (the page would otherwise do it once)
    few = _count_queries(client, url)
    for n in range(40):
        kid = _kid(world.a, 12, 5 + n % 20)
        factories.caregiver(world.a, for_child=kid)
        if n % 2:
            factories.visit(world.a, kid, when=_at(timezone.localdate() - timedelta(days=2)), status="missed")
        with clinic_scope(world.a):
            services.outreach_log(actor=actor, child=kid, reason="overdue", kind="call", outcome="no_answer")
    many = _count_queries(client, url)
    assert many == few, (few, many)
    print("outreach page queries", few, many)
    page = client.get(url)
    assert page.content.count(b"data-child=") == 25 and b"Page 1 of 2" in page.content
    second = client.get(url + "?page=2")
    assert second.status_code == 200 and second.content.count(b"data-child=") == 43 - 25
    missed = client.get(url + "?reason=missed")
    assert missed.content.count(b"data-child=") == 21
    assert client.get(url + "?reason=nonsense").status_code == 400
    assert client.get(url + "?page=x").status_code == 400
    billing = login(Client(), world.staff_a["billing"])
    assert billing.get(url).status_code == 403
