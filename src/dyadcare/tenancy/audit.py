"""Writing and reading the audit log."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from typing import Any

from django.db import models
from django.utils import timezone

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.auditactions import Action, is_known
from dyadcare.tenancy.auditchain import append
from dyadcare.tenancy.models import AuditEvent, Clinic

__all__ = ["Action", "audit_csv_rows", "audit_record", "audit_record_many", "audit_search"]


def _known(action: str) -> str:
    if not is_known(action):
        raise ValueError(f"undeclared audit action {action!r}: declare it in the domain's audit_actions")
    return action


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    clinic: Clinic | None = None,
) -> AuditEvent:
    """Append one entry. ``obj`` names the record touched; its content is never copied."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    target_clinic = clinic or actor.clinic
    entry = AuditEvent(
        actor=actor.user,
        actor_label=actor.label[:150],
        roles=",".join(actor.roles)[:200],
        clinic=target_clinic,
        network=actor.network or (target_clinic.network if target_clinic else None),
        action=_known(action),
        object_type=object_type[:60],
        object_id=object_id[:64],
        summary=summary[:300],
        ip=actor.ip,
        user_agent=actor.user_agent[:300],
        path=actor.path[:300],
    )
    append([entry])
    return entry


def audit_record_many(
    *, actor: Actor, action: str, objects: Iterable[models.Model], summary: str = ""
) -> None:
    """One entry per record, written in one statement (for pages that list several people)."""
    _known(action)
    entries = [
        AuditEvent(
            actor=actor.user,
            actor_label=actor.label[:150],
            roles=",".join(actor.roles)[:200],
            clinic=actor.clinic,
            network=actor.network,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            summary=summary[:300],
            ip=actor.ip,
            user_agent=actor.user_agent[:300],
            path=actor.path[:300],
        )
        for obj in objects
    ]
    append(entries)


def audit_search(
    *,
    actor: Actor,
    who: str = "",
    action: str = "",
    object_id: str = "",
    since: date | None = None,
    until: date | None = None,
    export: bool = False,
) -> models.QuerySet[AuditEvent]:
    """The clinic's audit entries matching the filters, newest first (inside a clinic scope).
    The search itself is audited (an export as an export)."""
    from dyadcare.tenancy.permissions import TenancyPerm

    actor.require(TenancyPerm.AUDIT_VIEW)
    audit_record(
        actor=actor,
        action=Action.EXPORT if export else Action.SEARCH,
        object_type="tenancy.auditevent",
        summary="csv" if export else "",
    )
    events = AuditEvent.objects.select_related("actor")
    if who:
        events = events.filter(actor_label__icontains=who)
    if action:
        events = events.filter(action=action)
    if object_id:
        events = events.filter(object_id=object_id)
    tz = timezone.get_current_timezone()
    if since:
        events = events.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        events = events.filter(at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return events.order_by("-at", "-id")


CSV_COLUMNS = [
    "at",
    "actor",
    "roles",
    "clinic",
    "action",
    "object_type",
    "object_id",
    "summary",
    "ip",
    "user_agent",
    "path",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_csv_rows(events: models.QuerySet[AuditEvent]) -> Iterator[str]:
    """The entries as CSV lines, streamed (an audit log can be long)."""
    writer: Any = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events.select_related("clinic").iterator(chunk_size=2000):
        yield writer.writerow(
            [
                event.at.isoformat(),
                event.actor_label,
                event.roles,
                event.clinic.slug if event.clinic else "",
                event.action,
                event.object_type,
                event.object_id,
                _csv_safe(event.summary),
                event.ip or "",
                _csv_safe(event.user_agent),
                _csv_safe(event.path),
            ]
        )


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value
