"""The engine's inputs read from the database for a set of children, in a fixed number of
queries (whatever the number of children): the children and their coverage, the staff who did
the work, the screening results and logged services, and the clinic's settings."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from dyadcare.billing import engine
from dyadcare.billing.models import (
    BillingProfile,
    BillingSettings,
    ClaimLine,
    Coverage,
    RuleOverride,
    TherapyBasis,
)
from dyadcare.care.models import ServiceEntry
from dyadcare.families.models import Child
from dyadcare.screening.models import Flag, ScreeningResult
from dyadcare.tenancy.models import Clinic, Credential

SCREENING = ClaimLine.Source.SCREENING
SERVICE = ClaimLine.Source.SERVICE


def event_id(kind: str, source_id: uuid.UUID) -> str:
    return f"{kind}:{source_id}"


def source_of(event: str) -> tuple[str, uuid.UUID]:
    kind, _sep, raw = event.partition(":")
    return kind, uuid.UUID(raw)


@dataclass
class ChildWork:
    """One child's inputs: the engine's child, its events, and the sources voided in the log."""

    child: engine.Child
    events: list[engine.Event] = field(default_factory=list)
    voided_sources: set[tuple[str, uuid.UUID]] = field(default_factory=set)


def clinic_settings(clinic: Clinic) -> tuple[BillingSettings, engine.Settings]:
    """The clinic's billing settings (defaults when never set) and the engine's view of them."""
    row = BillingSettings.objects.filter(clinic=clinic).first() or BillingSettings(clinic=clinic)
    overrides = {
        (o.plan, o.rule_id): engine.Override(o.enabled, dict(o.params)) for o in RuleOverride.objects.all()
    }
    settings = engine.Settings(
        clinic_type=row.clinic_type,
        eight_minute_rule=row.eight_minute_rule,
        minutes_for_first_unit=row.minutes_for_first_unit,
        overrides=overrides,
    )
    return row, settings


def _children(child_ids: Iterable[uuid.UUID], default_plan: str) -> dict[uuid.UUID, engine.Child]:
    children = {
        pk: (dob, medi_cal_id)
        for pk, dob, medi_cal_id in Child.objects.filter(pk__in=list(child_ids)).values_list(
            "id", "date_of_birth", "medi_cal_id"
        )
    }
    # The newest row of each child's coverage history wins.
    coverage = {
        c.child_id: c
        for c in Coverage.objects.filter(child_id__in=list(children)).order_by("created_at", "id")
    }
    based = set(TherapyBasis.objects.filter(child_id__in=list(children)).values_list("child_id", flat=True))
    out: dict[uuid.UUID, engine.Child] = {}
    for pk, (dob, medi_cal_id) in children.items():
        cover = coverage.get(pk)
        out[pk] = engine.Child(
            id=str(pk),
            dob=dob,
            medi_cal=cover.enrolled if cover else True,
            medi_cal_id=(cover.medi_cal_id if cover and cover.medi_cal_id else medi_cal_id),
            plan=(cover.plan if cover else default_plan),
            therapy_basis=pk in based,
            check_cin=True,
        )
    return out


def staff_inputs(user_ids: Iterable[uuid.UUID]) -> dict[str, engine.Staff]:
    """Each staff member's billing details: this clinic's billing profile, else their credential."""
    ids = {u for u in user_ids if u}
    profiles = {p.user_id: p for p in BillingProfile.objects.filter(user_id__in=ids)}
    credentials = {c.user_id: c for c in Credential.objects.filter(user_id__in=ids)}
    out: dict[str, engine.Staff] = {}
    for user_id in ids:
        profile, credential = profiles.get(user_id), credentials.get(user_id)
        licence = (profile.licence_type if profile else "") or (
            credential.licence_type if credential else "none"
        )
        npi = (profile.npi if profile else "") or (credential.npi if credential else "")
        attested = (profile.aces_aware_attested_on if profile else None) or (
            credential.aces_aware_attested_on if credential else None
        )
        supervisor = str(profile.supervisor_id) if profile and profile.supervisor_id else ""
        out[str(user_id)] = engine.Staff(str(user_id), licence, npi, attested, supervisor)
    return out


def _follow_up_documented(result_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Results whose follow-up was resolved with a note: the documented follow-up plan."""
    return set(
        Flag.objects.filter(result_id__in=result_ids, resolved_at__isnull=False)
        .exclude(note="")
        .values_list("result_id", flat=True)
    )


def _screening_events(
    child_ids: list[uuid.UUID], rules: engine.RuleSet
) -> list[tuple[uuid.UUID, engine.Event]]:
    # Plain rows, not model instances: the month of a large clinic is thousands of results.
    query = ScreeningResult.objects.filter(child_id__in=child_ids, complete=True).values_list(
        "id", "child_id", "instrument_id", "respondent", "positive", "total", "entered_by_id",
        "visit__scheduled_for", "visit__clinician_id",
    )  # fmt: skip
    rows = [row for row in query if rules.instrument_group(row[2])]
    followed = _follow_up_documented([row[0] for row in rows])
    out = []
    for pk, child_id, instrument, respondent, positive, total, entered_by, when, clinician in rows:
        staff = entered_by or clinician
        event = engine.Event(
            id=event_id(SCREENING, pk),
            date=timezone.localdate(when),
            child=str(child_id),
            staff=str(staff) if staff else "",
            type="screening",
            instrument=instrument,
            subject="caregiver" if respondent == "caregiver-self" else "child",
            positive=positive,
            ace_score=int(total) if total is not None else None,
            follow_up_plan=pk in followed,
        )
        out.append((child_id, event))
    return out


def _service_events(
    child_ids: list[uuid.UUID], rules: engine.RuleSet
) -> tuple[list[tuple[uuid.UUID, engine.Event]], set[tuple[uuid.UUID, uuid.UUID]]]:
    out, voided = [], set()
    rows = ServiceEntry.objects.filter(child_id__in=child_ids).values_list(
        "id", "child_id", "service_type", "delivered_on", "minutes", "delivered_by_id",
        "child_present", "voided_at",
    )  # fmt: skip
    for pk, child_id, service_type, delivered_on, minutes, delivered_by, present, voided_at in rows:
        if voided_at is not None:
            voided.add((child_id, pk))
            continue
        if not rules.service_key(service_type):
            continue
        event = engine.Event(
            id=event_id(SERVICE, pk),
            date=delivered_on,
            child=str(child_id),
            staff=str(delivered_by),
            type="service",
            service=service_type,
            minutes=minutes,
            child_present=present,
        )
        out.append((child_id, event))
    return out, voided


def read_work(
    child_ids: Iterable[uuid.UUID], rules: engine.RuleSet, default_plan: str
) -> dict[uuid.UUID, ChildWork]:
    """Every child's inputs, by child id."""
    ids = list(set(child_ids))
    children = _children(ids, default_plan)
    work = {pk: ChildWork(child) for pk, child in children.items()}
    screenings = _screening_events(ids, rules)
    services, voided = _service_events(ids, rules)
    for child_id, event in [*screenings, *services]:
        if child_id in work:
            work[child_id].events.append(event)
    for child_id, source_id in voided:
        if child_id in work:
            work[child_id].voided_sources.add((SERVICE, source_id))
    return work


def staff_of(work: Iterable[ChildWork]) -> set[uuid.UUID]:
    return {uuid.UUID(e.staff) for w in work for e in w.events if e.staff}


def group_by_child(lines: Iterable[ClaimLine]) -> dict[uuid.UUID, list[ClaimLine]]:
    out: dict[uuid.UUID, list[ClaimLine]] = defaultdict(list)
    for line in lines:
        out[line.child_id].append(line)
    return out


def today() -> date:
    return timezone.localdate()
