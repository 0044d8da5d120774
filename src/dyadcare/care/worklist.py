"""A person's work and a specialist's caseload, and the care notes on the huddle. Each reads
a fixed number of queries whatever the number of families, and each list of them comes a page
at a time (``PAGE_SIZE`` rows, read with one row more to know there is a next page, never
counted in full; tests/web/test_care_pages.py)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dyadcare.care.models import CarePlan, Goal, ServiceEntry, Task, TierAssignment
from dyadcare.care.permissions import CarePerm
from dyadcare.care.rules import TierModel, tier_model
from dyadcare.families.models import Child
from dyadcare.screening.models import Flag
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.tenancy.models import Membership, User
from dyadcare.touchpoints.followups import FollowUp, follow_ups
from dyadcare.touchpoints.huddle import HuddleNote
from dyadcare.touchpoints.models import Visit

REVIEW_AHEAD_DAYS = 7
PAGE_SIZE = 25
MAX_PAGE = 40  # no page past the first thousand rows: a longer list wants a search, not paging
SECTIONS = ("due", "upcoming", "alerts", "reviews", "caseload")


@dataclass(frozen=True)
class PageInfo:
    """Where a list's page is: its number and whether another page follows (no count)."""

    number: int = 1
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_number(value: object) -> int:
    """A page number from a query parameter: 1 for anything that is not one, at most MAX_PAGE."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    return max(1, min(number, MAX_PAGE))


def _page(rows: QuerySet[Any], number: int) -> tuple[list[Any], PageInfo]:
    start = (number - 1) * PAGE_SIZE
    found = list(rows[start : start + PAGE_SIZE + 1])
    return found[:PAGE_SIZE], PageInfo(number, len(found) > PAGE_SIZE)


def caseload_filter(user_id: uuid.UUID) -> Q:
    """A person's caseload: the families where they own an active goal or an open task."""
    goals = Goal.objects.filter(
        owner_id=user_id, outcome=Goal.Outcome.ACTIVE, plan__status=CarePlan.Status.OPEN
    )
    tasks = Task.objects.filter(owner_id=user_id, status=Task.Status.OPEN)
    return Q(pk__in=goals.values("plan__child_id")) | Q(pk__in=tasks.values("child_id"))


def _annotated(children: QuerySet[Child], today: date) -> QuerySet[Child]:
    tier = TierAssignment.objects.filter(child=OuterRef("pk")).order_by("-effective_on", "-set_at")
    last = ServiceEntry.objects.filter(child=OuterRef("pk"), voided_at__isnull=True).order_by("-delivered_on")
    visit = Visit.objects.filter(
        child=OuterRef("pk"), status=Visit.Status.SCHEDULED, scheduled_for__date__gte=today
    ).order_by("scheduled_for")
    task = Task.objects.filter(child=OuterRef("pk"), status=Task.Status.OPEN).order_by("due_on")
    return children.annotate(
        tier_now=Subquery(tier.values("tier")[:1]),
        last_contact=Subquery(last.values("delivered_on")[:1]),
        next_visit=Subquery(visit.values("scheduled_for")[:1]),
        next_task=Subquery(task.values("due_on")[:1]),
    ).order_by("family_name", "given_name", "pk")


@dataclass(frozen=True)
class CaseRow:
    child: Child
    tier: int | None
    tier_label: str
    last_contact: date | None
    next_contact: date | None


def _rows(
    actor: Actor, children: QuerySet[Child], today: date, number: int
) -> tuple[list[CaseRow], PageInfo]:
    assert actor.clinic is not None
    model = tier_model(actor.clinic.service_model)
    language = _page_language()
    rows = []
    # The page's children first (by name, from the caseload's indexes), then tier and contacts
    # for those alone: the subqueries run for one page, not for the whole caseload.
    ids, page = _page(
        children.order_by("family_name", "given_name", "pk").values_list("pk", flat=True), number
    )
    c: Any
    for c in _annotated(Child.objects.filter(pk__in=ids), today):
        visit_day = timezone.localtime(c.next_visit).date() if c.next_visit else None
        nexts = [d for d in (visit_day, c.next_task) if d]
        rows.append(
            CaseRow(
                c,
                c.tier_now,
                model.label(c.tier_now, language) if c.tier_now else "",
                c.last_contact,
                min(nexts, default=None),
            )
        )
    return rows, page


@dataclass
class MyWork:
    person: User
    today: date
    tasks_due: list[Task]
    tasks_upcoming: list[Task]
    alerts: list[Flag]
    reviews: list[CarePlan]
    caseload: list[CaseRow]
    follow_ups: list[FollowUp]  # other domains' (overdue referrals), through touchpoints.followups
    pages: dict[str, PageInfo]


def my_work(*, actor: Actor, today: date | None = None, pages: Mapping[str, object] | None = None) -> MyWork:
    """The signed-in person's day, each list a page (``pages`` maps a section of SECTIONS to
    its page number): tasks due today and overdue, most overdue first, and those of the next
    two weeks, open alerts assigned to them, newest first, care plans due for review, soonest
    first, and their caseload."""
    actor.require(CarePerm.CASELOAD)
    assert actor.user is not None
    today = today or timezone.localdate()
    wanted = {key: page_number((pages or {}).get(key)) for key in SECTIONS}
    mine = Task.objects.filter(owner=actor.user, status=Task.Status.OPEN).select_related("child", "goal")
    mine = mine.order_by("due_on", "pk")
    in_caseload = Child.objects.filter(caseload_filter(actor.user.pk), merged_into__isnull=True)
    reviews = CarePlan.objects.filter(
        status=CarePlan.Status.OPEN,
        next_review_on__lte=today + timedelta(days=REVIEW_AHEAD_DAYS),
        child__in=in_caseload,
    )
    alerts = Flag.objects.filter(owner=actor.user, resolved_at__isnull=True).order_by("-raised_at", "pk")
    upcoming = mine.filter(due_on__gt=today, due_on__lte=today + timedelta(days=14))
    found: dict[str, tuple[list[Any], PageInfo]] = {
        "due": _page(mine.filter(due_on__lte=today), wanted["due"]),
        "upcoming": _page(upcoming, wanted["upcoming"]),
        "alerts": _page(alerts.select_related("child"), wanted["alerts"]),
        "reviews": _page(reviews.select_related("child").order_by("next_review_on", "pk"), wanted["reviews"]),
        "caseload": _rows(actor, in_caseload, today, wanted["caseload"]),
    }
    work = MyWork(
        person=actor.user,
        today=today,
        tasks_due=found["due"][0],
        tasks_upcoming=found["upcoming"][0],
        alerts=found["alerts"][0],
        reviews=found["reviews"][0],
        caseload=found["caseload"][0],
        pages={key: page for key, (_rows_, page) in found.items()},
        follow_ups=follow_ups(actor, mine=True, today=today),
    )
    shown = ", ".join(f"{key} page {wanted[key]}" for key in SECTIONS)
    audit_record(actor=actor, action=Action.SEARCH, summary=f"my work: {shown}")
    return work


def specialists(*, actor: Actor) -> list[tuple[str, str]]:
    """The clinic's active staff who may hold a caseload or own a goal (each person once)."""
    actor.require(CarePerm.VIEW)
    seen: dict[str, str] = {}
    for m in (
        Membership.objects.filter(clinic=actor.clinic, active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    ):
        seen.setdefault(str(m.user_id), m.user.get_full_name() or m.user.username)
    return list(seen.items())


def caseload(
    *, actor: Actor, person_id: uuid.UUID, today: date | None = None, page: object = 1
) -> tuple[list[CaseRow], PageInfo]:
    """One page of one person's caseload (by name) with tier and last and next contact.
    Audited as a search."""
    actor.require(CarePerm.CASELOAD)
    today = today or timezone.localdate()
    children = Child.objects.filter(caseload_filter(person_id), merged_into__isnull=True)
    rows, info = _rows(actor, children, today, page_number(page))
    summary = f"caseload {person_id} page {info.number}: {len(rows)} families"
    audit_record(actor=actor, action=Action.SEARCH, summary=summary)
    return rows, info


def huddle_care(visits: Sequence[Visit]) -> Mapping[uuid.UUID, list[HuddleNote]]:
    """Huddle notes: the tier, open goals, tasks due by the visit's day and the last service
    (two queries for all visits; nothing sensitive: no goal text, no note)."""
    by_child: dict[uuid.UUID, list[Visit]] = defaultdict(list)
    for visit in visits:
        by_child[visit.child_id].append(visit)
    notes: dict[uuid.UUID, list[HuddleNote]] = defaultdict(list)
    if not by_child:
        return notes
    day = max(timezone.localtime(v.scheduled_for).date() for v in visits)
    tier = TierAssignment.objects.filter(child=OuterRef("pk")).order_by("-effective_on", "-set_at")
    goals = (
        Goal.objects.filter(
            plan__child=OuterRef("pk"), outcome=Goal.Outcome.ACTIVE, plan__status=CarePlan.Status.OPEN
        )
        .order_by()
        .values("plan__child")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last = ServiceEntry.objects.filter(child=OuterRef("pk"), voided_at__isnull=True).order_by("-delivered_on")
    children = Child.objects.filter(pk__in=by_child).annotate(
        tier_now=Subquery(tier.values("tier")[:1]),
        open_goals=Subquery(goals[:1]),
        last_service=Subquery(last.values("delivered_on")[:1]),
    )
    tasks: dict[uuid.UUID, list[Task]] = defaultdict(list)
    for task in Task.objects.filter(
        child_id__in=by_child, status=Task.Status.OPEN, due_on__lte=day
    ).select_related("owner"):
        tasks[task.child_id].append(task)
    model = tier_model(visits[0].clinic.service_model)  # a huddle is one clinic's day
    child: Any
    for child in children:
        for visit in by_child[child.pk]:
            day = timezone.localtime(visit.scheduled_for).date()
            notes[visit.pk].extend(_child_notes(child, tasks[child.pk], day, model))
    return notes


def _page_language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def _child_notes(child: Any, tasks: list[Task], day: date, model: TierModel) -> list[HuddleNote]:
    out = []
    if child.tier_now:
        label = model.label(child.tier_now, _page_language())
        out.append(HuddleNote("tier", _("Tier: %(tier)s") % {"tier": label}, "info"))
    due = [t for t in tasks if t.due_on <= day]
    for t in due:
        owner = t.owner.get_full_name() or t.owner.username
        # The task's words stay on the care page: the huddle is read by every role.
        text = _("Care task due %(day)s (%(owner)s)") % {"day": t.due_on.isoformat(), "owner": owner}
        out.append(HuddleNote("task", text, "warning"))
    if child.open_goals:
        goals = ngettext("%(n)s open care plan goal", "%(n)s open care plan goals", child.open_goals) % {
            "n": child.open_goals
        }
        out.append(HuddleNote("goals", goals, "info"))
    if child.last_service:
        out.append(
            HuddleNote("service", _("Last service %(day)s") % {"day": child.last_service.isoformat()}, "info")
        )
    return out
