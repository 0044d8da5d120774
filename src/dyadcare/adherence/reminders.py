"""Sending visit reminders: run by the worker for each clinic (``tasks.py``), never by a page.

For each of the clinic's reminder days N, the visits still booked on the local day N days
ahead get one reminder each (text if the caregiver agreed to texts, else email if they agreed
to email), in the caregiver's language, outside the quiet hours. A reminder row is written
before anything is sent, under a unique constraint (visit, N, the time booked), so two sweeps
never send it twice; a caregiver who opted out or gave no consent gets a row that says so and
nothing is sent."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dyadcare.adherence.audit_actions import AdherenceAction
from dyadcare.adherence.models import Reminder, ReminderChoice, ReminderSettings
from dyadcare.adherence.permissions import AdherencePerm
from dyadcare.adherence.rules import ReminderPlan, default_plan
from dyadcare.families.models import Caregiver, CareRelationship
from dyadcare.publiclinks.senders import SendError, send_email, send_sms
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.selectors import day_bounds

logger = logging.getLogger("dyadcare.adherence")
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def clinic_plan() -> ReminderPlan:
    """The clinic's reminder settings (read in its scope), else the data file's defaults."""
    row = ReminderSettings.objects.first()
    if row is None:
        return default_plan()
    return ReminderPlan(
        enabled=row.enabled,
        days=tuple(sorted(row.days, reverse=True)),
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
    )


def reminders_send(*, actor: Actor, now: datetime | None = None) -> list[Reminder]:
    """Send the reminders due now in the actor's clinic (the worker's system actor)."""
    actor.require(AdherencePerm.OUTREACH)
    assert actor.clinic is not None
    moment = now or timezone.now()
    plan = clinic_plan()
    if not plan.enabled or plan.quiet_at(timezone.localtime(moment).time()):
        return []
    done: list[Reminder] = []
    for days in plan.days:
        for visit, caregiver, opted_out in _due(moment, days):
            reminder = _claim(visit, days, caregiver, opted_out)
            if reminder is not None:
                done.append(_deliver(actor, reminder, visit, caregiver))
    return done


def _due(moment: datetime, days: int) -> list[tuple[Visit, Caregiver | None, bool]]:
    """The booked visits on the day ``days`` ahead not yet reminded for this time, each with
    the caregiver to write to and whether they opted out (three queries)."""
    start, end = day_bounds(timezone.localtime(moment).date() + timedelta(days=days))
    already = Reminder.objects.filter(
        visit=OuterRef("pk"), days_before=days, appointment=OuterRef("scheduled_for")
    )
    visits = list(
        Visit.objects.filter(
            status=Visit.Status.SCHEDULED, scheduled_for__gte=max(start, moment), scheduled_for__lt=end
        )
        .exclude(Exists(already))
        .select_related("child", "clinic")
        .order_by("scheduled_for")
    )
    caregivers: dict[object, Caregiver] = {}
    for link in (
        CareRelationship.objects.filter(child_id__in={v.child_id for v in visits})
        .select_related("caregiver")
        .order_by("-is_primary", "created_at")
    ):
        caregivers.setdefault(link.child_id, link.caregiver)
    latest: dict[object, bool] = {}
    for choice in ReminderChoice.objects.filter(caregiver__in=list(caregivers.values())).order_by(
        "-created_at"
    ):
        latest.setdefault(choice.caregiver_id, choice.opted_out)
    result = []
    for visit in visits:
        caregiver = caregivers.get(visit.child_id)
        result.append((visit, caregiver, bool(caregiver and latest.get(caregiver.pk, False))))
    return result


def _channel(caregiver: Caregiver | None) -> tuple[str, str]:
    if caregiver is None:
        return "", ""
    if caregiver.consent_sms and caregiver.phone:
        return "sms", caregiver.phone
    if caregiver.consent_email and caregiver.email:
        return "email", caregiver.email
    return "", ""


def _claim(visit: Visit, days: int, caregiver: Caregiver | None, opted_out: bool) -> Reminder | None:
    """Write the reminder's row first: the unique constraint lets one sweep claim it."""
    channel, to = _channel(caregiver)
    if opted_out:
        status = Reminder.Status.OPTED_OUT
    elif not channel:
        status = Reminder.Status.NO_CONTACT
    else:
        status = Reminder.Status.SENDING
    language = caregiver.preferred_language if caregiver else visit.child.preferred_language
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                clinic_id=visit.clinic_id,
                visit=visit,
                days_before=days,
                appointment=visit.scheduled_for,
                caregiver=caregiver,
                channel=channel if status == Reminder.Status.SENDING else "",
                to=to if status == Reminder.Status.SENDING else "",
                language=language if language in LANGUAGE_CODES else "en",
                status=status,
            )
    except IntegrityError:
        return None  # another sweep claimed it


def reminder_text(visit: Visit, language: str) -> tuple[str, str]:
    """The reminder's subject and body in ``language``: the clinic, the child's first name,
    the day and time, and how to change it (no screening, no diagnosis)."""
    local = timezone.localtime(visit.scheduled_for)
    with translation.override(language):
        values = {
            "clinic": visit.clinic.name,
            "name": visit.child.given_name,
            # Translators: a date format (Django's date letters): "Wednesday, March 12".
            "day": formats.date_format(local, pgettext("reminder date", "l, F j")),
            "time": formats.time_format(local, "TIME_FORMAT"),
            "phone": visit.clinic.phone,
        }
        subject = _("Reminder: %(name)s's visit on %(day)s") % values
        if visit.clinic.phone:
            body = _(
                "%(clinic)s: a reminder that %(name)s has a visit on %(day)s at %(time)s. "
                "To change or cancel it, call %(phone)s."
            )
        else:
            body = _(
                "%(clinic)s: a reminder that %(name)s has a visit on %(day)s at %(time)s. "
                "To change or cancel it, call the clinic."
            )
    return subject, body % values


def _deliver(actor: Actor, reminder: Reminder, visit: Visit, caregiver: Caregiver | None) -> Reminder:
    if reminder.status == Reminder.Status.SENDING:
        subject, body = reminder_text(visit, reminder.language)
        try:
            if reminder.channel == "sms":
                send_sms(to=reminder.to, body=body)
            else:
                send_email(to=reminder.to, subject=subject, body=body)
            reminder.status = Reminder.Status.SENT
        except SendError as exc:
            logger.warning("visit reminder %s could not be sent: %s", reminder.pk, exc)
            reminder.status = Reminder.Status.FAILED
            reminder.detail = str(exc)[:200]
    with transaction.atomic():
        reminder.save(update_fields=["status", "detail", "updated_at"])
        audit_record(
            actor=actor,
            action=AdherenceAction.REMINDER_SENT,
            obj=visit,
            summary=f"{reminder.days_before} days before, {reminder.channel or '-'}: {reminder.status}",
        )
    return reminder
