"""The stored outreach needs: the list reads one page of them whatever the clinic's size, the
visit, family and attempt events keep a child's row current, the daily refresh moves a child
onto the list when a target date passes, and another clinic's rows are never listed."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dyadcare.adherence import selectors, services
from dyadcare.adherence.models import OutreachNeed, OutreachRefresh
from dyadcare.adherence.needs import needs_refresh
from dyadcare.adherence.tasks import refresh_every_clinic
from dyadcare.families import services as family_services
from dyadcare.families.models import Child
from dyadcare.tenancy.models import Clinic
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints import services as visit_services
from dyadcare.touchpoints.schedule import add_months, windows
from tests import factories
from tests.clock import Clock, clock_fixture  # noqa: F401  (the clock fixture)
from tests.factories import ClinicWorld

Commits = Callable[..., AbstractContextManager[Any]]


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _kid(clinic: Clinic, months: int, days: int = 0) -> Child:
    """A child ``months`` (and ``days``) old today."""
    dob = add_months(timezone.localdate(), -months) - timedelta(days=days)
    return factories.child(clinic, date_of_birth=dob)


def _listed(world: ClinicWorld, **filters: Any) -> dict[object, str]:
    with clinic_scope(world.a):
        result = selectors.outreach_list(actor=factories.staff_actor(world, "front_desk"), **filters)
    return {row.child_id: row.reason for row in result.page.object_list}


def _due_today(clinic: Clinic) -> Child:
    """A child with a touchpoint's target date today (overdue from tomorrow)."""
    today = timezone.localdate()
    for days in range(200, 400):
        dob = today - timedelta(days=days)
        if any(target == today for _point, target, _s, _e in windows(dob)):
            return factories.child(clinic, date_of_birth=dob)
    raise AssertionError("no date of birth puts a target date today")


def _need(clinic: Clinic, child: Child) -> OutreachNeed | None:
    with clinic_scope(clinic):
        return OutreachNeed.objects.filter(child=child).first()


def _clinic_of(world: ClinicWorld, children: int) -> None:
    """``children`` more children in clinic A: a third overdue, a third who missed a visit
    (half of them tried), a third not due; then the daily refresh."""
    today = timezone.localdate()
    actor = factories.staff_actor(world, "front_desk")
    for n in range(children):
        kid = _kid(world.a, (9, 6, 8)[n % 3], 10 + n % 15)
        factories.caregiver(world.a, for_child=kid)
        if n % 3 == 1:
            factories.visit(world.a, kid, when=_at(today - timedelta(days=1 + n % 20)), status="missed")
            if n % 2:
                with clinic_scope(world.a):
                    services.outreach_log(
                        actor=actor, child=kid, reason="missed", kind="call", outcome="no_answer"
                    )
    with clinic_scope(world.a):
        needs_refresh(clinic=world.a)


def _page_queries(world: ClinicWorld, **filters: Any) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        _listed(world, **filters)
    return [q["sql"] for q in queries.captured_queries]


FILTERS: tuple[dict[str, str], ...] = ({}, {"reason": "missed", "contact": "tried"}, {"contact": "none"})


def test_the_list_reads_the_same_queries_for_ten_times_the_children(world: ClinicWorld) -> None:
    _clinic_of(world, 30)
    small = [_page_queries(world, **filters) for filters in FILTERS]
    assert len(_listed(world)) == 20  # 10 overdue and 10 missed: one page
    _clinic_of(world, 270)
    with clinic_scope(world.a):
        assert OutreachNeed.objects.filter(reason="overdue").count() == 100
        assert OutreachNeed.objects.filter(reason="missed", contact="tried").count() == 50
    large = [_page_queries(world, **filters) for filters in FILTERS]
    assert [len(q) for q in large] == [len(q) for q in small], (small, large)
    assert len(_listed(world)) == 25 and len(_listed(world, reason="missed", contact="tried")) == 25
    # The page reads its rows with a limit (one page), not the clinic's children.
    (page,) = [sql for sql in large[0] if '"adherence_outreachneed"' in sql and "LIMIT" in sql]
    assert "LIMIT 25" in page and '"families_child"' in page
    assert not any('FROM "families_child"' in sql for sql in large[0])
    assert not any('FROM "touchpoints_visit"' in sql for sql in large[0])


def test_visit_and_attempt_events_keep_the_childs_row(
    world: ClinicWorld, django_capture_on_commit_callbacks: Commits
) -> None:
    today = timezone.localdate()
    kid = _kid(world.a, 9, 10)  # 10 days past the 9-month target, nothing booked
    actor = factories.staff_actor(world, "front_desk")
    with clinic_scope(world.a):
        needs_refresh(clinic=world.a)
    need = _need(world.a, kid)
    assert need is not None and need.reason == "overdue" and need.contact == "none"
    with django_capture_on_commit_callbacks(execute=True), clinic_scope(world.a):
        services.outreach_log(actor=actor, child=kid, reason="overdue", kind="call", outcome="no_answer")
    need = _need(world.a, kid)
    assert need is not None and need.contact == "tried" and need.attempts == 1
    assert kid.pk in _listed(world, contact="tried") and kid.pk not in _listed(world, contact="none")
    # Booked (a visit this afternoon): off the list, through touchpoints' event after commit.
    with django_capture_on_commit_callbacks(execute=True) as callbacks, clinic_scope(world.a):
        visit = visit_services.visit_schedule(actor=actor, child=kid, scheduled_for=timezone.now())
    assert callbacks and _need(world.a, kid) is None and kid.pk not in _listed(world)
    # The visit was not kept: back on the list, as a missed visit.
    with django_capture_on_commit_callbacks(execute=True), clinic_scope(world.a):
        visit_services.visit_mark_missed(actor=actor, visit=visit)
    need = _need(world.a, kid)
    assert need is not None and need.reason == "missed" and need.since == today
    # The call of a few minutes before counts for the new need too (from 30 days before it).
    assert need.missed_visit_id == visit.pk and need.contact == "tried" and need.attempts == 1
    assert _listed(world, reason="missed") == {kid.pk: "missed"}
    # Rebooked for next week: off the list again.
    with django_capture_on_commit_callbacks(execute=True), clinic_scope(world.a):
        visit_services.visit_schedule(actor=actor, child=kid, scheduled_for=_at(today + timedelta(days=7)))
    assert _need(world.a, kid) is None


def test_a_rolled_back_change_leaves_the_row_and_a_child_edit_moves_it(
    world: ClinicWorld, django_capture_on_commit_callbacks: Commits
) -> None:
    kid = _kid(world.a, 8, 20)  # in the 9-month window, before its target date
    with clinic_scope(world.a):
        needs_refresh(clinic=world.a)
    assert _need(world.a, kid) is None
    # The date of birth corrected (ten days earlier): now past the target, through families' event.
    kid.date_of_birth -= timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True), clinic_scope(world.a):
        family_services.child_save(
            actor=factories.staff_actor(world, "clinic_admin"), child=kid, changed=["date_of_birth"]
        )
    need = _need(world.a, kid)
    assert need is not None and need.reason == "overdue" and need.touchpoint == "9m"
    # Without a commit (the callbacks never run) nothing changes.
    with django_capture_on_commit_callbacks(execute=False), clinic_scope(world.a):
        visit_services.visit_schedule(
            actor=factories.staff_actor(world, "front_desk"), child=kid, scheduled_for=timezone.now()
        )
    assert _need(world.a, kid) is not None


def test_the_daily_refresh_moves_a_child_onto_the_list(world: ClinicWorld, clock: Clock) -> None:
    kid = _due_today(world.a)  # not overdue yet
    elsewhere = _kid(world.b, 9, 10)  # another clinic's child, overdue
    assert refresh_every_clinic() >= 1
    assert _need(world.a, kid) is None and kid.pk not in _listed(world)
    assert refresh_every_clinic() == 0  # refreshed today already: nothing done
    clock.advance(days=1)
    refresh_every_clinic()  # the worker's first sweep of the next day
    need = _need(world.a, kid)
    assert need is not None and need.reason == "overdue" and need.computed_on == timezone.localdate()
    with clinic_scope(world.a):
        assert OutreachRefresh.objects.get().refreshed_on == timezone.localdate()
    assert kid.pk in _listed(world)
    # Another clinic's rows are stored in its own scope and never listed here.
    assert _need(world.b, elsewhere) is not None and _need(world.a, elsewhere) is None
    assert elsewhere.pk not in _listed(world) and elsewhere.pk not in _listed(world, reason="overdue")


def test_a_day_without_the_refresh_is_refreshed_by_the_list(world: ClinicWorld, clock: Clock) -> None:
    kid = _due_today(world.a)
    refresh_every_clinic()
    assert kid.pk not in _listed(world)
    clock.advance(days=1)  # no worker ran: the list refreshes the clinic before reading it
    assert _listed(world) == {kid.pk: "overdue"}
    with clinic_scope(world.a):
        assert OutreachRefresh.objects.get().refreshed_on == timezone.localdate()


def test_a_merge_leaves_one_row_for_the_child_kept(
    world: ClinicWorld, django_capture_on_commit_callbacks: Commits
) -> None:
    survivor, retired = _kid(world.a, 9, 10), _kid(world.a, 9, 10)
    factories.visit(world.a, retired, when=_at(timezone.localdate() - timedelta(days=2)), status="missed")
    with clinic_scope(world.a):
        needs_refresh(clinic=world.a)
    assert _need(world.a, survivor) is not None and _need(world.a, retired) is not None
    # The needs stay on their records (each child has one) and are worked out again.
    with django_capture_on_commit_callbacks(execute=True), clinic_scope(world.a):
        family_services.child_merge(
            actor=factories.staff_actor(world, "clinic_admin"),
            survivor=survivor,
            retired=retired,
            reason="same",
        )
    need = _need(world.a, survivor)
    assert need is not None and need.reason == "missed"  # the retired record's missed visit moved
    assert _need(world.a, retired) is None
