"""What the staff and family sides of a screening session share: the session locked for a
write, a new link token, its instruments read once, scoring its saved answers, and telling
the domains above what was recorded."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.instruments import engine
from dyadcare.instruments.engine import Instrument
from dyadcare.publiclinks.tokens import new_token, token_hash
from dyadcare.screening.events import FlagRaised, ResultRecorded
from dyadcare.screening.internal.plan import VisitInstruments, safety_items
from dyadcare.screening.internal.scoring import Scored, prepare, store
from dyadcare.screening.models import ScreeningSession
from dyadcare.tenancy.events import emit


def locked(session: ScreeningSession) -> ScreeningSession:
    """The session as stored now, locked for this transaction (two tabs, a staff member).

    Only the session's own row is locked (``of=self``, and not against new rows that refer
    to it): locking the joined clinic and child rows too held up, on PostgreSQL, every other
    transaction of the clinic whose audit entry's foreign keys are checked at commit, and
    deadlocked with the audit chain's lock under load (bench/load_test.py)."""
    return (
        ScreeningSession.objects.select_for_update(of=("self",), no_key=True)
        .select_related("clinic__network", "visit__child", "caregiver", "child")
        .get(pk=session.pk)
    )


def issue_token(session: ScreeningSession) -> str:
    """A new link for the session: only its hash is kept; the previous link stops working.
    A link sent to the family works ``SCREENING_LINK_HOURS``; the clinic tablet's ends with
    the visit's day, and at most ``TABLET_LINK_HOURS`` after it is opened."""
    token = new_token()
    session.token_hash = token_hash(token)
    session.token_expires_at = token_expiry(session)
    return token


def token_expiry(session: ScreeningSession) -> datetime:
    now = timezone.now()
    if session.mode != ScreeningSession.Mode.KIOSK:
        return now + timedelta(hours=settings.SCREENING_LINK_HOURS)
    visit_day = timezone.localtime(session.visit.scheduled_for).date()
    day_ends = timezone.make_aware(datetime.combine(visit_day + timedelta(days=1), time.min))
    ends = min(now + timedelta(hours=settings.TABLET_LINK_HOURS), day_ends)
    if ends <= now:
        raise ValidationError(_("The clinic tablet can be used on the day of the visit only."))
    return ends


class SessionInstruments:
    """The session's instruments as its clinic uses them, read as one set (two queries) the
    first time a request asks for one."""

    def __init__(self, session: ScreeningSession) -> None:
        self.session = session
        self._loaded: VisitInstruments | None = None

    @property
    def loaded(self) -> VisitInstruments:
        if self._loaded is None:
            session = self.session
            self._loaded = VisitInstruments(
                clinic=session.clinic, visit=session.visit, ids=session.instrument_ids
            )
        return self._loaded

    def get(self, instrument_id: str) -> Instrument | None:
        if instrument_id not in self.session.instrument_ids:
            return None
        return self.loaded.get(instrument_id)

    def all(self) -> list[Instrument | None]:
        return [self.get(ident) for ident in self.session.instrument_ids]

    def copyright(self, instrument: Instrument, language: str) -> str:
        """The notice the family sees with the items: the clinic's own for a licensed text."""
        return self.loaded.copyright(instrument, language)


def score_saved_answers(session: ScreeningSession, instruments: SessionInstruments) -> list[Scored]:
    """Score every instrument of the session that has an answer and store the results (the
    evidence that their categories were done) and their flags."""
    return store_prepared(prepare_saved_answers(session, instruments))


def prepare_saved_answers(session: ScreeningSession, instruments: SessionInstruments) -> list[Scored]:
    """The results of every instrument of the session that has an answer, with their flags,
    scored and built but not saved (no query once the instruments are loaded): a submit does
    this before its transaction, so the write lock is not held through the CPU work."""
    prepared = []
    now = timezone.now()
    for entry in session.instruments:
        instrument = instruments.get(entry["id"])
        if instrument is None:
            continue
        answers = engine.parse_answers(
            instrument, session.answers.get(entry["id"], [None] * len(instrument.items))
        )
        if all(a is None for a in answers):
            continue
        prepared.append(
            prepare(
                instrument=instrument,
                answers=answers,
                visit=session.visit,
                caregiver=session.caregiver,
                language=session.language,
                category=entry.get("category", ""),
                scored_at=now,
                session=session,
            )
        )
    return prepared


def store_prepared(prepared: list[Scored]) -> list[Scored]:
    """Save prepared results and flags (two inserts) and announce them (after commit)."""
    store(prepared)
    for result in prepared:
        announce(result)
    return prepared


def announce(scored: Scored) -> None:
    """Tell the domains above what was recorded (delivered after the transaction commits)."""
    result = scored.result
    emit(
        ResultRecorded(
            clinic_id=result.clinic_id,
            result_id=result.pk,
            child_id=result.child_id,
            visit_id=result.visit_id,
            instrument_id=result.instrument_id,
            category=result.category,
            positive=result.positive,
        )
    )
    for flag in scored.flags:
        emit(
            FlagRaised(clinic_id=flag.clinic_id, flag_id=flag.pk, result_id=result.pk, severity=flag.severity)
        )


def answered_a_safety_question(session: ScreeningSession, instruments: SessionInstruments) -> bool:
    """Whether the family answered a safety question (a critical item, a safety domain, or a
    violence screen): their thank-you page then shows crisis lines."""
    for entry in session.instruments:
        instrument = instruments.get(entry["id"])
        if instrument is None:
            continue
        answers = session.answers.get(entry["id"], [])
        for number in safety_items(instrument):
            if number <= len(answers) and answers[number - 1] is not None:
                return True
    return False
