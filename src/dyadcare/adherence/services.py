"""Writes of visit adherence: one transaction each, permission-checked and audited. (The
reminders themselves are sent by the worker: ``reminders.py``.)"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.adherence.audit_actions import AdherenceAction
from dyadcare.adherence.models import OutreachAttempt, ReminderChoice, ReminderSettings
from dyadcare.adherence.needs import need_refresh_child
from dyadcare.adherence.permissions import AdherencePerm
from dyadcare.families.models import Caregiver, Child
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.schedule import TOUCHPOINT_KEYS
from dyadcare.touchpoints.services import visit_schedule


@transaction.atomic
def reminder_settings_set(
    *, actor: Actor, enabled: bool, days: Sequence[int], quiet_start: time, quiet_end: time
) -> ReminderSettings:
    """Set the clinic's reminder days (one to four, each 1 to 14 days before) and quiet hours."""
    actor.require(AdherencePerm.CONFIGURE)
    assert actor.clinic is not None
    chosen = sorted(set(days), reverse=True)
    if not chosen or len(chosen) > 4 or any(d < 1 or d > 14 for d in chosen):
        raise ValidationError({"days": [_("Choose one to four days, each from 1 to 14.")]})
    row, _created = ReminderSettings.objects.update_or_create(
        clinic=actor.clinic,
        defaults={
            "enabled": enabled,
            "days": chosen,
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
            "updated_by": actor.user,
        },
    )
    audit_record(
        actor=actor,
        action=AdherenceAction.SETTINGS_CHANGED,
        obj=row,
        summary=f"{'on' if enabled else 'off'}; days {chosen}; quiet {quiet_start:%H:%M}-{quiet_end:%H:%M}",
    )
    return row


@transaction.atomic
def reminder_choice_set(
    *, actor: Actor, caregiver: Caregiver, opted_out: bool, how: str, note: str = ""
) -> ReminderChoice:
    """Record a caregiver's choice about visit reminders (who, when, how they told us); the
    newest choice is in force and the older ones stay as its history."""
    actor.require(AdherencePerm.OUTREACH)
    actor.require_clinic(caregiver.clinic_id)
    choice = ReminderChoice(
        clinic_id=caregiver.clinic_id,
        caregiver=caregiver,
        opted_out=opted_out,
        how=how,
        note=" ".join(note.split()),
        recorded_by=actor.user,
    )
    choice.full_clean()
    choice.save()
    audit_record(
        actor=actor,
        action=AdherenceAction.OPT_OUT_SET,
        obj=caregiver,
        summary=f"{'opted out' if opted_out else 'reminders on'} ({how})",
    )
    return choice


@transaction.atomic
def outreach_log(
    *,
    actor: Actor,
    child: Child,
    reason: str,
    kind: str,
    outcome: str,
    note: str = "",
    missed_visit_id: uuid.UUID | None = None,
    touchpoint: str = "",
    book_at: datetime | None = None,
) -> OutreachAttempt:
    """Log one attempt to reach a family (call, text, letter, home visit) and its outcome.
    With ``book_at`` the outcome is "visit booked" and the visit is booked in the same
    transaction, by the booking rules (the touchpoint whose window holds the day). The
    child's outreach need is worked out again in the same transaction."""
    actor.require(AdherencePerm.OUTREACH)
    actor.require_clinic(child.clinic_id)
    if outcome == OutreachAttempt.Outcome.BOOKED and book_at is None:
        raise ValidationError({"book_day": [_("Give the day and time of the visit booked.")]})
    if book_at is not None:
        if outcome != OutreachAttempt.Outcome.BOOKED:
            raise ValidationError({"outcome": [_('A visit was booked: choose the outcome "Visit booked".')]})
        if book_at <= timezone.now():
            raise ValidationError({"book_day": [_("Choose a time that has not passed yet.")]})
        visit_schedule(actor=actor, child=child, scheduled_for=book_at)
    missed_visit = Visit.objects.filter(pk=missed_visit_id, child=child).first() if missed_visit_id else None
    if missed_visit_id and missed_visit is None:
        raise ValidationError(_("That visit is another child's."))
    if touchpoint and touchpoint not in TOUCHPOINT_KEYS:
        raise ValidationError({"touchpoint": [_("Choose a touchpoint from the list.")]})
    attempt = OutreachAttempt(
        clinic_id=child.clinic_id,
        child=child,
        reason=reason,
        kind=kind,
        outcome=outcome,
        note=" ".join(note.split()),
        missed_visit=missed_visit,
        touchpoint=touchpoint,
        made_by=actor.user,
    )
    attempt.full_clean()
    attempt.save()
    audit_record(
        actor=actor,
        action=AdherenceAction.OUTREACH_LOGGED,
        obj=child,
        summary=f"{kind}: {outcome} ({reason})",
    )
    need_refresh_child(clinic_id=child.clinic_id, child_id=child.pk)
    return attempt
