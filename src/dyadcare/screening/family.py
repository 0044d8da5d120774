"""What a family's link can do, for any interface that serves it (the family pages today, a
kiosk app or an API tomorrow). Families have no account: the link's token finds the session.

    link = family.open_link(token, ip=..., user_agent=..., path=...)   # or LinkProblem
    with acting_in(link.actor):                                        # the entry point's scope
        family.confirm_dob(link, born)
        step = family.answer(link, instrument_id="phq9", number=3, values=["1"], action="next")
        family.submit(link)

Every function after ``open_link`` runs inside the session's clinic scope, opened once by the
caller, and checks that the link's actor belongs to that clinic.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.instruments import engine
from dyadcare.instruments.engine import Instrument
from dyadcare.publiclinks import throttle
from dyadcare.publiclinks.tokens import looks_like_token, token_hash
from dyadcare.screening.audit_actions import ScreeningAction
from dyadcare.screening.internal import crisis
from dyadcare.screening.internal.answers import AnswerRefused, read_answer
from dyadcare.screening.internal.navigation import REVIEW, Questionnaire, Step
from dyadcare.screening.internal.scoring import Scored
from dyadcare.screening.internal.sessions import (
    SessionInstruments,
    answered_a_safety_question,
    locked,
    prepare_saved_answers,
    store_prepared,
)
from dyadcare.screening.models import DOB_WRONG_LIMIT, ScreeningSession
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.tenancy.scope import unscoped

__all__ = [
    "DOB_ATTEMPTS",
    "DOB_LOCK_MINUTES",
    "DOB_WRONG_LIMIT",
    "LANGUAGES",
    "REVIEW",
    "AnswerRefused",
    "FamilyLink",
    "LinkProblem",
    "NotAQuestion",
    "Step",
    "Submitted",
    "answer",
    "confirm_dob",
    "crisis_resources",
    "link_to",
    "open_closed_link",
    "open_link",
    "record_review",
    "set_language",
    "submit",
]

Status = ScreeningSession.Status
DOB_ATTEMPTS = 5
DOB_LOCK_MINUTES = 15
LANGUAGES = ("en", "es")
KIND = "family"  # the public-link throttle's kind
crisis_resources = crisis.crisis_resources


class LinkProblem(Exception):
    """Why a family link cannot be used: ``unknown``, ``expired``, ``submitted``,
    ``cancelled``, ``locked`` (paused after wrong dates of birth), ``wrong_dates`` (closed
    after too many, until the clinic sends a new link) or ``throttled``."""

    def __init__(self, kind: str, session: ScreeningSession | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.session = session


class NotAQuestion(Exception):
    """The address names no question of this session (an old link, a typed address)."""


@dataclass
class FamilyLink:
    """An open link: the session, the family's actor (for the audit log), and the session's
    instruments read once for the whole request."""

    session: ScreeningSession
    actor: Actor
    instruments: SessionInstruments = field(init=False)

    def __post_init__(self) -> None:
        self.instruments = SessionInstruments(self.session)

    @property
    def kiosk(self) -> bool:
        return self.session.mode == ScreeningSession.Mode.KIOSK

    @property
    def questionnaire(self) -> Questionnaire:
        return Questionnaire(self.session.instruments, self.session.answers)

    def instrument(self, instrument_id: str) -> Instrument | None:
        return self.instruments.get(instrument_id)

    @cached_property
    def languages(self) -> list[str]:
        """The languages in which every questionnaire of the session can be shown (a clinic
        may have loaded a licensed text in one language only)."""
        loaded = self.instruments.all()
        return [language for language in LANGUAGES if all(_offered(i, language) for i in loaded)]

    def copyright(self, instrument: Instrument, language: str) -> str:
        """The notice the family sees: the clinic's own for a licensed text it loaded."""
        return self.instruments.copyright(instrument, language)

    def crisis_due(self) -> bool:
        """Whether the family answered a safety question: the thank-you page then shows the
        crisis lines."""
        return answered_a_safety_question(self.session, self.instruments)


def _offered(instrument: Instrument | None, language: str) -> bool:
    return (
        instrument is not None
        and language in instrument.languages
        and (instrument.licence != "clinic-supplied" or language in instrument.text_language)
    )


def family_actor(session: ScreeningSession, *, ip: str | None, user_agent: str = "", path: str = "") -> Actor:
    """``path``: the page, with the link's token left out (it is a key to the session)."""
    return Actor(
        label=f"family link (caregiver {session.caregiver_id})",
        clinic=session.clinic,
        network=session.clinic.network,
        ip=ip,
        user_agent=user_agent[:300],
        path=path[:300],
    )


def _find(**lookup: Any) -> ScreeningSession | None:
    with unscoped("a family link names its session: the token is the scope"):
        found: ScreeningSession | None = (
            ScreeningSession.objects.select_related("clinic__network", "caregiver", "child", "visit")
            .filter(**lookup)
            .first()
        )
    return found


def open_link(token: str, *, ip: str | None, user_agent: str = "", path: str = "") -> FamilyLink:
    """The session a link opens. Raises LinkProblem. Links that match nothing are counted
    per address and an address that keeps guessing is turned away for a while; a link that
    matches a session always opens (many families share the clinic's Wi-Fi address)."""
    session = _find(token_hash=token_hash(token)) if looks_like_token(token) else None
    if session is None:
        if throttle.is_throttled(kind=KIND, ip=ip):
            raise LinkProblem("throttled")
        throttle.record_unknown(kind=KIND, ip=ip)
        raise LinkProblem("unknown")
    problem = _problem(session)
    if problem is not None:
        raise problem
    return FamilyLink(session, family_actor(session, ip=ip, user_agent=user_agent, path=path))


def _problem(session: ScreeningSession) -> LinkProblem | None:
    """Why the session's link cannot be used now, if it cannot."""
    now = timezone.now()
    if session.status == Status.SUBMITTED:
        return LinkProblem("submitted", session)
    if session.status == Status.CANCELLED:
        return LinkProblem("cancelled", session)
    if session.token_expires_at and session.token_expires_at < now:
        return LinkProblem("expired", session)
    if session.closed_by_wrong_dates:
        return LinkProblem("wrong_dates", session)
    if session.locked_until and session.locked_until > now:
        return LinkProblem("locked", session)
    return None


def link_to(session: ScreeningSession, *, ip: str | None, user_agent: str = "", path: str = "") -> FamilyLink:
    """A session found through a link that no longer opens the questions (sent, closed,
    expired, locked), for the page that tells the family so."""
    return FamilyLink(session, family_actor(session, ip=ip, user_agent=user_agent, path=path))


def open_closed_link(session_id: str) -> ScreeningSession | None:
    """A session the clinic closed, found by its id. Closing forgets nothing but the link's
    use, so the caller must have proved that the browser held the link (the signed cookie
    the date-of-birth check sets names the session)."""
    try:
        ident = uuid.UUID(str(session_id))
    except ValueError:
        return None
    return _find(pk=ident, status=Status.CANCELLED)


def _current(link: FamilyLink) -> ScreeningSession:
    """The session locked for a write, refused once it is no longer open."""
    link.actor.require_clinic(link.session.clinic_id)
    current = locked(link.session)
    if current.status != Status.OPEN:
        raise LinkProblem(current.status, current)
    return current


@transaction.atomic
def confirm_dob(link: FamilyLink, dob: date | None) -> bool:
    """The caregiver confirms the child's date of birth before any question is shown.
    Five wrong dates pause the link for 15 minutes; ten over its life close it until the
    clinic sends a new link. The link is checked again under the row lock, so guesses sent
    at the same moment are never evaluated beyond those limits: the others raise
    LinkProblem (``locked``, ``wrong_dates``, or whatever else ended the link meanwhile)."""
    link.actor.require_clinic(link.session.clinic_id)
    current = locked(link.session)
    if current.token_hash != link.session.token_hash:
        raise LinkProblem("unknown")  # the clinic issued a newer link meanwhile
    problem = _problem(current)
    if problem is not None:
        raise problem
    if dob is not None and dob == current.child.date_of_birth:
        current.dob_failures = 0
        current.started_at = current.started_at or timezone.now()
        current.save(update_fields=["dob_failures", "started_at", "updated_at"])
        audit_record(
            actor=link.actor,
            action=ScreeningAction.DOB_CONFIRMED,
            obj=current,
            summary="family opened the link",
        )
        return True
    _wrong_date(link, current)
    return False


def _wrong_date(link: FamilyLink, current: ScreeningSession) -> None:
    current.dob_failures += 1
    current.dob_wrong_total += 1
    fields = ["dob_failures", "dob_wrong_total", "updated_at"]
    if not current.closed_by_wrong_dates and current.dob_failures >= DOB_ATTEMPTS:
        current.locked_until = timezone.now() + timedelta(minutes=DOB_LOCK_MINUTES)
        current.dob_failures = 0
        fields.append("locked_until")
    current.save(update_fields=fields)
    link.session.dob_failures = current.dob_failures
    link.session.dob_wrong_total = current.dob_wrong_total
    link.session.locked_until = current.locked_until
    audit_record(
        actor=link.actor,
        action=ScreeningAction.DOB_FAILED,
        obj=current,
        summary="date of birth not confirmed",
    )
    if current.closed_by_wrong_dates:
        audit_record(
            actor=link.actor,
            action=ScreeningAction.LINK_CLOSED_WRONG_DATES,
            obj=current,
            summary=f"{DOB_WRONG_LIMIT} wrong dates of birth: the link is closed until a new one is sent",
        )


def answer(
    link: FamilyLink,
    *,
    instrument_id: str,
    number: int,
    values: Sequence[str],
    action: str = "next",
    to_review: bool = False,
) -> Step:
    """Save one question's answer and say which screen comes next. ``action``: "next"
    saves, "back" saves when an answer is chosen, "skip" leaves it unanswered. Raises
    AnswerRefused (with the reason) and LinkProblem (the session was sent or closed)."""
    questionnaire = link.questionnaire
    step = questionnaire.question(instrument_id, number)
    instrument = link.instrument(instrument_id)
    if step is None or instrument is None:
        raise NotAQuestion(f"{instrument_id} {number}")
    item = instrument.items[number - 1]
    value = None if action == "skip" else read_answer(item, values, language=link.session.language)
    if value is None and action not in ("skip", "back"):
        raise AnswerRefused(
            _("Choose at least one answer, or skip this question.")
            if item.kind == "multi"
            else _("Choose an answer, or skip this question.")
        )
    going_back_empty = action == "back" and value is None  # changes nothing
    if not going_back_empty and value != questionnaire.answer(instrument_id, number):
        _save_answer(link, instrument, number, value)
    return questionnaire.after_answer(step, action, to_review=to_review)


@transaction.atomic
def _save_answer(link: FamilyLink, instrument: Instrument, number: int, value: Any) -> None:
    current = _current(link)
    answers = list(current.answers[instrument.id])
    answers[number - 1] = value
    try:
        engine.parse_answers(instrument, answers)
    except engine.InputError as exc:
        raise AnswerRefused(_("Choose one of the answers shown.")) from exc
    current.answers = {**current.answers, instrument.id: answers}
    current.last_answer_at = timezone.now()
    current.save(update_fields=["answers", "last_answer_at", "updated_at"])
    link.session.answers = current.answers
    audit_record(
        actor=link.actor, action=Action.UPDATE, obj=current, summary=f"answer {instrument.id} {number}"
    )


def record_review(link: FamilyLink) -> None:
    """Audit the page that shows the family their own saved answers."""
    link.actor.require_clinic(link.session.clinic_id)
    audit_record(actor=link.actor, action=Action.VIEW, obj=link.session, summary="family review page")


@transaction.atomic
def set_language(link: FamilyLink, language: str) -> None:
    """The family switches the language of their pages (and of the questions) for the rest of
    the session. Answers are positions, so they stay valid in either language."""
    if language not in LANGUAGES:
        raise ValidationError(_("Family pages are in English or Spanish."))
    if language not in link.languages:
        raise ValidationError(_("These questions are not available in that language."))
    current = _current(link)
    if current.language != language:
        current.language = language
        current.save(update_fields=["language", "updated_at"])
        audit_record(actor=link.actor, action=Action.UPDATE, obj=current, summary=f"language {language}")
    link.session.language = language


@dataclass
class Submitted:
    session: ScreeningSession
    scored: list[Scored] = field(default_factory=list)
    show_crisis_resources: bool = False
    already: bool = False


def submit(link: FamilyLink) -> Submitted:
    """Score every instrument and raise flags. A second submission (another tab, a double
    tap) changes nothing and lands on the same thank-you page.

    The scoring and the FHIR JSON are built before the transaction, from the answers the link
    read; the transaction locks the session, checks it is still open with the same answers
    and language (else scores again, inside), and holds only the inserts."""
    link.actor.require_clinic(link.session.clinic_id)
    prepared: list[Scored] = []
    seen = link.session
    if seen.status == Status.OPEN:
        prepared = prepare_saved_answers(seen, link.instruments)
    with transaction.atomic():
        current = locked(link.session)
        link.session = current
        if current.status == Status.SUBMITTED:
            return Submitted(current, already=True, show_crisis_resources=link.crisis_due())
        if current.status != Status.OPEN:
            raise LinkProblem(current.status, current)
        if (current.answers, current.language, current.instruments) != (
            seen.answers,
            seen.language,
            seen.instruments,
        ) or seen.status != Status.OPEN:
            link.instruments = SessionInstruments(current)
            prepared = prepare_saved_answers(current, link.instruments)
        for built in prepared:
            built.result.session = current
        scored = store_prepared(prepared)
        current.status = Status.SUBMITTED
        current.submitted_at = timezone.now()
        current.save(update_fields=["status", "submitted_at", "updated_at"])
        audit_record(
            actor=link.actor,
            action=ScreeningAction.SUBMITTED,
            obj=current,
            summary=f"submitted, {len(scored)} results",
        )
    return Submitted(current, scored=scored, show_crisis_resources=link.crisis_due())
