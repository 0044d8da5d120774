"""Writes for screening on the staff side: starting a session, sending its link, closing it,
scoring saved answers, staff-entered scores, acknowledging and escalating flags. One
transaction each, audited. The family's side is in ``family.py``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dyadcare.families.models import Caregiver, CareRelationship
from dyadcare.publiclinks.senders import SendError, send_email, send_sms
from dyadcare.screening.audit_actions import ScreeningAction
from dyadcare.screening.events import FlagResolved
from dyadcare.screening.internal.answers import paper_answers
from dyadcare.screening.internal.categories import category_for, check_elsewhere
from dyadcare.screening.internal.navigation import Questionnaire
from dyadcare.screening.internal.notify import clinic_admin_emails, notify_escalation
from dyadcare.screening.internal.plan import Planned, load, visit_plan
from dyadcare.screening.internal.scoring import Scored, score_and_store
from dyadcare.screening.internal.sessions import (
    SessionInstruments,
    announce,
    issue_token,
    locked,
    score_saved_answers,
)
from dyadcare.screening.models import (
    AddedInstrument,
    DoneElsewhere,
    Flag,
    Message,
    ScreeningResult,
    ScreeningSession,
)
from dyadcare.screening.permissions import ScreeningPerm
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.tenancy.events import emit
from dyadcare.tenancy.models import Clinic, Membership
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.selectors import clinic_bundle

Status = ScreeningSession.Status


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
    chosen = _family_answerable(actor.clinic, visit, instrument_ids, language)
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
    token = issue_token(session)
    session.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=session,
        summary=f"screening {', '.join(session.instrument_ids)}",
    )
    return session, token


def _family_answerable(
    clinic: Clinic, visit: Visit, instrument_ids: Sequence[str], language: str
) -> list[Planned]:
    """The chosen instruments of the visit's plan, each one the family can answer in
    ``language``; a ValidationError names the first that is not."""
    plan = {
        p.id: p
        for p in visit_plan(visit=visit, bundle=clinic_bundle(clinic), clinic=clinic, language=language)
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
    return chosen


@transaction.atomic
def screening_new_link(*, actor: Actor, session: ScreeningSession, mode: str) -> str:
    """A fresh token for the session (the previous link stops working, and a link closed
    after wrong dates of birth works again as the new one); answers are kept. A tablet's
    token ends with the visit's day (see ``issue_token``)."""
    actor.require(ScreeningPerm.MANAGE)
    actor.require_clinic(session.clinic_id)
    current = locked(session)
    if current.status != Status.OPEN:
        raise ValidationError(
            _("This screening is already %(status)s.") % {"status": current.get_status_display().lower()}
        )
    current.mode = mode
    token = issue_token(current)
    current.dob_failures = current.dob_wrong_total = 0
    current.locked_until = None
    current.save(
        update_fields=[
            "token_hash",
            "token_expires_at",
            "mode",
            "dob_failures",
            "dob_wrong_total",
            "locked_until",
            "updated_at",
        ]
    )
    audit_record(actor=actor, action=ScreeningAction.LINK_ISSUED, obj=current, summary=f"new link ({mode})")
    return token


def tablet_hand_over(*, actor: Actor, session: ScreeningSession) -> None:
    """Staff hand the clinic tablet to the family for ``session``: recorded before the staff
    session in that browser ends (the interface ends it), so the log says who handed it over."""
    actor.require(ScreeningPerm.MANAGE)
    actor.require_clinic(session.clinic_id)
    audit_record(
        actor=actor, action=ScreeningAction.TABLET_HANDED_OVER, obj=session, summary="staff session ended"
    )


def _message(session: ScreeningSession, url: str, hours: int) -> tuple[str, str]:
    """The text or email with the link, in the session's language; its time estimate is the
    one the family's pages show (the session's questions, counted the same way)."""
    name, clinic = session.child.given_name, session.visit.clinic.name
    minutes = Questionnaire(session.instruments, session.answers).minutes
    with translation.override(session.language):
        subject = _("Questions before %(name)s's visit") % {"name": name}
        body = ngettext(
            "%(clinic)s: please answer a few questions before %(name)s's visit. "
            "It takes about %(minutes)s minute. Open %(url)s (the link works for %(hours)s hours).",
            "%(clinic)s: please answer a few questions before %(name)s's visit. "
            "It takes about %(minutes)s minutes. Open %(url)s (the link works for %(hours)s hours).",
            minutes,
        ) % {
            "clinic": clinic,
            "name": name,
            "minutes": minutes,
            "url": url,
            "hours": hours,
        }
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
    subject, body = _message(session, url, settings.SCREENING_LINK_HOURS)
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
    current = locked(session)
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
    current = locked(session)
    if current.status != Status.CANCELLED:
        raise ValidationError(_("Only a closed screening's saved answers are scored this way."))
    scored = score_saved_answers(current, SessionInstruments(current))
    current.status = Status.SUBMITTED
    current.submitted_at = timezone.now()
    current.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(actor=actor, action=Action.CREATE, obj=current, summary="saved answers scored by staff")
    return scored


@transaction.atomic
def staff_scores_enter(
    *,
    actor: Actor,
    visit: Visit,
    instrument_id: str,
    entered: Mapping[int, Sequence[str]],
    answered_in: str = "en",
    caregiver: Caregiver | None = None,
    language: str = "en",
) -> Scored:
    """Staff enter a paper form's answers item by item (item number → the values a form
    sends: an option's position, positions for a check-all item, a number for a score-entry
    item), for any instrument of the library, licensed ones included: no item text is needed.
    They are read and checked by the same validator as a family's answers and scored by the
    engine with the cut-offs of the language the form was answered in (``answered_in``).
    ``caregiver`` is who filled it in; required for a form about the caregiver themself. The
    category it fills is the visit plan's (or the clinic's bundle's) for the instrument."""
    actor.require(ScreeningPerm.MANAGE)
    actor.require_clinic(visit.clinic_id)
    assert actor.clinic is not None
    instrument = load(instrument_id, clinic=actor.clinic, visit=visit)
    if instrument is None:
        raise ValidationError(_("Unknown instrument."))
    answers = paper_answers(instrument, visit, entered, answered_in, caregiver, language)
    # One writer per visit at a time: a second click on the same form is not a second screen.
    list(Visit.objects.select_for_update().filter(pk=visit.pk).values_list("pk", flat=True))
    if ScreeningResult.objects.filter(
        visit=visit, instrument_id=instrument.id, caregiver=caregiver, entered_by__isnull=False
    ).exists():
        raise ValidationError(_("This paper form is already entered for this visit."))
    scored = score_and_store(
        instrument=instrument,
        answers=answers,
        visit=visit,
        caregiver=caregiver,
        language=answered_in,
        category=category_for(actor.clinic, visit, instrument),
        scored_at=timezone.now(),
        entered_by=actor.user,
    )
    announce(scored)
    audit_record(
        actor=actor, action=Action.CREATE, obj=scored.result, summary=f"{instrument.id} entered by staff"
    )
    return scored


@transaction.atomic
def instrument_add(*, actor: Actor, visit: Visit, instrument_id: str, reason: str) -> AddedInstrument:
    """Add an instrument the clinic offers to a visit beyond what the schedule made due (a
    PHQ-9 after a positive PHQ-2, a GAD-7 on concern), saying why. The family can then be
    sent it, or staff enter its paper form."""
    actor.require(ScreeningPerm.MANAGE)
    actor.require_clinic(visit.clinic_id)
    assert actor.clinic is not None and actor.user is not None
    if len(reason.strip()) < 3:
        raise ValidationError({"reason": [_("Say why it is added (a few words).")]})
    instrument = load(instrument_id, clinic=actor.clinic, visit=visit)
    if instrument is None:
        raise ValidationError({"instrument": [_("Choose an instrument from the list.")]})
    if AddedInstrument.objects.filter(visit=visit, instrument_id=instrument.id).exists():
        raise ValidationError({"instrument": [_("This instrument is already added to the visit.")]})
    added = AddedInstrument.objects.create(
        clinic_id=visit.clinic_id,
        visit=visit,
        instrument_id=instrument.id,
        category=category_for(actor.clinic, visit, instrument),
        reason=reason.strip()[:300],
        added_by=actor.user,
    )
    audit_record(actor=actor, action=ScreeningAction.INSTRUMENT_ADDED, obj=added, summary=instrument.id)
    return added


@transaction.atomic
def done_elsewhere_record(
    *,
    actor: Actor,
    visit: Visit,
    category: str,
    instrument_id: str,
    done_on: date,
    place: str,
    outcome: str,
    reason: str,
) -> DoneElsewhere:
    """Record that a screen was given outside this clinic's records (instrument, date, where,
    the result if known, and how staff know): evidence that the category was done, never a
    result of this clinic. Audited with who recorded it."""
    actor.require(ScreeningPerm.MANAGE)
    actor.require_clinic(visit.clinic_id)
    assert actor.clinic is not None and actor.user is not None
    record = DoneElsewhere(
        clinic_id=visit.clinic_id,
        visit=visit,
        child_id=visit.child_id,
        category=category,
        instrument_id=instrument_id,
        done_on=done_on,
        place=place.strip(),
        outcome=outcome,
        reason=reason.strip(),
        recorded_by=actor.user,
    )
    check_elsewhere(actor.clinic, visit, record)
    record.save()
    audit_record(
        actor=actor,
        action=ScreeningAction.DONE_ELSEWHERE,
        obj=record,
        summary=f"{category}: {instrument_id} on {done_on.isoformat()}",
    )
    return record


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
def flag_assign(*, actor: Actor, flag: Flag, owner_id: str) -> Flag:
    """Name who follows an open alert or follow-up up (``owner_id`` empty: nobody). The
    owner must be an active staff member of the flag's clinic."""
    actor.require(ScreeningPerm.ALERT_ACKNOWLEDGE)
    actor.require_clinic(flag.clinic_id)
    owner = None
    if owner_id:
        user_id = _uuid_or_none(owner_id)
        membership = (
            Membership.objects.filter(
                clinic_id=flag.clinic_id, active=True, user__is_active=True, user_id=user_id
            )
            .select_related("user")
            .first()
            if user_id
            else None
        )
        if membership is None:
            raise ValidationError({"owner": [_("Choose a staff member of this clinic.")]})
        owner = membership.user
    current = Flag.objects.select_for_update().get(pk=flag.pk)
    if current.resolved_at is not None:
        raise ValidationError(_("Already acknowledged by someone else; reload the page."))
    current.owner = owner
    current.save(update_fields=["owner", "updated_at"])
    audit_record(
        actor=actor,
        action=ScreeningAction.FLAG_ASSIGNED,
        obj=current,
        summary=f"owner {owner.pk if owner else 'none'}",
    )
    return current


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


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
