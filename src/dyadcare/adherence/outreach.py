"""Who is on the outreach list and why (the rule): children overdue for a touchpoint (past
its target date with no visit kept or booked in its window, and nothing booked ahead) or who
missed a visit (with nothing booked or kept since), each with their attempts since the need
began and the last of them.

``needs_of`` applies the rule to every child of the clinic in four queries (the children of
touchpoint age, their visits summed up per child by the database, the missed visits and the
outreach attempts of the lookback), or to one child. It is the only copy of the rule: the
list reads the stored needs (``needs.py``), which are its rows. The windows are computed in
Python once per date of birth (``touchpoints.schedule.windows``)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.db.models import Case, DateTimeField, F, Max, Q, When
from django.utils import timezone

from dyadcare.adherence.models import OutreachAttempt
from dyadcare.adherence.permissions import AdherencePerm
from dyadcare.families.models import Caregiver, Child
from dyadcare.tenancy.actor import Actor
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.schedule import Touchpoint, add_months, periodicity, windows
from dyadcare.touchpoints.selectors import day_bounds

# A missed visit stays on the list this long unless something is booked or kept after it;
# after that the child shows as overdue for their touchpoint instead (if they are).
MISSED_LOOKBACK_DAYS = 270
KEPT = (Visit.Status.SCHEDULED, Visit.Status.ARRIVED, Visit.Status.COMPLETED)


@dataclass
class OutreachRow:
    child_id: uuid.UUID
    reason: str  # "overdue" or "missed"
    since: date  # the touchpoint's target date, or the missed visit's day
    touchpoint: Touchpoint | None = None
    missed_visit_id: uuid.UUID | None = None
    child: Child | None = None
    caregiver: Caregiver | None = None
    last_attempt: OutreachAttempt | None = None
    attempts: int = 0


@lru_cache(maxsize=4096)
def _current_window(dob: date, today: date) -> tuple[Touchpoint, date, datetime] | None:
    """The touchpoint whose window holds ``today``, its target date and the window's first
    moment (local midnight), once per date of birth."""
    for point, target, start, end in windows(dob):
        if start <= today <= end:
            return point, target, day_bounds(start)[0]
    return None


@dataclass(frozen=True)
class _Visits:
    """One child's visits, summed up by the database (one row per child)."""

    kept_past: datetime | None  # the latest visit kept or booked, up to today
    kept_last: datetime | None  # the latest visit kept or booked, whenever
    ahead: datetime | None  # a visit booked from today on
    missed_last: datetime | None  # the latest missed visit


def _visits_by_child(since: date, today: date, **only: object) -> dict[uuid.UUID, _Visits]:
    start_today, tomorrow = day_bounds(today)
    kept = Q(status__in=KEPT)

    def latest(condition: Q) -> Max:
        return Max(Case(When(condition, then=F("scheduled_for")), output_field=DateTimeField()))

    rows = (
        Visit.objects.filter(
            scheduled_for__gte=day_bounds(since)[0], status__in=(*KEPT, Visit.Status.MISSED), **only
        )
        .values("child_id")
        .annotate(
            kept_past=latest(kept & Q(scheduled_for__lt=tomorrow)),
            kept_last=latest(kept),
            ahead=latest(Q(status=Visit.Status.SCHEDULED, scheduled_for__gte=start_today)),
            missed_last=latest(Q(status=Visit.Status.MISSED)),
        )
        .values_list("child_id", "kept_past", "kept_last", "ahead", "missed_last")
        .order_by()
    )
    return {row[0]: _Visits(*row[1:]) for row in rows}


def _rows(today: date, child_id: uuid.UUID | None = None) -> list[OutreachRow]:
    """Every child to reach (or only ``child_id``), unsorted."""
    oldest = add_months(today, -periodicity().last_window_end_months)
    only: dict[str, object] = {"child_id": child_id} if child_id else {}
    children = Child.objects.filter(
        merged_into__isnull=True, date_of_birth__gt=oldest, **({"pk": child_id} if child_id else {})
    ).values_list("id", "date_of_birth")
    back = min(add_months(today, -9), today - timedelta(days=MISSED_LOOKBACK_DAYS))
    visits = _visits_by_child(back, today, **only)
    recent = day_bounds(today - timedelta(days=MISSED_LOOKBACK_DAYS))[0]
    empty = _Visits(None, None, None, None)
    rows: list[OutreachRow] = []
    for child_id, dob in children:
        seen = visits.get(child_id, empty)
        missed = seen.missed_last
        if missed and missed >= recent and not _kept_after(seen.kept_last, missed):
            rows.append(OutreachRow(child_id, "missed", timezone.localtime(missed).date()))
            continue
        window = _current_window(dob, today)
        if window is None or seen.ahead:
            continue
        point, target, start = window
        if today > target and (seen.kept_past is None or seen.kept_past < start):
            rows.append(OutreachRow(child_id, "overdue", target, touchpoint=point))
    return rows


def _kept_after(kept: datetime | None, missed: datetime) -> bool:
    """A visit kept or booked on a later day than the missed one."""
    return kept is not None and timezone.localtime(kept).date() > timezone.localtime(missed).date()


def attach_attempts(rows: list[OutreachRow], **only: object) -> None:
    """Each row's attempts since its need began (from 30 days before it) and the newest of
    them: one query of the attempts of that time (``only``: of one child)."""
    attempts: dict[uuid.UUID, list[OutreachAttempt]] = defaultdict(list)
    since = timezone.now() - timedelta(days=MISSED_LOOKBACK_DAYS + 90)
    recent = OutreachAttempt.objects.filter(created_at__gte=since, **only).order_by("-created_at")
    # Only what the list shows or filters on (a note is read on the child's own page).
    for attempt in recent.only("id", "child_id", "created_at", "kind", "outcome", "made_by_id"):
        attempts[attempt.child_id].append(attempt)
    for row in rows:
        tried = [
            a
            for a in attempts.get(row.child_id, [])
            if timezone.localtime(a.created_at).date() >= row.since - timedelta(days=30)
        ]
        row.attempts = len(tried)
        row.last_attempt = tried[0] if tried else None


def fill_missed(rows: list[OutreachRow], today: date, **only: object) -> None:
    """The missed visit of each missed row: one query of the missed visits of the lookback
    (``only``: of one child)."""
    if not any(r.reason == "missed" for r in rows):
        return
    recent = day_bounds(today - timedelta(days=MISSED_LOOKBACK_DAYS))[0]
    latest: dict[uuid.UUID, uuid.UUID] = {}
    for child_id, visit_id in (
        Visit.objects.filter(status=Visit.Status.MISSED, scheduled_for__gte=recent, **only)
        .order_by("-scheduled_for")
        .values_list("child_id", "id")
    ):
        latest.setdefault(child_id, visit_id)
    for row in rows:
        if row.reason == "missed":
            row.missed_visit_id = latest.get(row.child_id)


def needs_of(today: date, child_id: uuid.UUID | None = None) -> list[OutreachRow]:
    """Every child of the clinic to reach on ``today`` (or only ``child_id``), unsorted, each
    with its missed visit and attempts: the one rule, in four queries whatever the number of
    children. The stored needs (``needs.py``) are copies of its rows."""
    rows = _rows(today, child_id)
    only: dict[str, object] = {"child_id": child_id} if child_id else {}
    fill_missed(rows, today, **only)
    attach_attempts(rows, **only)
    return rows


@dataclass
class ChildOutreach:
    need: OutreachRow | None  # why the child is on the list now (None: not on it)
    attempts: list[OutreachAttempt]


def child_outreach(*, actor: Actor, child: Child) -> ChildOutreach:
    """Why one child is on the outreach list now, and every attempt, newest first (read with
    the child, whose opening the caller audits)."""
    actor.require(AdherencePerm.OUTREACH)
    rows = needs_of(timezone.localdate(), child.pk)
    attempts = list(OutreachAttempt.objects.filter(child=child).select_related("made_by", "missed_visit"))
    return ChildOutreach(need=rows[0] if rows else None, attempts=attempts)
