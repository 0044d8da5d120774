"""Reads about visits and schedules, each permission-checked and audited."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Model
from django.http import Http404
from django.utils import timezone

from dyadcare.families.models import Caregiver, CareRelationship, Child
from dyadcare.families.permissions import FamilyPerm
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record, audit_record_many
from dyadcare.tenancy.models import Clinic
from dyadcare.touchpoints.bundles import Bundle, Rule
from dyadcare.touchpoints.due import DueReport, due_on
from dyadcare.touchpoints.evidence import evidence_for
from dyadcare.touchpoints.huddle import HUDDLE_PROVIDERS, HuddleNote
from dyadcare.touchpoints.models import ScheduleRule, Visit, VisitChange
from dyadcare.touchpoints.permissions import VisitPerm
from dyadcare.touchpoints.schedule import (
    ChildAge,
    ScheduledTouchpoint,
    child_age,
    child_schedule,
    correction_rule,
)


def clinic_bundle(clinic: Clinic) -> Bundle:
    """The clinic's screening bundle: its service model's defaults and its own rules (read in
    the clinic's scope)."""
    rules = tuple(
        Rule(r.category, r.touchpoint, tuple(r.instruments), r.label) for r in ScheduleRule.objects.all()
    )
    return Bundle(service_model=clinic.service_model, rules=rules)


def schedule_rules(*, actor: Actor) -> list[ScheduleRule]:
    """The clinic's own choices, for its schedule settings page."""
    actor.require(VisitPerm.SCHEDULE_CONFIGURE)
    return list(ScheduleRule.objects.order_by("category", "touchpoint"))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


Age = ChildAge


def age_on(child: Child, day: date) -> ChildAge:
    """The child's age on ``day`` by the one age rule (``schedule.child_age``)."""
    return child_age(child.date_of_birth, child.gestational_age_days, day)


@dataclass
class ChildSchedule:
    schedule: list[ScheduledTouchpoint]
    visits: list[Visit]
    due_today: DueReport
    bundle: Bundle
    age: Age
    corrected: bool
    next_visit: Visit | None = None


def child_schedule_get(*, actor: Actor, child: Child) -> ChildSchedule:
    """The child's touchpoints, visits and what is due today (the child's read is audited by
    the caller that loaded the child)."""
    actor.require(FamilyPerm.VIEW)
    today = timezone.localdate()
    visits = list(Visit.objects.filter(child=child).select_related("clinician").order_by("-scheduled_for"))
    history = evidence_for([child.pk]).get(child.pk, [])
    assert actor.clinic is not None
    bundle = clinic_bundle(actor.clinic)
    upcoming = [v for v in visits if v.is_open and v.scheduled_for >= timezone.now() - timedelta(hours=12)]
    return ChildSchedule(
        schedule=child_schedule(child.date_of_birth, child.gestational_age_days, today),
        visits=visits,
        due_today=due_on(dob=child.date_of_birth, day=today, bundle=bundle, history=history),
        bundle=bundle,
        age=age_on(child, today),
        corrected=correction_rule().applies(child.gestational_age_days),
        next_visit=min(upcoming, key=lambda v: v.scheduled_for) if upcoming else None,
    )


def visit_get(*, actor: Actor, visit_id: uuid.UUID | str) -> Visit:
    actor.require(FamilyPerm.VIEW)
    try:
        visit = Visit.objects.select_related("child", "clinician").get(pk=visit_id)
    except (Visit.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    audit_record(actor=actor, action=Action.VIEW, obj=visit, summary=f"child {visit.child_id}")
    return visit


def visit_changes(*, actor: Actor, visit: Visit) -> list[VisitChange]:
    """The visit's reschedules and cancellation with who and why, newest first (read with the
    visit, whose opening is audited)."""
    actor.require(FamilyPerm.VIEW)
    return list(VisitChange.objects.filter(visit=visit).select_related("changed_by"))


def visit_due(*, visit: Visit, bundle: Bundle) -> DueReport:
    """What is due at ``visit`` given the evidence of what the child was screened for,
    wherever it was recorded (results at any visit, paper forms, screens done elsewhere)."""
    return due_on(
        dob=visit.child.date_of_birth,
        day=timezone.localtime(visit.scheduled_for).date(),
        bundle=bundle,
        history=evidence_for([visit.child_id]).get(visit.child_id, []),
        touchpoint_key=visit.touchpoint or None,
        visit_id=visit.pk,
    )


@dataclass
class HuddleRow:
    visit: Visit
    child: Child
    age: Age
    report: DueReport
    caregiver: Caregiver | None
    notes: list[HuddleNote] = field(default_factory=list)
    # The choices' labels in the page's language, looked up once per page (a model's
    # get_FOO_display builds its choices anew on every call: 180 times on a 60-visit day).
    language_label: str = ""
    touchpoint_label: str = ""
    status_label: str = ""

    @property
    def needs_interpreter(self) -> bool:
        language = self.caregiver.preferred_language if self.caregiver else self.child.preferred_language
        return language not in ("en", "es")


@dataclass
class HuddleDay:
    day: date
    rows: list[HuddleRow]
    bundle: Bundle

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.rows:
            counts[row.visit.status] += 1
            if row.report.overdue:
                counts["with_overdue"] += 1
            if any(n.level == "alert" for n in row.notes):
                counts["with_alerts"] += 1
        return dict(counts)


def _choice_labels(model: type[Model], name: str) -> dict[str, str]:
    model_field: Any = model._meta.get_field(name)
    return {str(value): str(label) for value, label in model_field.flatchoices}


def _label_rows(rows: list[HuddleRow]) -> None:
    """Each row's language, visit type and status in the active language."""
    languages = _choice_labels(Child, "preferred_language")
    touchpoints = _choice_labels(Visit, "touchpoint")
    statuses = _choice_labels(Visit, "status")
    for row in rows:
        language = row.caregiver.preferred_language if row.caregiver else row.child.preferred_language
        row.language_label = languages.get(language, language)
        row.touchpoint_label = touchpoints.get(row.visit.touchpoint, row.visit.touchpoint)
        row.status_label = statuses.get(row.visit.status, row.visit.status)


def huddle_day(*, actor: Actor, day: date) -> HuddleDay:
    """Every visit of the clinic's day with the child's age, what is due and overdue, and the
    notes other domains add. A fixed number of queries, whatever the number of visits."""
    actor.require(FamilyPerm.VIEW)
    assert actor.clinic is not None
    start, end = day_bounds(day)
    visits = list(
        Visit.objects.filter(scheduled_for__gte=start, scheduled_for__lt=end)
        .exclude(status=Visit.Status.CANCELLED)
        .select_related("child", "clinician")
        .order_by("scheduled_for", "child__search_name")
    )
    child_ids = {v.child_id for v in visits}
    history = evidence_for(child_ids)
    primary = {
        link.child_id: link.caregiver
        for link in CareRelationship.objects.filter(child_id__in=child_ids, is_primary=True).select_related(
            "caregiver"
        )
    }
    bundle = clinic_bundle(actor.clinic)
    rows = []
    for visit in visits:
        report = due_on(
            dob=visit.child.date_of_birth,
            day=day,
            bundle=bundle,
            history=history.get(visit.child_id, []),
            touchpoint_key=visit.touchpoint or None,
            visit_id=visit.pk,
        )
        rows.append(
            HuddleRow(visit, visit.child, age_on(visit.child, day), report, primary.get(visit.child_id))
        )
    _label_rows(rows)
    by_visit = {row.visit.pk: row for row in rows}
    for provider in HUDDLE_PROVIDERS:
        for visit_id, notes in provider(visits).items():
            if visit_id in by_visit:
                by_visit[visit_id].notes.extend(notes)
    audit_record_many(
        actor=actor, action=Action.VIEW, objects=[v.child for v in visits], summary=f"huddle {day}"
    )
    return HuddleDay(day=day, rows=rows, bundle=bundle)


def busiest_day(*, clinic: Clinic, start: date, days: int) -> date | None:
    """The day with the most visits from ``start`` (for the demo and the benchmarks)."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    row = (
        Visit.objects.filter(
            clinic=clinic,
            scheduled_for__gte=day_bounds(start)[0],
            scheduled_for__lt=day_bounds(start + timedelta(days=days))[0],
        )
        .annotate(day=TruncDate("scheduled_for"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("-n", "day")
        .first()
    )
    return row["day"] if row else None
