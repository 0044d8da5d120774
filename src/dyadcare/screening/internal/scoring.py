"""Scoring a set of answers and storing the result with its flags: used when a family
submits, when staff enter a score-only instrument, and by the demo."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.utils import translation
from django.utils.translation import gettext as _

from dyadcare.families.models import Caregiver
from dyadcare.instruments import engine, parameters
from dyadcare.instruments.engine import Instrument
from dyadcare.screening.models import Flag, ScreeningResult, ScreeningSession
from dyadcare.tenancy.models import User
from dyadcare.touchpoints.models import Visit


@dataclass(frozen=True)
class Scored:
    result: ScreeningResult
    flags: list[Flag]


def labels(instrument: Instrument) -> list[str]:
    return sorted({label["code"] for label in instrument.sensitivity if label.get("code")})


def flag_rules(instrument: Instrument) -> dict[str, Any]:
    """The instrument's own flag rules from its data file (``flags``): which positive result
    or positive domain is a safety alert rather than a follow-up, each with its source."""
    rules: dict[str, Any] = dict(instrument.raw.get("flags", {}))
    return rules


class Scores(Protocol):
    """What the flag rules read of a result: a fresh engine score or a stored result."""

    @property
    def positive(self) -> bool | None: ...

    @property
    def critical_items(self) -> Sequence[int]: ...

    @property
    def domains(self) -> Mapping[str, bool]: ...


def flags_for(instrument: Instrument, score: Scores, language: str = "en") -> list[tuple[str, str]]:
    """(severity, reason) for each flag a result raises, the reason in ``language`` (stored in
    English; pages show it in theirs through :func:`reason_in`). A critical answer is a safety
    alert; so is what the instrument's data file marks as one (a positive HITS, the AHC safety
    domain); any other positive screen is a follow-up."""
    raised: list[tuple[str, str]] = []
    with translation.override(language):
        title = instrument.title_in(language)
        for number in score.critical_items:
            reason = _("%(title)s: critical answer on item %(n)s") % {"title": title, "n": number}
            raised.append((Flag.Severity.ALERT, reason))
        rules = flag_rules(instrument)
        marked = [rule for name, rule in rules.get("domains", {}).items() if score.domains.get(name)]
        if score.positive and "positive" in rules:
            marked.append(rules["positive"])
        alerts = [_in(rule["reason"], language) for rule in marked if rule["severity"] == "alert"]
        for why in dict.fromkeys(alerts):
            raised.append((Flag.Severity.ALERT, f"{title}: {why}"))
        if not raised and score.positive:
            raised.append((Flag.Severity.FOLLOW_UP, _("%(title)s: positive screen") % {"title": title}))
    return raised


def _in(text: str | Mapping[str, str], language: str) -> str:
    """A data file's text in ``language``: a plain string is English."""
    if isinstance(text, str):
        return text
    return text.get(language) or text["en"]


def reason_in(flag: Flag, instrument: Instrument | None, language: str) -> str:
    """The flag's reason in ``language``: the flag rules run again on its stored result, and
    the reason at the stored one's place is given in ``language`` (the stored English reason
    when the instrument is gone or the rules have changed since)."""
    if language == "en" or instrument is None:
        return flag.reason
    english = flags_for(instrument, flag.result)
    for (_severity, stored), (_same, translated) in zip(
        english, flags_for(instrument, flag.result, language), strict=True
    ):
        if stored == flag.reason:
            return translated
    return flag.reason


def score_and_store(
    *,
    instrument: Instrument,
    answers: Sequence[engine.Answer],
    visit: Visit,
    caregiver: Caregiver | None,
    language: str,
    category: str,
    scored_at: datetime,
    session: ScreeningSession | None = None,
    entered_by: User | None = None,
    with_fhir: bool = True,
) -> Scored:
    """Score ``answers`` (already checked with ``engine.parse_answers``), save the result and
    its flags (see :func:`prepare`)."""
    scored = prepare(
        instrument=instrument,
        answers=answers,
        visit=visit,
        caregiver=caregiver,
        language=language,
        category=category,
        scored_at=scored_at,
        session=session,
        entered_by=entered_by,
        with_fhir=with_fhir,
    )
    store([scored])
    return scored


def prepare(
    *,
    instrument: Instrument,
    answers: Sequence[engine.Answer],
    visit: Visit,
    caregiver: Caregiver | None,
    language: str,
    category: str,
    scored_at: datetime,
    session: ScreeningSession | None = None,
    entered_by: User | None = None,
    with_fhir: bool = True,
) -> Scored:
    """The result of ``answers`` and its flags, built but not saved: all the CPU work of a
    result (the score, the FHIR JSON, the flag reasons) and no query, so a caller can do it
    before opening its transaction. The result keeps the instrument's version and the
    parameter values it was scored with. With ``with_fhir`` the QuestionnaireResponse and
    Observations are set too, derived from the one score."""
    score = engine.score(instrument, answers, language=language)
    result = _result_row(
        instrument=instrument,
        answers=answers,
        score=score,
        visit=visit,
        caregiver=caregiver,
        language=language,
        category=category,
        scored_at=scored_at,
        session=session,
        entered_by=entered_by,
    )
    if with_fhir and instrument.kind != "score-entry":
        _add_fhir_resources(result, instrument, answers, score)
    return Scored(result=result, flags=_flags(result, instrument, score))


def store(scored: Sequence[Scored]) -> None:
    """Save prepared results and their flags: one insert for the results, one for the flags."""
    ScreeningResult.objects.bulk_create([s.result for s in scored])
    flags = [flag for s in scored for flag in s.flags]
    if flags:
        Flag.objects.bulk_create(flags)


def _result_row(
    *,
    instrument: Instrument,
    answers: Sequence[engine.Answer],
    score: engine.ScoreResult,
    visit: Visit,
    caregiver: Caregiver | None,
    language: str,
    category: str,
    scored_at: datetime,
    session: ScreeningSession | None,
    entered_by: User | None,
) -> ScreeningResult:
    """The result, not yet saved, with the version and parameter values it was scored with."""
    return ScreeningResult(
        id=uuid.uuid4(),
        clinic_id=visit.clinic_id,
        session=session,
        visit=visit,
        child_id=visit.child_id,
        caregiver=caregiver,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        parameters=parameters.values_of(instrument),
        category=category,
        respondent=instrument.respondent,
        language=language,
        answers=list(answers),
        total=score.total,
        band=score.band or "",
        positive=score.positive,
        critical_items=list(score.critical_items),
        subscores=dict(score.subscores),
        domains=dict(score.domains),
        complete=score.complete,
        sensitivity=labels(instrument),
        entered_by=entered_by,
        scored_at=scored_at,
    )


def _add_fhir_resources(
    result: ScreeningResult,
    instrument: Instrument,
    answers: Sequence[engine.Answer],
    score: engine.ScoreResult,
) -> None:
    """Set the result's FHIR QuestionnaireResponse and the Observations of its score (the
    ones ``engine.score_response`` would compute from the response, without scoring it again)."""
    response = engine.build_response(
        instrument,
        answers,
        language=result.language,
        subject={"reference": f"Patient/{result.child_id}"},
        authored=result.scored_at.isoformat(),
        response_id=str(result.id),
    )
    result.questionnaire_response = response
    result.observations = engine.derived_observations(instrument, response, score)


def _flags(result: ScreeningResult, instrument: Instrument, score: engine.ScoreResult) -> list[Flag]:
    """The flags the result raises (see ``flags_for``), not yet saved."""
    return [
        Flag(
            clinic_id=result.clinic_id,
            result=result,
            visit=result.visit,
            child_id=result.child_id,
            severity=severity,
            reason=reason[:200],
            raised_at=result.scored_at,
        )
        for severity, reason in flags_for(instrument, score)
    ]
