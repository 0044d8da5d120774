"""Results over time: a child's or a caregiver's screens per instrument, oldest first, with the
change since the previous screen and the flags each raised (who acknowledged them, when).

The sensitivity rules decide here, not in a template: a series is shown only to a viewer who
may see its results in full; of the rest, a viewer learns only how many screens need a
clinician's follow-up (an open flag), never which instrument, when, or any score.
A fixed number of queries, whatever the number of results.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch

from dyadcare.families.models import Caregiver, Child
from dyadcare.families.permissions import FamilyPerm
from dyadcare.screening.internal.sensitivity import access
from dyadcare.screening.models import Flag, ScreeningResult
from dyadcare.screening.selectors import library_instrument
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record, audit_record_many
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.selectors import clinic_bundle, visit_due

CAREGIVER_SELF = "caregiver-self"


@dataclass(frozen=True)
class HistoryRow:
    """One screen in a series, with the change since the previous screen of the series."""

    result: ScreeningResult
    change: float | None
    flags: Sequence[Flag]

    @property
    def open_flags(self) -> list[Flag]:
        return [flag for flag in self.flags if flag.resolved_at is None]


@dataclass(frozen=True)
class Series:
    """One instrument's screens (for a caregiver's own screens, one caregiver's), oldest first."""

    instrument_id: str
    caregiver: Caregiver | None
    rows: list[HistoryRow]
    maximum: float | None  # the top of the instrument's total score range, if it has one

    @property
    def key(self) -> str:
        return f"{self.instrument_id}-{self.caregiver.pk if self.caregiver else 'child'}"

    @property
    def last(self) -> HistoryRow:
        return self.rows[-1]

    @property
    def scored(self) -> list[HistoryRow]:
        """The screens with a total (what a chart can draw)."""
        return [row for row in self.rows if row.result.total is not None]


@dataclass
class ResultsOverTime:
    series: list[Series] = field(default_factory=list)
    # Screens this viewer may not see in full that still need a clinician (an open flag).
    restricted_follow_ups: int = 0
    restricted: int = 0  # every screen not shown in full

    @property
    def empty(self) -> bool:
        return not self.series and not self.restricted


def _maximum(instrument_id: str) -> float | None:
    instrument = library_instrument(instrument_id)
    total_range = instrument.scoring.total_range if instrument else None
    return float(total_range[1]) if total_range else None


def _results(**where: object) -> list[ScreeningResult]:
    flags = Flag.objects.select_related("resolved_by", "owner").order_by("raised_at")
    return list(
        ScreeningResult.objects.filter(**where)
        .select_related("caregiver", "entered_by", "visit")
        .prefetch_related(Prefetch("flags", queryset=flags))
        .order_by("scored_at")
    )


def _group(results: Sequence[ScreeningResult], permissions: frozenset[str]) -> ResultsOverTime:
    """Results (oldest first) grouped by instrument (and caregiver, for a caregiver's own
    screens), with this viewer's access decided result by result."""
    out = ResultsOverTime()
    groups: dict[tuple[str, uuid.UUID | None], list[ScreeningResult]] = {}
    for result in results:
        if access(result.sensitivity, permissions) != "full":
            out.restricted += 1
            if any(flag.resolved_at is None for flag in result.flags.all()):
                out.restricted_follow_ups += 1
            continue
        whose = result.caregiver_id if result.respondent == CAREGIVER_SELF else None
        groups.setdefault((result.instrument_id, whose), []).append(result)
    for (instrument_id, whose), rows in groups.items():
        series_rows: list[HistoryRow] = []
        previous: float | None = None
        for result in rows:
            change = None
            if result.total is not None and previous is not None:
                change = result.total - previous
            if result.total is not None:
                previous = result.total
            series_rows.append(HistoryRow(result, change, list(result.flags.all())))
        caregiver = rows[0].caregiver if whose else None
        out.series.append(Series(instrument_id, caregiver, series_rows, _maximum(instrument_id)))
    out.series.sort(key=lambda s: s.last.result.scored_at, reverse=True)
    return out


def child_results_over_time(*, actor: Actor, child: Child) -> ResultsOverTime:
    """Every screen recorded for the child (about the child, and the caregivers' own screens
    given at the child's visits), per instrument. One audit entry names the child."""
    actor.require(FamilyPerm.VIEW)
    results = _results(child=child)
    if results:
        audit_record_many(
            actor=actor, action=Action.VIEW, objects=results, summary=f"child {child.pk} history"
        )
    return _group(results, actor.permissions)


def caregiver_results_over_time(*, actor: Actor, caregiver: Caregiver) -> ResultsOverTime:
    """The caregiver's own screens (depression, anxiety, substance use, safety…), whichever
    child's visit they were given at, per instrument."""
    actor.require(FamilyPerm.VIEW)
    results = _results(caregiver=caregiver, respondent=CAREGIVER_SELF)
    if results:
        audit_record_many(
            actor=actor, action=Action.VIEW, objects=results, summary=f"caregiver {caregiver.pk} history"
        )
    return _group(results, actor.permissions)


@dataclass
class VisitReport:
    """What the clinic's chart needs of a visit: its results (as this viewer may see them),
    the flags raised and what was done, and what is still open."""

    visit: Visit
    results: ResultsOverTime
    open_flags: list[Flag]
    restricted_open: int
    not_done: list[str]  # labels of the categories due at the visit with no evidence


def visit_report(*, actor: Actor, visit: Visit, language: str) -> VisitReport:
    """The printable visit report: the visit's results, each with the change since the
    child's previous screen of the instrument, the flags and what is left to follow up.
    Opening it is audited as printing the visit and each of its results."""
    actor.require(FamilyPerm.VIEW)
    assert actor.clinic is not None
    audit_record(actor=actor, action=Action.PRINT, obj=visit, summary=f"child {visit.child_id}")
    results = _results(child_id=visit.child_id)
    mine = [r for r in results if r.visit_id == visit.pk]
    if mine:
        audit_record_many(actor=actor, action=Action.PRINT, objects=mine, summary=f"visit {visit.pk} report")
    grouped = _group(results, actor.permissions)
    shown = _group(mine, actor.permissions)
    shown.series = []
    for series in grouped.series:
        rows = [row for row in series.rows if row.result.visit_id == visit.pk]
        if rows:
            shown.series.append(Series(series.instrument_id, series.caregiver, rows, series.maximum))
    open_flags = [flag for series in shown.series for row in series.rows for flag in row.open_flags]
    bundle = clinic_bundle(actor.clinic)
    not_done = [
        bundle.label(item.category, language) for item in visit_due(visit=visit, bundle=bundle).not_done
    ]
    return VisitReport(visit, shown, open_flags, shown.restricted_follow_ups, not_done)
