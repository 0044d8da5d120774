"""The outreach list: children overdue for a touchpoint (past its target date with no visit
kept or booked in its window, and nothing booked ahead) or who missed a visit (with nothing
booked or kept since), each with the last outreach attempt.

A fixed number of queries whatever the number of children: the clinic's children of
touchpoint age (one query), their visits since the earliest window or missed visit that can
matter (one), the outreach attempts of that time (one), then for the page only the children,
their primary caregivers and the attempts' staff (three). The windows are computed in Python
once per date of birth (``touchpoints.schedule.windows``)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.core.paginator import Page, Paginator
from django.utils import timezone

from dyadcare.adherence.models import OutreachAttempt
from dyadcare.adherence.permissions import AdherencePerm
from dyadcare.families.models import Caregiver, CareRelationship, Child
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.schedule import Touchpoint, add_months, periodicity, windows
from dyadcare.touchpoints.selectors import day_bounds

PAGE_SIZE = 25
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


@dataclass
class OutreachList:
    page: Page[OutreachRow]
    total: int
    counts: dict[str, int]


@lru_cache(maxsize=4096)
def _current_window(dob: date, today: date) -> tuple[Touchpoint, date, date, date] | None:
    return next((w for w in windows(dob) if w[2] <= today <= w[3]), None)


@dataclass
class _Visits:
    kept_days: list[date]
    booked_ahead: bool
    last_missed: tuple[date, uuid.UUID] | None


def _visits_by_child(since: date, today: date, **only: object) -> dict[uuid.UUID, _Visits]:
    by_child: dict[uuid.UUID, _Visits] = defaultdict(lambda: _Visits([], False, None))
    rows = Visit.objects.filter(
        scheduled_for__gte=day_bounds(since)[0], status__in=(*KEPT, Visit.Status.MISSED), **only
    ).values_list("child_id", "scheduled_for", "status", "id")
    for child_id, when, status, visit_id in rows:
        entry = by_child[child_id]
        day = timezone.localtime(when).date()
        if status == Visit.Status.MISSED:
            if entry.last_missed is None or day > entry.last_missed[0]:
                entry.last_missed = (day, visit_id)
            continue
        entry.kept_days.append(day)
        if status == Visit.Status.SCHEDULED and day >= today:
            entry.booked_ahead = True
    return by_child


def _rows(today: date, child_id: uuid.UUID | None = None) -> list[OutreachRow]:
    """Every child to reach (or only ``child_id``), unsorted."""
    oldest = add_months(today, -periodicity().last_window_end_months)
    only: dict[str, object] = {"child_id": child_id} if child_id else {}
    children = Child.objects.filter(
        merged_into__isnull=True, date_of_birth__gt=oldest, **({"pk": child_id} if child_id else {})
    ).values_list("id", "date_of_birth")
    back = min(add_months(today, -9), today - timedelta(days=MISSED_LOOKBACK_DAYS))
    visits = _visits_by_child(back, today, **only)
    empty = _Visits([], False, None)
    rows: list[OutreachRow] = []
    for child_id, dob in children:
        seen = visits.get(child_id, empty)
        missed = seen.last_missed
        recent = missed is not None and missed[0] >= today - timedelta(days=MISSED_LOOKBACK_DAYS)
        if missed and recent and not any(day > missed[0] for day in seen.kept_days):
            rows.append(OutreachRow(child_id, "missed", missed[0], missed_visit_id=missed[1]))
            continue
        window = _current_window(dob, today)
        if window is None or seen.booked_ahead:
            continue
        point, target, start, end = window
        if today > target and not any(start <= day <= end for day in seen.kept_days):
            rows.append(OutreachRow(child_id, "overdue", target, touchpoint=point))
    return rows


def outreach_list(*, actor: Actor, reason: str = "", contact: str = "", page: int = 1) -> OutreachList:
    """The clinic's children to reach, oldest need first; ``reason`` "overdue" or "missed",
    ``contact`` "none" (not tried yet) or "tried" (tried, not booked). Audited as one list."""
    actor.require(AdherencePerm.OUTREACH)
    today = timezone.localdate()
    rows = _rows(today)
    attempts: dict[uuid.UUID, list[OutreachAttempt]] = defaultdict(list)
    since = timezone.now() - timedelta(days=MISSED_LOOKBACK_DAYS + 90)
    for attempt in OutreachAttempt.objects.filter(created_at__gte=since).order_by("-created_at"):
        attempts[attempt.child_id].append(attempt)
    for row in rows:
        tried = attempts.get(row.child_id, [])
        # Only attempts since the need began count for this need.
        tried = [
            a for a in tried if timezone.localtime(a.created_at).date() >= row.since - timedelta(days=30)
        ]
        row.attempts = len(tried)
        row.last_attempt = tried[0] if tried else None
    counts = {
        "overdue": sum(r.reason == "overdue" for r in rows),
        "missed": sum(r.reason == "missed" for r in rows),
    }
    if reason in ("overdue", "missed"):
        rows = [r for r in rows if r.reason == reason]
    if contact == "none":
        rows = [r for r in rows if r.last_attempt is None]
    elif contact == "tried":
        rows = [r for r in rows if r.last_attempt is not None and r.last_attempt.outcome != "booked"]
    rows.sort(key=lambda r: (r.since, str(r.child_id)))
    shown = Paginator(rows, PAGE_SIZE).get_page(page)
    _fill(list(shown.object_list))
    audit_record(
        actor=actor,
        action=Action.SEARCH,
        object_type="families.child",
        summary=f"outreach list reason={reason or 'all'} contact={contact or 'any'} page {shown.number}",
    )
    return OutreachList(page=shown, total=len(rows), counts=counts)


def _fill(rows: list[OutreachRow]) -> None:
    """The page's children, primary caregivers and the staff of their last attempts."""
    ids = [r.child_id for r in rows]
    children = {c.pk: c for c in Child.objects.filter(pk__in=ids)}
    carers: dict[uuid.UUID, Caregiver] = {}
    for link in (
        CareRelationship.objects.filter(child_id__in=ids)
        .select_related("caregiver")
        .order_by("-is_primary", "created_at")
    ):
        carers.setdefault(link.child_id, link.caregiver)
    from dyadcare.tenancy.models import User

    staff_ids = {r.last_attempt.made_by_id for r in rows if r.last_attempt and r.last_attempt.made_by_id}
    staff = {u.pk: u for u in User.objects.filter(pk__in=staff_ids)}
    for row in rows:
        row.child = children.get(row.child_id)
        row.caregiver = carers.get(row.child_id)
        if row.last_attempt and row.last_attempt.made_by_id:
            row.last_attempt.made_by = staff.get(row.last_attempt.made_by_id)


@dataclass
class ChildOutreach:
    need: OutreachRow | None  # why the child is on the list now (None: not on it)
    attempts: list[OutreachAttempt]


def child_outreach(*, actor: Actor, child: Child) -> ChildOutreach:
    """Why one child is on the outreach list now, and every attempt, newest first (read with
    the child, whose opening the caller audits)."""
    actor.require(AdherencePerm.OUTREACH)
    rows = _rows(timezone.localdate(), child.pk)
    attempts = list(OutreachAttempt.objects.filter(child=child).select_related("made_by", "missed_visit"))
    return ChildOutreach(need=rows[0] if rows else None, attempts=attempts)
