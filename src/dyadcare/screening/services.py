"""Writes for screening: starting a session, sending its link, the family's answers and
submission, staff-entered scores, acknowledging flags. One transaction each, audited."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dyadcare.families.models import Caregiver, CareRelationship
from dyadcare.instruments import engine
from dyadcare.publiclinks import throttle
from dyadcare.publiclinks.tokens import looks_like_token, new_token, token_hash
from dyadcare.screening.audit_actions import ScreeningAction
from dyadcare.screening.events import FlagRaised, FlagResolved, ResultRecorded
from dyadcare.screening.internal import crisis
from dyadcare.screening.internal.notify import clinic_admin_emails, notify_escalation
from dyadcare.screening.internal.plan import InstrumentCache, Planned, load, safety_items, visit_plan
from dyadcare.screening.internal.scoring import Scored, score_and_store
from dyadcare.screening.models import Flag, Message, ScreeningSession
from dyadcare.screening.permissions import ScreeningPerm
from dyadcare.screening.senders import SendError, send_email, send_sms
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.tenancy.events import emit
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.selectors import clinic_bundle

Status = ScreeningSession.Status
DOB_ATTEMPTS = 5
DOB_LOCK_MINUTES = 15
LINK_FAILURES_PER_ADDRESS = throttle.FAILURES_PER_ADDRESS
LINK_FAILURE_WINDOW_MINUTES = throttle.WINDOW_MINUTES


def _locked(session: ScreeningSession) -> ScreeningSession:
    return (
        ScreeningSession.objects.select_for_update()
        .select_related("visit__child", "caregiver")
        .get(pk=session.pk)
    )


def _issue_token(session: ScreeningSession) -> str:
    token = new_token()
    session.token_hash = token_hash(token)
    session.token_expires_at = timezone.now() + timedelta(hours=settings.SCREENING_LINK_HOURS)
    return token


# Staff side ------------------------------------------------------------------------------


@transaction.atomic
def screening_start(
    *,
    actor: Actor,
    visit: Visit,
    caregiver: Caregiver,
    instrument_ids: Sequence[str],
    language: str,
    mode: str = ScreeningSession.Mode.LINK,
) -> tuple[ScreeningSession, str]:
    """Open a session for ``caregiver`` with the chosen instruments of the visit's plan.
    Returns the session and its link token (shown or sent once, then only its hash is kept)."""
    actor.require(ScreeningPerm.MANAGE)
    actor.require_clinic(visit.clinic_id)
    if language not in ("en", "es"):
        raise ValidationError({"language": [_("Family pages are in English or Spanish.")]})
    if not CareRelationship.objects.filter(child_id=visit.child_id, caregiver=caregiver).exists():
        raise ValidationError({"caregiver": [_("This person is not recorded as the child's caregiver.")]})
    if visit.status not in (Visit.Status.SCHEDULED, Visit.Status.ARRIVED):
        raise ValidationError(_("Screenings are started from a visit that is booked or in progress."))
    assert actor.clinic is not None
    plan = {
        p.id: p
        for p in visit_plan(
            visit=visit, bundle=clinic_bundle(actor.clinic), clinic=actor.clinic, language=language
        )
    }
    chosen: list[Planned] = []
    for ident in dict.fromkeys(instrument_ids):
        planned = plan.get(ident)
        if planned is None:
            raise ValidationError({"instruments": [_("%(id)s is not due at this visit.") % {"id": ident}]})
        if not planned.family_can_answer:
            raise ValidationError(
                {"instruments": [f"{planned.instrument.title_in(language)}: {planned.why_not}"]}
            )
        chosen.append(planned)
    if not chosen:
        raise ValidationError({"instruments": [_("Choose at least one questionnaire.")]})
    if ScreeningSession.objects.filter(visit=visit, caregiver=caregiver, status=Status.OPEN).exists():
        already = _("This caregiver already has an open screening here: resend its link or close it.")
        raise ValidationError(already)
    session = ScreeningSession(
        clinic_id=visit.clinic_id,
        visit=visit,
        child_id=visit.child_id,
        caregiver=caregiver,
        mode=mode,
        language=language,
        instruments=[{"id": p.id, "category": p.category, "items": len(p.instrument.items)} for p in chosen],
        answers={p.id: [None] * len(p.instrument.items) for p in chosen},
        created_by=actor.user,
    )
    token = _issue_token(session)
    session.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=session,
        summary=f"screening {', '.join(session.instrument_ids)}",
    )
    return session, token


@transaction.atomic
def screening_new_link(*, actor: Actor, session: ScreeningSession, mode: str) -> str:
    """A fresh token for the session (the previous link stops working); answers are kept."""
    actor.require(ScreeningPerm.MANAGE)
    actor.require_clinic(session.clinic_id)
    current = _locked(session)
    if current.status != Status.OPEN:
        raise ValidationError(
            _("This screening is already %(status)s.") % {"status": current.get_status_display().lower()}
        )
    token = _issue_token(current)
    current.mode = mode
    current.dob_failures = 0
    current.locked_until = None
    current.save(
        update_fields=["token_hash", "token_expires_at", "mode", "dob_failures", "locked_until", "updated_at"]
    )
    audit_record(actor=actor, action=ScreeningAction.LINK_ISSUED, obj=current, summary=f"new link ({mode})")
    return token


def _message(language: str, child_first_name: str, clinic_name: str, url: str, hours: int) -> tuple[str, str]:
    with translation.override(language):
        subject = _("Questions before %(name)s's visit") % {"name": child_first_name}
        body = _(
            "%(clinic)s: please answer a few questions before %(name)s's visit. "
            "It takes about 10 minutes. Open %(url)s (the link works for %(hours)s hours)."
        ) % {"clinic": clinic_name, "name": child_first_name, "url": url, "hours": hours}
    return subject, body


def screening_send(*, actor: Actor, session: ScreeningSession, channel: str, base_url: str) -> Message:
    """Send the family a fresh link by text or email, in the session's language. A failure
    to send is recorded and reported; the session stays open."""
    caregiver = session.caregiver
    if channel == "sms" and not (caregiver.phone and caregiver.consent_sms):
        raise ValidationError(_("This caregiver has no mobile number or has not agreed to texts."))
    if channel == "email" and not (caregiver.email and caregiver.consent_email):
        raise ValidationError(_("This caregiver has no email address or has not agreed to email."))
    if channel not in ("sms", "email"):
        raise ValidationError(_("Choose text or email."))
    token = screening_new_link(actor=actor, session=session, mode=ScreeningSession.Mode.LINK)
    url = f"{base_url}/f/{token}/"
    subject, body = _message(
        session.language,
        session.child.given_name,
        session.visit.clinic.name,
        url,
        settings.SCREENING_LINK_HOURS,
    )
    to = caregiver.phone if channel == "sms" else caregiver.email
    try:
        if channel == "sms":
            send_sms(to=to, body=body)
        else:
            send_email(to=to, subject=subject, body=body)
        status = "sent"
    except SendError as exc:
        status = f"failed: {exc}"[:20]
    with transaction.atomic():
        message = Message.objects.create(
            clinic_id=session.clinic_id,
            session=session,
            channel=channel,
            to=to,
            status=status,
            sent_by=actor.user,
        )
        if status == "sent":
            ScreeningSession.objects.filter(pk=session.pk).update(
                link_sent_at=timezone.now(), link_channel=channel
            )
        audit_record(
            actor=actor, action=ScreeningAction.LINK_SENT, obj=session, summary=f"link by {channel}: {status}"
        )
    if status != "sent":
        raise ValidationError(_("The message could not be sent: %(why)s") % {"why": status})
    return message


@transaction.atomic
def screening_cancel(*, actor: Actor, session: ScreeningSession) -> ScreeningSession:
    """Close an open session; the answers given so far are kept and can still be scored."""
    actor.require(ScreeningPerm.MANAGE)
    actor.require_clinic(session.clinic_id)
    current = _locked(session)
    if current.status != Status.OPEN:
        raise ValidationError(
            _("This screening is already %(status)s.") % {"status": current.get_status_display().lower()}
        )
    current.status = Status.CANCELLED
    # The link keeps its hash so whoever holds it is told the clinic closed it (410).
    current.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=ScreeningAction.CLOSED, obj=current, summary="closed by staff")
    return current


@transaction.atomic
def screening_score_saved(*, actor: Actor, session: ScreeningSession) -> list[Scored]:
    """Score the answers a family saved before the session was closed."""
    actor.require(ScreeningPerm.MANAGE)
    actor.require_clinic(session.clinic_id)
    current = _locked(session)
    if current.status != Status.CANCELLED:
        raise ValidationError(_("Only a closed screening's saved answers are scored this way."))
    scored = _score_session(current)
    current.status = Status.SUBMITTED
    current.submitted_at = timezone.now()
    current.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(actor=actor, action=Action.CREATE, obj=current, summary="saved answers scored by staff")
    return scored


@transaction.atomic
def staff_scores_enter(
    *, actor: Actor, visit: Visit, instrument_id: str, values: Sequence[Any], category: str
) -> Scored:
    """Staff enter an instrument's scores (ASQ-3 areas and zones, ASQ:SE-2), checked against
    the instrument's ranges."""
    actor.require(ScreeningPerm.MANAGE)
    actor.require_clinic(visit.clinic_id)
    assert actor.clinic is not None
    instrument = load(instrument_id, clinic=actor.clinic, visit=visit)
    if instrument is None:
        raise ValidationError(_("Unknown instrument."))
    try:
        answers = engine.parse_answers(instrument, list(values))
    except engine.InputError as exc:
        raise ValidationError(str(exc)) from exc
    scored = score_and_store(
        instrument=instrument,
        answers=answers,
        visit=visit,
        caregiver=None,
        language="en",
        category=category,
        scored_at=timezone.now(),
        entered_by=actor.user,
    )
    _mark_done(visit, [category])
    _announce(scored)
    audit_record(
        actor=actor, action=Action.CREATE, obj=scored.result, summary=f"{instrument.id} entered by staff"
    )
    return scored


@transaction.atomic
def flag_resolve(*, actor: Actor, flag: Flag, note: str) -> Flag:
    """A named person acknowledges an alert (or closes a follow-up) and says what was done."""
    actor.require(ScreeningPerm.ALERT_ACKNOWLEDGE)
    actor.require_clinic(flag.clinic_id)
    if len(note.strip()) < 5:
        raise ValidationError({"note": [_("Say what was done (at least a few words).")]})
    current = Flag.objects.select_for_update().get(pk=flag.pk)
    if current.resolved_at is not None:
        raise ValidationError(_("Already acknowledged by someone else; reload the page."))
    current.resolved_at = timezone.now()
    current.resolved_by = actor.user
    current.note = note.strip()
    current.save(update_fields=["resolved_at", "resolved_by", "note", "updated_at"])
    audit_record(
        actor=actor,
        action=ScreeningAction.FLAG_RESOLVED,
        obj=current,
        summary=f"{current.severity} acknowledged",
    )
    emit(FlagResolved(clinic_id=current.clinic_id, flag_id=current.pk))
    return current


@transaction.atomic
def alerts_escalate(*, actor: Actor, now: datetime | None = None) -> list[Flag]:
    """Escalate the clinic's safety alerts still unacknowledged after the escalation delay:
    mark them escalated (the banner then says so) and email the clinic's administrators. Run
    by the background worker, never by a page that only shows alerts."""
    actor.require(ScreeningPerm.ALERT_ACKNOWLEDGE)
    assert actor.clinic is not None
    stamp = now or timezone.now()
    due = stamp - timedelta(minutes=settings.ALERT_ESCALATION_MINUTES)
    overdue = list(
        Flag.objects.select_for_update()
        .filter(
            severity=Flag.Severity.ALERT,
            resolved_at__isnull=True,
            escalated_at__isnull=True,
            raised_at__lte=due,
        )
        .order_by("raised_at")
    )
    for flag in overdue:
        flag.escalated_at = stamp
        flag.save(update_fields=["escalated_at", "updated_at"])
        audit_record(
            actor=actor,
            action=ScreeningAction.ALERT_ESCALATED,
            obj=flag,
            summary="escalated to the clinic administrator",
        )
    if overdue:
        admins = clinic_admin_emails(actor.clinic)
        transaction.on_commit(partial(notify_escalation, actor.clinic, admins, len(overdue)))
    return overdue


def _announce(scored: Scored) -> None:
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


def _mark_done(visit: Visit, categories: Sequence[str]) -> None:
    current = Visit.objects.select_for_update().get(pk=visit.pk)
    done = sorted({*current.completed_categories, *categories})
    if done != current.completed_categories:
        current.completed_categories = done
        current.save(update_fields=["completed_categories", "updated_at"])


# Family side (no account: the token is the key) --------------------------------------------


class LinkProblem(Exception):
    """Why a family link cannot be used: ``unknown``, ``expired``, ``submitted``,
    ``cancelled``, ``locked`` or ``throttled``."""

    def __init__(self, kind: str, session: ScreeningSession | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.session = session


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


def family_session(token: str, *, ip: str | None) -> ScreeningSession:
    """The session a link opens. Raises LinkProblem; unknown links are counted per address
    and an address that keeps guessing is turned away for a while."""
    now = timezone.now()
    if throttle.is_throttled(kind="family", ip=ip):
        raise LinkProblem("throttled")
    session: ScreeningSession | None = None
    if looks_like_token(token):
        manager: Any = ScreeningSession.objects
        session = (
            manager.with_scopes_disabled()  # the token is the scope here
            .select_related("clinic__network", "caregiver", "child", "visit")
            .filter(token_hash=token_hash(token))
            .first()
        )
    if session is None:
        throttle.record_unknown(kind="family", ip=ip)
        raise LinkProblem("unknown")
    if session.status == Status.SUBMITTED:
        raise LinkProblem("submitted", session)
    if session.status == Status.CANCELLED:
        raise LinkProblem("cancelled", session)
    if session.token_expires_at and session.token_expires_at < now:
        raise LinkProblem("expired", session)
    if session.locked_until and session.locked_until > now:
        raise LinkProblem("locked", session)
    return session


def family_closed_session(session_id: str) -> ScreeningSession | None:
    """A session the clinic closed, found by its id. Closing forgets the link's hash, so the
    link alone no longer finds it: the caller must have proved that the browser held the link
    (the signed cookie the date-of-birth check sets names the session)."""
    try:
        ident = uuid.UUID(str(session_id))
    except ValueError:
        return None
    manager: Any = ScreeningSession.objects
    found: ScreeningSession | None = (
        manager.with_scopes_disabled()
        .select_related("clinic__network", "caregiver", "child", "visit")
        .filter(pk=ident, status=Status.CANCELLED)
        .first()
    )
    return found


def family_read(session: ScreeningSession, *, actor: Actor, what: str) -> None:
    """Audit a page that shows the family their own saved answers."""
    with clinic_scope(session.clinic):
        audit_record(actor=actor, action=Action.VIEW, obj=session, summary=f"family {what}")


def family_verify_dob(session: ScreeningSession, dob: date | None, *, actor: Actor) -> bool:
    """The caregiver confirms the child's date of birth before any question is shown.
    Five wrong answers lock the link for 15 minutes."""
    with clinic_scope(session.clinic), transaction.atomic():
        current = _locked(session)
        if dob is not None and dob == current.child.date_of_birth:
            current.dob_failures = 0
            current.started_at = current.started_at or timezone.now()
            current.save(update_fields=["dob_failures", "started_at", "updated_at"])
            audit_record(
                actor=actor,
                action=ScreeningAction.DOB_CONFIRMED,
                obj=current,
                summary="family opened the link",
            )
            return True
        current.dob_failures += 1
        fields = ["dob_failures", "updated_at"]
        if current.dob_failures >= DOB_ATTEMPTS:
            current.locked_until = timezone.now() + timedelta(minutes=DOB_LOCK_MINUTES)
            current.dob_failures = 0
            fields.append("locked_until")
        current.save(update_fields=fields)
        audit_record(
            actor=actor, action=ScreeningAction.DOB_FAILED, obj=current, summary="date of birth not confirmed"
        )
        return False


def family_answer(
    session: ScreeningSession, instrument_id: str, number: int, value: Any, *, actor: Actor
) -> None:
    """Save one answer (``None`` clears it). Checked against the instrument; saved at once."""
    with clinic_scope(session.clinic), transaction.atomic():
        current = _locked(session)
        if current.status != Status.OPEN:
            raise LinkProblem(current.status, current)
        instrument = load(instrument_id, clinic=current.clinic, visit=current.visit)
        if instrument is None or instrument_id not in current.answers:
            raise ValidationError(_("This question is not part of the questionnaire."))
        answers = list(current.answers[instrument_id])
        if not 1 <= number <= len(answers):
            raise ValidationError(_("This question is not part of the questionnaire."))
        answers[number - 1] = value
        try:
            engine.parse_answers(instrument, answers)
        except engine.InputError as exc:
            raise ValidationError(_("Choose one of the answers shown.")) from exc
        current.answers = {**current.answers, instrument_id: answers}
        current.last_answer_at = timezone.now()
        current.save(update_fields=["answers", "last_answer_at", "updated_at"])
        audit_record(
            actor=actor, action=Action.UPDATE, obj=current, summary=f"answer {instrument_id} {number}"
        )


@dataclass
class Submitted:
    session: ScreeningSession
    scored: list[Scored] = field(default_factory=list)
    show_crisis_resources: bool = False
    already: bool = False


def _score_session(session: ScreeningSession, cache: InstrumentCache | None = None) -> list[Scored]:
    scored = []
    now = timezone.now()
    categories = []
    for entry in session.instruments:
        instrument = load(entry["id"], clinic=session.clinic, visit=session.visit, cache=cache)
        if instrument is None:
            continue
        answers = engine.parse_answers(
            instrument, session.answers.get(entry["id"], [None] * len(instrument.items))
        )
        if all(a is None for a in answers):
            continue
        scored.append(
            score_and_store(
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
        categories.append(entry.get("category", ""))
    _mark_done(session.visit, [c for c in categories if c])
    for result in scored:
        _announce(result)
    return scored


def family_submit(session: ScreeningSession, *, actor: Actor) -> Submitted:
    """Score every instrument and raise flags. A second submission (another tab, a double
    tap) changes nothing and lands on the same thank-you page."""
    with clinic_scope(session.clinic), transaction.atomic():
        current = _locked(session)
        loaded: InstrumentCache = {}
        if current.status == Status.SUBMITTED:
            return Submitted(
                session=current, already=True, show_crisis_resources=_answered_safety(current, loaded)
            )
        if current.status != Status.OPEN:
            raise LinkProblem(current.status, current)
        scored = _score_session(current, loaded)
        current.status = Status.SUBMITTED
        current.submitted_at = timezone.now()
        current.save(update_fields=["status", "submitted_at", "updated_at"])
        audit_record(
            actor=actor,
            action=ScreeningAction.SUBMITTED,
            obj=current,
            summary=f"submitted, {len(scored)} results",
        )
        return Submitted(
            session=current, scored=scored, show_crisis_resources=_answered_safety(current, loaded)
        )


def _answered_safety(session: ScreeningSession, cache: InstrumentCache | None = None) -> bool:
    for entry in session.instruments:
        instrument = load(entry["id"], clinic=session.clinic, visit=session.visit, cache=cache)
        if instrument is None:
            continue
        answers = session.answers.get(entry["id"], [])
        for number in safety_items(instrument):
            if number <= len(answers) and answers[number - 1] is not None:
                return True
    return False


def family_crisis_resources_due(session: ScreeningSession) -> bool:
    """Whether the family answered a safety question (a critical item, a safety domain, or a
    violence screen): their thank-you page then shows crisis resources."""
    with clinic_scope(session.clinic):
        return _answered_safety(session)


FAMILY_LANGUAGES = ("en", "es")


def family_languages(session: ScreeningSession) -> list[str]:
    """The languages in which every questionnaire of the session can be shown (a clinic may
    have loaded a licensed text in one language only)."""
    with clinic_scope(session.clinic):
        instruments = [load(e["id"], clinic=session.clinic, visit=session.visit) for e in session.instruments]
    return [
        language
        for language in FAMILY_LANGUAGES
        if all(
            instrument is not None
            and language in instrument.languages
            and (instrument.licence != "clinic-supplied" or language in instrument.text_language)
            for instrument in instruments
        )
    ]


def family_set_language(session: ScreeningSession, language: str, *, actor: Actor) -> ScreeningSession:
    """The family switches the language of their pages (and of the questions) for the rest of
    the session. Answers are positions, so they stay valid in either language."""
    if language not in FAMILY_LANGUAGES:
        raise ValidationError(_("Family pages are in English or Spanish."))
    if language not in family_languages(session):
        raise ValidationError(_("These questions are not available in that language."))
    with clinic_scope(session.clinic), transaction.atomic():
        current = _locked(session)
        if current.status != Status.OPEN:
            raise LinkProblem(current.status, current)
        if current.language != language:
            current.language = language
            current.save(update_fields=["language", "updated_at"])
            audit_record(actor=actor, action=Action.UPDATE, obj=current, summary=f"language {language}")
    session.language = language
    return session


def crisis_resources(language: str) -> list[crisis.CrisisResource]:
    """The crisis lines in ``language`` (English where a line has no translation)."""
    return crisis.crisis_resources(language)
