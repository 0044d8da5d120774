"""Writes on visits and schedule settings: one transaction each, audited."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.families.models import Child
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record, audit_record_many
from dyadcare.tenancy.events import emit
from dyadcare.tenancy.models import Clinic, User
from dyadcare.touchpoints.bundles import ANY, all_categories
from dyadcare.touchpoints.events import VisitChanged
from dyadcare.touchpoints.internal.appointments import Appointment, ImportRefused, RowError, read_appointments
from dyadcare.touchpoints.models import ScheduleRule, Visit, VisitChange
from dyadcare.touchpoints.permissions import VisitPerm
from dyadcare.touchpoints.schedule import TOUCHPOINT_KEYS, touchpoint_on

Status = Visit.Status


def _changed(visit: Visit) -> None:
    """Announce a visit's change (after commit) to the domains that follow visits."""
    emit(VisitChanged(clinic_id=visit.clinic_id, visit_id=visit.pk, child_id=visit.child_id))


def _auto_touchpoint(child: Child, when: datetime) -> str:
    point = touchpoint_on(child.date_of_birth, timezone.localtime(when).date())
    return point.key if point else ""


@transaction.atomic
def visit_schedule(
    *,
    actor: Actor,
    child: Child,
    scheduled_for: datetime,
    touchpoint: str | None = None,
    clinician: User | None = None,
    source: str = Visit.Source.STAFF,
) -> Visit:
    """Book a visit. ``touchpoint=None`` picks the touchpoint whose window holds the day."""
    actor.require(VisitPerm.MANAGE)
    actor.require_clinic(child.clinic_id)
    visit = _book(
        child=child, scheduled_for=scheduled_for, touchpoint=touchpoint, clinician=clinician, source=source
    )
    audit_record(actor=actor, action=Action.CREATE, obj=visit, summary=f"visit {visit.touchpoint or 'other'}")
    return visit


def _book(
    *, child: Child, scheduled_for: datetime, touchpoint: str | None, clinician: User | None, source: str
) -> Visit:
    """The booking rules shared by the form and the import: the visit's own checks, then no
    second visit for the child at the same time."""
    visit = Visit(
        clinic_id=child.clinic_id,
        child=child,
        scheduled_for=scheduled_for,
        touchpoint=_auto_touchpoint(child, scheduled_for) if touchpoint is None else touchpoint,
        clinician=clinician,
        source=source,
    )
    visit.full_clean()
    if (
        Visit.objects.filter(child=child, scheduled_for=scheduled_for)
        .exclude(status=Status.CANCELLED)
        .exists()
    ):
        raise ValidationError({"scheduled_for": [_("This child already has a visit at that time.")]})
    visit.save()
    _changed(visit)
    return visit


def _locked(visit: Visit) -> Visit:
    """The visit as stored now, locked for this transaction (two people may click at once)."""
    return Visit.objects.select_for_update(of=("self",), no_key=True).select_related("child").get(pk=visit.pk)


def _transition(actor: Actor, visit: Visit, allowed_from: Iterable[str], to: str) -> Visit:
    actor.require(VisitPerm.MANAGE)
    actor.require_clinic(visit.clinic_id)
    current = _locked(visit)
    if current.status not in allowed_from:
        raise ValidationError(
            _("This visit is already %(status)s; reload the page to see its current state.")
            % {"status": current.get_status_display().lower()}
        )
    current.status = to
    return current


@transaction.atomic
def visit_arrive(*, actor: Actor, visit: Visit) -> Visit:
    current = _transition(actor, visit, [Status.SCHEDULED], Status.ARRIVED)
    current.arrived_at = timezone.now()
    current.save(update_fields=["status", "arrived_at", "updated_at"])
    _changed(current)
    audit_record(actor=actor, action=Action.UPDATE, obj=current, summary="arrived")
    return current


@transaction.atomic
def visit_complete(*, actor: Actor, visit: Visit) -> Visit:
    """Close a visit. Closing records nothing about screening: a category is done only by
    the evidence recorded for it (a result, a paper form entered, a screen done elsewhere),
    and what has none stays due."""
    current = _transition(actor, visit, [Status.SCHEDULED, Status.ARRIVED], Status.COMPLETED)
    current.closed_at = timezone.now()
    current.arrived_at = current.arrived_at or current.closed_at
    current.save(update_fields=["status", "closed_at", "arrived_at", "updated_at"])
    _changed(current)
    audit_record(actor=actor, action=Action.UPDATE, obj=current, summary="completed")
    return current


@transaction.atomic
def visit_mark_missed(*, actor: Actor, visit: Visit) -> Visit:
    if timezone.localtime(visit.scheduled_for).date() > timezone.localdate():
        raise ValidationError(_("A visit in the future cannot be missed yet; cancel it instead."))
    current = _transition(actor, visit, [Status.SCHEDULED], Status.MISSED)
    current.closed_at = timezone.now()
    current.save(update_fields=["status", "closed_at", "updated_at"])
    _changed(current)
    audit_record(actor=actor, action=Action.UPDATE, obj=current, summary="missed")
    return current


REASON_MAX = 300


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": [_("Say why (the family asked, the clinician is away, …).")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("Keep the reason under 300 characters.")]})
    return reason


@transaction.atomic
def visit_cancel(*, actor: Actor, visit: Visit, reason: str | None = None) -> Visit:
    """Cancel an open visit. From the visit page a reason is required and kept (``VisitChange``);
    ``reason=None`` is the older call without one."""
    why = _reason(reason) if reason is not None else ""
    current = _transition(actor, visit, [Status.SCHEDULED, Status.ARRIVED], Status.CANCELLED)
    current.closed_at = timezone.now()
    current.save(update_fields=["status", "closed_at", "updated_at"])
    _changed(current)
    if reason is not None:
        VisitChange.objects.create(
            clinic_id=current.clinic_id,
            visit=current,
            kind=VisitChange.Kind.CANCELLED,
            previous_time=current.scheduled_for,
            reason=why,
            changed_by=actor.user,
        )
    audit_record(actor=actor, action=Action.UPDATE, obj=current, summary="cancelled")
    return current


@transaction.atomic
def visit_reschedule(*, actor: Actor, visit: Visit, scheduled_for: datetime, reason: str) -> Visit:
    """Move a booked visit to another time, keeping the visit (its touchpoint, screenings and
    reminders follow it). Only a visit still booked, never into the past, by the booking rules
    (not before birth, at most five years ahead, no second visit of the child at that time)."""
    why = _reason(reason)
    actor.require(VisitPerm.MANAGE)
    actor.require_clinic(visit.clinic_id)
    current = _locked(visit)
    if current.status != Status.SCHEDULED:
        raise ValidationError(
            _("Only a booked visit can be rescheduled; this one is %(status)s.")
            % {"status": current.get_status_display().lower()}
        )
    if scheduled_for <= timezone.now():
        raise ValidationError({"scheduled_for": [_("Choose a time that has not passed yet.")]})
    if scheduled_for == current.scheduled_for:
        raise ValidationError({"scheduled_for": [_("The visit is already booked for that time.")]})
    previous = current.scheduled_for
    current.scheduled_for = scheduled_for
    current.full_clean()
    if (
        Visit.objects.filter(child_id=current.child_id, scheduled_for=scheduled_for)
        .exclude(status=Status.CANCELLED)
        .exclude(pk=current.pk)
        .exists()
    ):
        raise ValidationError({"scheduled_for": [_("This child already has a visit at that time.")]})
    current.save(update_fields=["scheduled_for", "updated_at"])
    _changed(current)
    VisitChange.objects.create(
        clinic_id=current.clinic_id,
        visit=current,
        kind=VisitChange.Kind.RESCHEDULED,
        previous_time=previous,
        new_time=scheduled_for,
        reason=why,
        changed_by=actor.user,
    )
    audit_record(actor=actor, action=Action.UPDATE, obj=current, summary="rescheduled")
    return current


# Importing a clinic day's appointments ---------------------------------------------------


@dataclass
class ImportResult:
    created: list[Visit] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@transaction.atomic
def appointments_import(*, actor: Actor, clinic: Clinic, text: str) -> ImportResult:
    """Book the appointments in a CSV (columns date, time, mrn, and optionally touchpoint and
    clinician username). Each line is booked by the same rules as the booking form; a bad
    line is reported by its number and reason, the good ones are booked."""
    actor.require(VisitPerm.MANAGE)
    actor.require_clinic(clinic.pk)
    result = ImportResult()
    try:
        appointments, result.errors = read_appointments(text)
    except ImportRefused as refused:
        result.errors.append(refused.error)
        return result
    # A merged record's MRN books on the record kept.
    found = Child.objects.filter(mrn__in={a.mrn for a in appointments}).select_related("merged_into")
    children = {c.mrn: c.merged_into or c for c in found}
    clinicians = _clinicians(clinic, {a.clinician for a in appointments if a.clinician})
    first_line: dict[tuple[str, date, time], int] = {}
    for appointment in appointments:
        key = (appointment.mrn, appointment.day, appointment.at)
        if key in first_line:
            reason = _("the same child and time as line %(n)d") % {"n": first_line[key]}
            result.errors.append(RowError(appointment.line, reason))
            continue
        first_line[key] = appointment.line
        outcome = _book_appointment(appointment, children, clinicians)
        if isinstance(outcome, Visit):
            result.created.append(outcome)
        else:
            result.errors.append(outcome)
    result.errors.sort(key=lambda e: e.line)
    if result.created:
        audit_record_many(actor=actor, action=Action.CREATE, objects=result.created, summary="imported visit")
    return result


def _clinicians(clinic: Clinic, usernames: set[str]) -> dict[str, User]:
    return {
        u.username: u
        for u in User.objects.filter(
            username__in=usernames, memberships__clinic=clinic, memberships__active=True
        ).distinct()
    }


def _book_appointment(
    appointment: Appointment, children: dict[str, Child], clinicians: dict[str, User]
) -> Visit | RowError:
    child = children.get(appointment.mrn)
    if child is None:
        return RowError(appointment.line, _("no child in this clinic has MRN %(v)r") % {"v": appointment.mrn})
    who = appointment.clinician
    if who and who not in clinicians:
        return RowError(
            appointment.line, _("no staff member of this clinic has the username %(v)r") % {"v": who}
        )
    try:
        with transaction.atomic():  # one line's failure leaves the others booked
            return _book(
                child=child,
                scheduled_for=timezone.make_aware(datetime.combine(appointment.day, appointment.at)),
                touchpoint=appointment.touchpoint or None,
                clinician=clinicians.get(who),
                source=Visit.Source.IMPORT,
            )
    except ValidationError as exc:
        return RowError(appointment.line, "; ".join(exc.messages))
    except (OverflowError, ValueError):
        return RowError(appointment.line, _("the date is out of range"))


# Schedule settings -------------------------------------------------------------------------


@transaction.atomic
def schedule_rule_set(
    *,
    actor: Actor,
    clinic: Clinic,
    category: str,
    touchpoint: str,
    instruments: Sequence[str],
    label: str = "",
) -> ScheduleRule:
    """Choose the instruments for a category at a touchpoint (or ``*``), or add a category."""
    actor.require(VisitPerm.SCHEDULE_CONFIGURE)
    actor.require_clinic(clinic.pk)
    if touchpoint != ANY and touchpoint not in TOUCHPOINT_KEYS:
        raise ValidationError({"touchpoint": [_("Choose a touchpoint from the list.")]})
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,39}", category):
        raise ValidationError({"category": [_("Use lower-case letters, digits and dashes.")]})
    if category not in all_categories() and not label:
        raise ValidationError({"label": [_("Name the new category.")]})
    rule, created = ScheduleRule.objects.update_or_create(
        create_defaults={
            "clinic": clinic,
            "instruments": list(dict.fromkeys(i.strip() for i in instruments if i.strip())),
            "label": label,
            "updated_by": actor.user,
        },
        category=category,
        touchpoint=touchpoint,
        defaults={
            "instruments": list(dict.fromkeys(i.strip() for i in instruments if i.strip())),
            "label": label,
            "updated_by": actor.user,
        },
    )
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=rule,
        summary=f"{category}@{touchpoint}: {', '.join(rule.instruments) or '-'}",
    )
    return rule


@transaction.atomic
def schedule_rule_remove(*, actor: Actor, rule_id: object) -> bool:
    """Remove one of the clinic's choices (the service model's default applies again).
    False when there is no such rule in this clinic (an unknown or malformed id)."""
    actor.require(VisitPerm.SCHEDULE_CONFIGURE)
    try:
        rule = ScheduleRule.objects.filter(pk=int(str(rule_id))).first()
    except ValueError:
        return False
    if rule is None:
        return False
    audit_record(actor=actor, action=Action.DELETE, obj=rule, summary=f"{rule.category}@{rule.touchpoint}")
    rule.delete()
    return True
