"""Writes on visits and schedule settings: one transaction each, audited."""

from __future__ import annotations

import csv
import io
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
from dyadcare.tenancy.models import Clinic, User
from dyadcare.touchpoints.bundles import ANY, all_categories
from dyadcare.touchpoints.models import ScheduleRule, Visit
from dyadcare.touchpoints.permissions import VisitPerm
from dyadcare.touchpoints.schedule import TOUCHPOINT_KEYS, touchpoint_on

Status = Visit.Status


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
    audit_record(actor=actor, action=Action.CREATE, obj=visit, summary=f"visit {visit.touchpoint or 'other'}")
    return visit


def _locked(visit: Visit) -> Visit:
    """The visit as stored now, locked for this transaction (two people may click at once)."""
    return Visit.objects.select_for_update().select_related("child").get(pk=visit.pk)


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
    audit_record(actor=actor, action=Action.UPDATE, obj=current, summary="arrived")
    return current


@transaction.atomic
def visit_complete(*, actor: Actor, visit: Visit, categories: Sequence[str]) -> Visit:
    """Close a visit, recording which screening categories were done at it."""
    known = set(all_categories()) | set(ScheduleRule.objects.values_list("category", flat=True))
    unknown = set(categories) - known
    if unknown:
        raise ValidationError(
            {"categories": [_("Unknown screening category: %(c)s") % {"c": ", ".join(sorted(unknown))}]}
        )
    current = _transition(actor, visit, [Status.SCHEDULED, Status.ARRIVED], Status.COMPLETED)
    current.completed_categories = sorted(set(categories))
    current.closed_at = timezone.now()
    current.arrived_at = current.arrived_at or current.closed_at
    current.save(update_fields=["status", "completed_categories", "closed_at", "arrived_at", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=current,
        summary="completed: " + ", ".join(current.completed_categories),
    )
    return current


@transaction.atomic
def visit_mark_missed(*, actor: Actor, visit: Visit) -> Visit:
    if timezone.localtime(visit.scheduled_for).date() > timezone.localdate():
        raise ValidationError(_("A visit in the future cannot be missed yet; cancel it instead."))
    current = _transition(actor, visit, [Status.SCHEDULED], Status.MISSED)
    current.closed_at = timezone.now()
    current.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, action=Action.UPDATE, obj=current, summary="missed")
    return current


@transaction.atomic
def visit_cancel(*, actor: Actor, visit: Visit) -> Visit:
    current = _transition(actor, visit, [Status.SCHEDULED, Status.ARRIVED], Status.CANCELLED)
    current.closed_at = timezone.now()
    current.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, action=Action.UPDATE, obj=current, summary="cancelled")
    return current


# Importing a clinic day's appointments ---------------------------------------------------

IMPORT_COLUMNS = ("date", "time", "mrn", "touchpoint", "clinician")
REQUIRED_COLUMNS = ("date", "time", "mrn")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y")
_TIME_FORMATS = ("%H:%M", "%I:%M %p", "%I:%M%p", "%H:%M:%S")
MAX_IMPORT_ROWS = 2000


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportResult:
    created: list[Visit] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _parse(text: str, formats: Sequence[str]) -> datetime | None:
    for fmt in formats:
        try:
            return datetime.strptime(text.strip().upper(), fmt)  # noqa: DTZ007 (a wall-clock value)
        except ValueError:
            continue
    return None


def _parse_date(text: str) -> date | None:
    parsed = _parse(text, _DATE_FORMATS)
    return parsed.date() if parsed else None


def _parse_time(text: str) -> time | None:
    parsed = _parse(text, _TIME_FORMATS)
    return parsed.time() if parsed else None


@transaction.atomic
def appointments_import(*, actor: Actor, clinic: Clinic, text: str) -> ImportResult:
    """Book the appointments in a CSV (columns date, time, mrn, and optionally touchpoint and
    clinician username). Each bad row is reported by line number and reason; good rows are
    booked."""
    actor.require(VisitPerm.MANAGE)
    actor.require_clinic(clinic.pk)
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        result.errors.append(
            RowError(1, _("The first line must name the columns; missing: %(c)s") % {"c": ", ".join(missing)})
        )
        return result
    rows = []
    for raw in reader:
        rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None})
        if len(rows) > MAX_IMPORT_ROWS:
            result.errors.append(
                RowError(
                    reader.line_num,
                    _("Too many rows: import at most %(n)d at a time.") % {"n": MAX_IMPORT_ROWS},
                )
            )
            return result
    mrns = {r.get("mrn", "") for r in rows}
    children = {c.mrn: c for c in Child.objects.filter(mrn__in=mrns)}
    usernames = {r.get("clinician", "") for r in rows if r.get("clinician")}
    clinicians = {
        u.username: u
        for u in User.objects.filter(
            username__in=usernames, memberships__clinic=clinic, memberships__active=True
        ).distinct()
    }
    existing = set(
        Visit.objects.filter(child__in=children.values())
        .exclude(status=Status.CANCELLED)
        .values_list("child_id", "scheduled_for")
    )
    seen: dict[tuple[object, datetime], int] = {}
    line = 1
    for row in rows:
        line += 1
        day, at = _parse_date(row.get("date", "")), _parse_time(row.get("time", ""))
        child = children.get(row.get("mrn", ""))
        point = row.get("touchpoint", "").lower()
        who = row.get("clinician", "")
        reason = None
        if not any(row.values()):
            continue
        if day is None:
            reason = _("the date %(v)r is not a date (use YYYY-MM-DD)") % {"v": row.get("date", "")}
        elif at is None:
            reason = _("the time %(v)r is not a time (use 14:30 or 2:30 PM)") % {"v": row.get("time", "")}
        elif not row.get("mrn"):
            reason = _("the MRN is empty")
        elif child is None:
            reason = _("no child in this clinic has MRN %(v)r") % {"v": row["mrn"]}
        elif point and point not in TOUCHPOINT_KEYS:
            reason = _("unknown touchpoint %(v)r") % {"v": point}
        elif who and who not in clinicians:
            reason = _("no staff member of this clinic has the username %(v)r") % {"v": who}
        elif day < child.date_of_birth:
            reason = _("the date is before the child's birth")
        if reason is None:
            assert day is not None and at is not None and child is not None
            when = timezone.make_aware(datetime.combine(day, at))
            key = (child.pk, when)
            if key in seen:
                reason = _("the same child and time as line %(n)d") % {"n": seen[key]}
            elif key in existing:
                reason = _("this child already has a visit at that time")
            else:
                seen[key] = line
                visit = Visit(
                    clinic=clinic,
                    child=child,
                    scheduled_for=when,
                    touchpoint=point or _auto_touchpoint(child, when),
                    clinician=clinicians.get(who) if who else None,
                    source=Visit.Source.IMPORT,
                )
                result.created.append(visit)
                continue
        result.errors.append(RowError(line, reason))
    if result.created:
        Visit.objects.bulk_create(result.created)
        audit_record_many(actor=actor, action=Action.CREATE, objects=result.created, summary="imported visit")
    return result


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
