"""Demo screening history: results for the completed visits of the last six months, with
realistic rates (about 12% positive caregiver depression screens, a quarter of families
food-insecure, a few critical answers and safety screens), and their flags: recent alerts and
follow-ups left open so the huddle and the alerts page show them on first run, older ones
acknowledged by the clinic's dyadic specialist.

The results are the only record of what was screened (a visit records no ticks), and they are
given the way the demo clinics can give them: the demo clinics load no licensed text, so an
instrument whose text is licensed (EPDS, SWYC, M-CHAT-R, HITS, PEARLS) or score-only (ASQ) is
a paper form entered by the dyadic specialist, and maternal depression is screened either on
the clinic's paper EPDS or by the service model's fallback on the family's link, the PHQ-2,
followed by the PHQ-9 after a positive PHQ-2.

Answers are drawn per visit from a random stream seeded by the demo seed and the visit, then
scored by the instruments engine: the totals, bands and flags are the engine's own.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.utils import timezone

from dyadcare.demo.families import NAMESPACE
from dyadcare.demo.fastinsert import fast_insert
from dyadcare.families.models import CareRelationship
from dyadcare.instruments import engine, parameters
from dyadcare.instruments.engine import Instrument
from dyadcare.instruments.internal import registry
from dyadcare.screening.internal.scoring import flags_for, labels
from dyadcare.screening.models import Flag, ScreeningResult
from dyadcare.tenancy.models import Membership
from dyadcare.tenancy.roles import Role
from dyadcare.touchpoints.bundles import Bundle
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.schedule import child_age

HISTORY_DAYS = 183
OPEN_ALERT_DAYS = 7
OPEN_FOLLOW_UP_DAYS = 14
# Share of screens that come out positive, per instrument (assumptions for the demo; the
# maternal depression rate follows the ~12% positive EPDS/PHQ-9 screens seen in pediatric
# primary care, and a quarter of Medi-Cal families screening positive for food insecurity).
POSITIVE_SHARE = {
    "epds": 0.14,
    "phq9": 0.14,
    "phq2": 0.12,
    "gad2": 0.08,
    "gad7": 0.08,
    "swyc-bpsc": 0.10,
    "swyc-ppsc": 0.10,
    "swyc-posi": 0.06,
    "mchat-r": 0.05,
    "hits": 0.02,
    "taps1": 0.08,
    "pearls-child": 0.15,
    "asq3": 0.12,
    "asqse2": 0.10,
    "hvs": 0.25,
}
# Share of the categories due at a kept visit that were screened there (assumption for the
# demo), and of maternal depression screens given on the clinic's paper EPDS rather than by
# the PHQ-2 fallback on the family's link.
CATEGORY_DONE = {"maternal-depression": 0.85, "family-needs": 0.8}
CATEGORY_DONE_OTHERWISE = 0.92
PAPER_EPDS_SHARE = 0.4
RESOLVED_NOTE = "Discussed with the family at the visit; plan recorded in the chart."
CRITICAL_SHARE = 0.012  # a critical answer (self-harm item) among caregiver depression screens
AHC = {"housing": 0.12, "quality": 0.15, "food": 0.25, "transport": 0.08, "utilities": 0.07, "safety": 0.015}
RESULT_COLUMNS = (
    "id", "clinic", "visit", "child", "caregiver", "instrument_id", "instrument_version", "parameters",
    "category", "respondent", "language", "answers", "total", "band", "positive", "critical_items",
    "subscores", "domains", "complete", "sensitivity", "entered_by", "scored_at", "created_at",
    "updated_at",
)  # fmt: skip
FLAG_COLUMNS = (
    "id", "clinic", "result", "visit", "child", "severity", "reason", "raised_at", "resolved_at",
    "resolved_by", "note", "created_at", "updated_at",
)  # fmt: skip


def _lowest(item: engine.AnswerItem) -> int:
    return min(item.options, key=lambda o: o.weight).position


def _draw(instrument: Instrument, rng: random.Random, risk: float) -> list[Any]:
    """Answers with each item away from its lowest-risk option with probability ``risk``."""
    answers: list[Any] = []
    for item in instrument.items:
        if item.kind == "numeric":
            assert item.maximum is not None
            answers.append(
                round(
                    item.maximum * (rng.uniform(0.1, 0.45) if rng.random() < risk else rng.uniform(0.55, 1))
                )
            )
        elif item.kind == "multi":
            exclusive = [o.position for o in item.options if o.exclusive or o.weight == 0]
            if rng.random() < risk or not exclusive:
                choices = [o.position for o in item.options if o.position not in exclusive]
                answers.append(sorted(rng.sample(choices, k=min(len(choices), rng.randint(1, 2)))))
            else:
                answers.append([exclusive[0]])
        elif rng.random() < risk:
            answers.append(rng.randrange(len(item.options)))
        else:
            answers.append(_lowest(item))
    return answers


def _score_entry(instrument: Instrument, rng: random.Random, positive: bool) -> list[Any]:
    """ASQ-style entry: area scores with the zone that matches them."""
    answers: list[Any] = []
    below = rng.randrange(len(instrument.items) // 2) if positive else -1
    for index in range(0, len(instrument.items), 2):
        area = instrument.items[index]
        assert area.maximum is not None
        if index // 2 == below:
            answers += [round(area.maximum * rng.uniform(0.1, 0.35)), 2]
        else:
            answers += [round(area.maximum * rng.uniform(0.7, 1.0)), 0]
    if instrument.id == "asqse2":  # one total; a high score is the concern
        return [round(rng.uniform(120, 200)), 2] if positive else [round(rng.uniform(0, 40)), 0]
    return answers[: len(instrument.items)]


def _ahc(instrument: Instrument, rng: random.Random) -> list[Any]:
    answers = [
        (1 if rng.random() < 0.7 else 2) if rng.random() < AHC["housing"] else 0,
        sorted(rng.sample(range(7), k=rng.randint(1, 2))) if rng.random() < AHC["quality"] else [7],
    ]
    food = rng.random() < AHC["food"]
    answers += [rng.choice([0, 1]) if food else 2, rng.choice([0, 1]) if food and rng.random() < 0.8 else 2]
    answers.append(0 if rng.random() < AHC["transport"] else 1)
    answers.append((0 if rng.random() < 0.8 else 2) if rng.random() < AHC["utilities"] else 1)
    unsafe = rng.random() < AHC["safety"]
    answers += [rng.randint(2, 4) if unsafe else 0 for _ in range(4)]
    return answers[: len(instrument.items)]


def demo_answers(instrument: Instrument, rng: random.Random) -> list[Any]:
    """Answers for one screen at the demo's rates (checked by the engine)."""
    if instrument.id == "ahc-hrsn":
        raw = _ahc(instrument, rng)
    elif instrument.kind == "score-entry":
        raw = _score_entry(instrument, rng, rng.random() < POSITIVE_SHARE.get(instrument.id, 0.1))
    elif instrument.kind == "surveillance":
        raw = _draw(instrument, rng, 0.06)
    else:
        want = rng.random() < POSITIVE_SHARE.get(instrument.id, 0.1)
        raw = _draw(instrument, rng, 0.05)
        for _ in range(30):
            candidate = _draw(instrument, rng, 0.5 if want else 0.05)
            if bool(engine.score(instrument, engine.parse_answers(instrument, candidate)).positive) == want:
                raw = candidate
                break
        critical = [c.item for c in instrument.scoring.critical]
        for number in critical:
            raw[number - 1] = _lowest(instrument.item(number))
        if critical and rng.random() < CRITICAL_SHARE:
            raw[critical[0] - 1] = next(
                o.position for o in instrument.item(critical[0]).options if o.weight > 0
            )
    return list(engine.parse_answers(instrument, raw))


@dataclass(frozen=True)
class HistoryDraw:
    """What every visit's results and flags are drawn with."""

    seed: int
    until: datetime  # the start of the anchor day: the history ends there
    now: datetime
    primary_caregivers: dict[uuid.UUID, uuid.UUID]  # child → primary caregiver
    specialists: dict[uuid.UUID, uuid.UUID]  # clinic → the dyadic specialist who resolves flags


class CompletedVisit(NamedTuple):
    """A completed visit of the history, as read for screening."""

    id: uuid.UUID
    clinic_id: uuid.UUID
    child_id: uuid.UUID
    touchpoint: str
    scheduled_for: datetime
    date_of_birth: date
    gestational_age_days: int | None

    @property
    def screening_months(self) -> float:
        """The child's age instruments are chosen by at this visit (the one age rule)."""
        day = timezone.localtime(self.scheduled_for).date()
        return child_age(self.date_of_birth, self.gestational_age_days, day).screening_months


class LibraryByAge:
    """The library's instruments, each read once; a family of forms by age (``cdc-milestones``)
    stands for its form for the child's screening age (corrected while it applies), as the
    visit's plan chooses it."""

    def __init__(self) -> None:
        self._read: dict[str, Instrument | None] = {}

    def at(self, ident: str, months: float) -> Instrument | None:
        """The instrument given to a child of screening age ``months``, or None if the
        library has none."""
        name = ident
        if registry.library().family(ident):
            form = registry.library().for_age(ident, months)
            if form is None:
                return None
            name = form.id
        if name not in self._read:
            try:
                self._read[name] = registry.get(name)
            except engine.InputError:
                self._read[name] = None
        return self._read[name]


def build_screening_history(*, seed: int, anchor: date, clinic_models: dict[uuid.UUID, str]) -> int:
    """Create the results and flags (inside an unscoped block); returns how many results."""
    tz = timezone.get_current_timezone()
    since = datetime.combine(anchor - timedelta(days=HISTORY_DAYS), time.min, tzinfo=tz)
    until = datetime.combine(anchor, time.min, tzinfo=tz)
    bundles = {clinic_id: Bundle(service_model=model) for clinic_id, model in clinic_models.items()}
    draw = HistoryDraw(
        seed=seed,
        until=until,
        now=timezone.now(),
        primary_caregivers=dict(
            CareRelationship.objects.filter(is_primary=True).values_list("child_id", "caregiver_id")
        ),
        specialists=dict(
            Membership.objects.filter(role=Role.DYADIC_SPECIALIST, clinic__isnull=False)
            .order_by("-created_at")
            .values_list("clinic_id", "user_id")
        ),
    )
    library = LibraryByAge()
    results: list[tuple[Any, ...]] = []
    flags: list[tuple[Any, ...]] = []
    for visit in _completed_visits(since, until):
        visit_results, visit_flags = _screen_visit(draw, visit, bundles[visit.clinic_id], library)
        results += visit_results
        flags += visit_flags
    before = ScreeningResult.objects.count()
    fast_insert(ScreeningResult, RESULT_COLUMNS, results)
    fast_insert(Flag, FLAG_COLUMNS, flags)
    return int(ScreeningResult.objects.count() - before)


def _completed_visits(since: datetime, until: datetime) -> list[CompletedVisit]:
    """The completed visits at a touchpoint scheduled from ``since`` to before ``until``."""
    return [
        CompletedVisit(*row)
        for row in Visit.objects.filter(
            status=Visit.Status.COMPLETED, scheduled_for__gte=since, scheduled_for__lt=until
        )
        .exclude(touchpoint="")
        .order_by("id")
        .values_list(
            "id",
            "clinic_id",
            "child_id",
            "touchpoint",
            "scheduled_for",
            "child__date_of_birth",
            "child__gestational_age_days",
        )
    ]


def _screen_visit(
    draw: HistoryDraw, visit: CompletedVisit, bundle: Bundle, library: LibraryByAge
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The result rows and flag rows of the categories screened at one completed visit, drawn
    from the visit's own random stream."""
    rng = random.Random(f"{draw.seed}:screening:{visit.id}")
    results: list[tuple[Any, ...]] = []
    flags: list[tuple[Any, ...]] = []
    for entry in bundle.due_at(visit.touchpoint):
        if not entry.instruments or rng.random() >= CATEGORY_DONE.get(
            entry.category, CATEGORY_DONE_OTHERWISE
        ):
            continue
        given = _given(draw, visit, bundle, entry.category, entry.instruments[0], library, rng)
        while given:
            instrument, entered_by, then = given.pop(0)
            answers = demo_answers(instrument, rng)
            score = engine.score(instrument, answers)
            result_id = uuid.uuid5(NAMESPACE, f"{draw.seed}:result:{visit.id}:{instrument.id}")
            scored_at = visit.scheduled_for + timedelta(minutes=10 + 5 * len(results))
            results.append(
                (
                    result_id, visit.clinic_id, visit.id, visit.child_id,
                    draw.primary_caregivers.get(visit.child_id), instrument.id, instrument.version,
                    parameters.values_of(instrument), entry.category, instrument.respondent, "en",
                    answers, score.total, score.band or "", score.positive, list(score.critical_items),
                    dict(score.subscores), dict(score.domains), score.complete, labels(instrument),
                    entered_by, scored_at, draw.now, draw.now,
                )
            )  # fmt: skip
            for severity, reason in flags_for(instrument, score):
                flags.append(_flag_row(draw, visit, result_id, scored_at, severity, reason, rng))
            if score.positive:
                given += [(follow, entered_by, ()) for follow in then]
    return results, flags


Given = tuple[Instrument, "uuid.UUID | None", tuple[Instrument, ...]]


def _given(
    draw: HistoryDraw,
    visit: CompletedVisit,
    bundle: Bundle,
    category: str,
    first: str,
    library: LibraryByAge,
    rng: random.Random,
) -> list[Given]:
    """The instruments given for a category at a visit, as the demo clinics can give them:
    each with who entered it (None: the family on their link; the clinic's dyadic specialist:
    a paper form, or a staff-scored instrument) and what follows a positive result."""
    specialist = draw.specialists.get(visit.clinic_id)
    months = visit.screening_months
    instrument = library.at(first, months)
    if instrument is None:
        return []
    fallback = bundle.fallback(category, first)
    if fallback is not None and instrument.licence == "clinic-supplied" and rng.random() >= PAPER_EPDS_SHARE:
        given: list[Given] = []
        for use in (library.at(u, months) for u in fallback.use):
            if use is not None:
                then = (library.at(t, months) for t in fallback.after_positive.get(use.id, ()))
                given.append((use, None, tuple(t for t in then if t is not None)))
        return given
    return [(instrument, specialist if instrument.licence != "bundled" else None, ())]


def _flag_row(
    draw: HistoryDraw,
    visit: CompletedVisit,
    result_id: uuid.UUID,
    scored_at: datetime,
    severity: str,
    reason: str,
    rng: random.Random,
) -> tuple[Any, ...]:
    """A flag a result raised: still open if recent, otherwise resolved by the specialist."""
    keep_open = OPEN_ALERT_DAYS if severity == Flag.Severity.ALERT else OPEN_FOLLOW_UP_DAYS
    resolved = scored_at < draw.until - timedelta(days=keep_open)
    return (
        uuid.uuid5(NAMESPACE, f"{draw.seed}:flag:{result_id}:{severity}"), visit.clinic_id, result_id,
        visit.id, visit.child_id, severity, reason[:200], scored_at,
        scored_at + timedelta(minutes=rng.randint(3, 40)) if resolved else None,
        draw.specialists.get(visit.clinic_id) if resolved else None,
        RESOLVED_NOTE if resolved else "",
        draw.now, draw.now,
    )  # fmt: skip


__all__: Sequence[str] = ["build_screening_history", "demo_answers"]
