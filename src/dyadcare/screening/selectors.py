"""Reads for screening, with the sensitivity rules applied and the reads audited."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _

from dyadcare.families.permissions import FamilyPerm
from dyadcare.instruments.engine import InputError, Instrument
from dyadcare.instruments.internal import registry
from dyadcare.screening.internal.categories import category_for
from dyadcare.screening.internal.plan import Planned, load, visit_plan
from dyadcare.screening.internal.scoring import labels, reason_in
from dyadcare.screening.internal.sensitivity import FOLLOW_UP_NEEDED, Access, access
from dyadcare.screening.models import FHIR_COLUMNS, DoneElsewhere, Flag, ScreeningResult, ScreeningSession
from dyadcare.screening.permissions import ScreeningPerm
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record, audit_record_many
from dyadcare.touchpoints.huddle import HuddleNote
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.selectors import clinic_bundle, visit_due


@dataclass(frozen=True)
class AnswerLine:
    number: int
    text: str
    answer: str


@dataclass(frozen=True)
class ResultView:
    """A result as this viewer may see it. ``access`` "full": scores, answers, the change
    since the last screen. Otherwise what a claim needs: which screen, when, positive or not,
    except for a result with a sensitivity label (``restricted``): then only that a screen
    was done, and if positive that it needs a clinician's follow-up (never the instrument,
    its labels, item or domain)."""

    result: ScreeningResult
    access: Access
    instrument: Instrument | None
    previous: ScreeningResult | None
    answers: Sequence[AnswerLine]

    @property
    def restricted(self) -> bool:
        return self.access != "full" and bool(self.result.sensitivity)

    @property
    def change(self) -> float | None:
        if self.previous is None or self.previous.total is None or self.result.total is None:
            return None
        return self.result.total - self.previous.total

    @property
    def title(self) -> str:
        return self.instrument.title_in("en") if self.instrument else self.result.instrument_id


def _answer_lines(instrument: Instrument | None, result: ScreeningResult, language: str) -> list[AnswerLine]:
    if instrument is None:
        return []
    lines = []
    for item, answer in zip(instrument.items, result.answers, strict=False):
        if answer is None:
            shown = _("not answered")
        elif item.kind == "numeric":
            shown = str(answer)
        elif isinstance(answer, list):
            shown = ", ".join(item.options[i].label(language) for i in answer if i < len(item.options))
        else:
            shown = item.options[answer].label(language) if answer < len(item.options) else str(answer)
        lines.append(AnswerLine(item.number, item.label(language), shown))
    return lines


def result_views(*, actor: Actor, results: Sequence[ScreeningResult], language: str) -> list[ResultView]:
    """Each result with what this viewer may see of it and the previous result of the same
    instrument for the same child (the change since the last screen)."""
    if not results:
        return []
    child_ids = {r.child_id for r in results}
    instruments = {r.instrument_id for r in results}
    earlier: dict[tuple[uuid.UUID, str], list[ScreeningResult]] = defaultdict(list)
    earlier_rows = ScreeningResult.objects.filter(child_id__in=child_ids, instrument_id__in=instruments)
    for row in earlier_rows.defer(*FHIR_COLUMNS).order_by("-scored_at"):
        earlier[(row.child_id, row.instrument_id)].append(row)
    views = []
    # Each result is described with the parameter values that scored it, not today's.
    scored_with: dict[uuid.UUID, registry.InstrumentSet] = {}
    for result in results:
        level = access(result.sensitivity, actor.permissions)
        instrument = None
        if level == "full":
            clinic = result.visit.clinic
            if clinic.pk not in scored_with:
                scored_with[clinic.pk] = registry.for_clinic(clinic, ids=instruments)
            try:
                instrument = scored_with[clinic.pk].as_scored(result)
            except InputError:
                instrument = None
        previous = next(
            (
                r
                for r in earlier[(result.child_id, result.instrument_id)]
                if r.scored_at < result.scored_at and r.caregiver_id == result.caregiver_id
            ),
            None,
        )
        views.append(
            ResultView(
                result=result,
                access=level,
                instrument=instrument,
                previous=previous if level == "full" else None,
                answers=_answer_lines(instrument, result, language) if level == "full" else [],
            )
        )
    return views


@dataclass(frozen=True)
class ElsewhereView:
    """A screen recorded as done elsewhere, with what this viewer may see of it: those who
    may see the instrument's results in full see which screen, where, its result and how staff
    know; others see only that a screen was given elsewhere, when, and who recorded it (as a
    labelled result of this clinic shows them no instrument)."""

    record: DoneElsewhere
    access: Access

    @property
    def restricted(self) -> bool:
        return self.access != "full"


def library_instrument(instrument_id: str) -> Instrument | None:
    """The library's instrument, or None for one no longer in the library."""
    try:
        return registry.library().get(instrument_id)
    except InputError:
        return None


def _labels_of(instrument_id: str) -> list[str]:
    instrument = library_instrument(instrument_id)
    return labels(instrument) if instrument else []


@dataclass(frozen=True)
class FlagView:
    """A flag with what this viewer may read of it, by the sensitivity of the result that
    raised it: with full access the reason (the instrument's item or domain) and the
    acknowledgement note; otherwise "a screen needs a clinician's follow-up" and no note.
    Every page that shows a flag (the visit's screening page, the alerts page) reads these,
    never ``flag.reason`` or ``flag.note``."""

    flag: Flag
    access: Access
    reason: str
    note: str


def flag_reason(flag: Flag, language: str) -> str:
    """A flag's reason in ``language``, for a page that has already established the viewer
    may read the flag's result in full (results over time, the visit report)."""
    return reason_in(flag, library_instrument(flag.result.instrument_id), language)


def flag_views(*, actor: Actor, flags: Iterable[Flag], language: str) -> list[FlagView]:
    """Each flag as this viewer may read it (``flags`` with their results loaded), its reason
    in ``language``."""
    views = []
    for flag in flags:
        level = access(flag.result.sensitivity, actor.permissions)
        if level == "full":
            reason = flag_reason(flag, language)
            views.append(FlagView(flag, level, reason, flag.note))
        else:
            views.append(FlagView(flag, level, str(FOLLOW_UP_NEEDED), ""))
    return views


@dataclass
class VisitScreening:
    plan: list[Planned]
    sessions: list[ScreeningSession]
    results: list[ResultView]
    flags: list[FlagView]
    elsewhere: list[ElsewhereView]

    @property
    def with_result(self) -> set[str]:
        """The instruments this visit has a result of."""
        return {view.result.instrument_id for view in self.results}


def visit_screening(*, actor: Actor, visit: Visit, language: str) -> VisitScreening:
    actor.require(FamilyPerm.VIEW)
    assert actor.clinic is not None
    results = list(
        ScreeningResult.objects.filter(visit=visit)
        .select_related("visit__clinic", "caregiver", "entered_by")
        .defer(*FHIR_COLUMNS)
        .order_by("scored_at")
    )
    elsewhere = list(DoneElsewhere.objects.filter(visit=visit).select_related("recorded_by"))
    if results or elsewhere:
        audit_record_many(
            actor=actor, action=Action.VIEW, objects=[*results, *elsewhere], summary=f"visit {visit.pk}"
        )
    plan = visit_plan(visit=visit, bundle=clinic_bundle(actor.clinic), clinic=actor.clinic, language=language)
    return VisitScreening(
        plan=[_plan_note_for(actor, p) for p in plan],
        sessions=list(ScreeningSession.objects.filter(visit=visit).select_related("caregiver")),
        results=result_views(actor=actor, results=results, language=language),
        flags=flag_views(
            actor=actor,
            flags=Flag.objects.filter(visit=visit)
            .select_related("resolved_by", "result")
            .defer(*(f"result__{name}" for name in FHIR_COLUMNS)),
            language=language,
        ),
        elsewhere=[
            ElsewhereView(r, access(_labels_of(r.instrument_id), actor.permissions)) for r in elsewhere
        ],
    )


def family_summary_results(*, actor: Actor, visit: Visit, language: str) -> list[ResultView]:
    """What the summary printed for the family shows: the visit's results about the child
    with no sensitivity label (never a caregiver's own screen, nor a labelled result, whoever
    prints it)."""
    actor.require(FamilyPerm.VIEW)
    rows = (
        ScreeningResult.objects.filter(visit=visit)
        .exclude(respondent="caregiver-self")
        .select_related("visit__clinic", "caregiver", "entered_by")
        .defer(*FHIR_COLUMNS)
        .order_by("scored_at")
    )
    results = [r for r in rows if not r.sensitivity]
    if results:
        audit_record_many(
            actor=actor, action=Action.VIEW, objects=results, summary=f"summary of visit {visit.pk}"
        )
    return result_views(actor=actor, results=results, language=language)


def _plan_note_for(actor: Actor, planned: Planned) -> Planned:
    """An instrument the plan added after a positive result says so, and staff's reason for
    adding one is read, only by a viewer who may see that instrument's results in full."""
    if planned.follows and access(_labels_of(planned.follows), actor.permissions) != "full":
        return replace(planned, note=_("added after an earlier screen"))
    if planned.added and planned.note and access(_labels_of(planned.id), actor.permissions) != "full":
        return replace(planned, note=_("added by staff"))
    return planned


@dataclass(frozen=True)
class PaperForm:
    """What the page for entering a paper form needs: the instrument as the clinic uses it at
    the visit (its licensed text, if loaded) and the category the result will fill."""

    instrument: Instrument
    category: str

    @property
    def about_caregiver(self) -> bool:
        return self.instrument.respondent == "caregiver-self"

    @property
    def family_answers(self) -> bool:
        return self.instrument.respondent in ("caregiver-self", "caregiver-about-child")


def paper_form(*, actor: Actor, visit: Visit, instrument_id: str) -> PaperForm:
    """Any instrument of the library, for staff to enter a paper form at ``visit``; 404 for
    an id the library does not know (or a checklist with no form for the visit's age)."""
    actor.require(ScreeningPerm.MANAGE)
    assert actor.clinic is not None
    instrument = load(instrument_id, clinic=actor.clinic, visit=visit)
    if instrument is None:
        raise Http404
    return PaperForm(instrument=instrument, category=category_for(actor.clinic, visit, instrument))


@dataclass(frozen=True)
class EvidenceChoices:
    """What the visit's forms offer: the categories still to do at the visit (for a screen
    done elsewhere) and every instrument of the library (to add, or to name)."""

    categories: list[tuple[str, str]]
    instruments: list[tuple[str, str]]


def evidence_choices(*, actor: Actor, visit: Visit, language: str) -> EvidenceChoices:
    actor.require(ScreeningPerm.MANAGE)
    assert actor.clinic is not None
    bundle = clinic_bundle(actor.clinic)
    report = visit_due(visit=visit, bundle=bundle)
    instruments = registry.for_clinic(actor.clinic)
    return EvidenceChoices(
        categories=[(i.category, bundle.label(i.category, language)) for i in report.not_done],
        instruments=sorted(
            ((i.id, i.title_in(language)) for i in instruments), key=lambda pair: pair[1].casefold()
        ),
    )


def session_get(*, actor: Actor, session_id: uuid.UUID | str) -> ScreeningSession:
    actor.require(FamilyPerm.VIEW)
    try:
        session = ScreeningSession.objects.select_related("visit__child", "caregiver", "child").get(
            pk=session_id
        )
    except (ScreeningSession.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    audit_record(actor=actor, action=Action.VIEW, obj=session)
    return session


def flag_get(*, actor: Actor, flag_id: uuid.UUID | str) -> Flag:
    actor.require(FamilyPerm.VIEW)
    try:
        flag = Flag.objects.select_related("visit__child", "result", "resolved_by").get(pk=flag_id)
    except (Flag.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    audit_record(actor=actor, action=Action.VIEW, obj=flag)
    return flag


@dataclass(frozen=True)
class AlertSummary:
    open_alerts: int
    escalated: int
    open_follow_ups: int


def alert_summary(*, actor: Actor) -> AlertSummary:
    """The clinic-wide banner: open safety alerts, how many were escalated. A pure read."""
    # Counted from the index flag_open alone (clinic, resolved_at, severity, escalated_at):
    # every staff page polls this, so it reads no row of the table.
    counts = Flag.objects.filter(resolved_at__isnull=True).aggregate(
        alerts=Count("severity", filter=Q(severity=Flag.Severity.ALERT)),
        escalated=Count("severity", filter=Q(severity=Flag.Severity.ALERT, escalated_at__isnull=False)),
        follow_ups=Count("severity", filter=Q(severity=Flag.Severity.FOLLOW_UP)),
    )
    return AlertSummary(counts["alerts"], counts["escalated"], counts["follow_ups"])


def huddle_flags(visits: Sequence[Visit]) -> Mapping[uuid.UUID, list[HuddleNote]]:
    """Huddle notes: open safety alerts and follow-ups for the children of the day (one
    query for all visits; the text names no instrument, so every role may read it)."""
    by_child: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for visit in visits:
        by_child[visit.child_id].append(visit.pk)
    notes: dict[uuid.UUID, list[HuddleNote]] = defaultdict(list)
    if not by_child:
        return notes
    counts: dict[tuple[uuid.UUID, str], int] = defaultdict(int)
    for child_id, severity in Flag.objects.filter(
        child_id__in=by_child, resolved_at__isnull=True
    ).values_list("child_id", "severity"):
        counts[(child_id, severity)] += 1
    for (child_id, severity), n in counts.items():
        if severity == Flag.Severity.ALERT:
            note = HuddleNote("flag", _("Safety alert: a clinician must acknowledge it"), "alert")
        else:
            note = HuddleNote("flag", _("%(n)s positive screen(s) to follow up") % {"n": n}, "warning")
        for visit_id in by_child[child_id]:
            notes[visit_id].append(note)
    return notes
