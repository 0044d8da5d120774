"""Writing and reading the audit log."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from typing import Any

from django.db import models
from django.utils import timezone

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.auditactions import Action, is_known, of_kind
from dyadcare.tenancy.auditchain import append
from dyadcare.tenancy.models import AuditEvent, Clinic, Membership, Network, User

__all__ = [
    "Action",
    "audit_csv_rows",
    "audit_record",
    "audit_record_many",
    "audit_search",
    "network_security_events",
]


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
    account: User | None = None,
) -> AuditEvent:
    """Append one entry. ``obj`` names the record touched; its content is never copied.

    A security event outside any clinic (a login, a logout, a failed login, a lockout, a
    refused page, an MFA change) is about an account (``account``, else the actor's): it is
    written once in each clinic the account belongs to, so those clinics' administrators see it
    on their audit page, and once for each network it works in; an unknown account's goes to
    the instance's log. The first entry is returned."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    target_clinic = clinic or actor.clinic
    places: list[tuple[Clinic | None, Network | None]] = [
        (target_clinic, actor.network or (target_clinic.network if target_clinic else None))
    ]
    if target_clinic is None and _known(action) in of_kind("security"):
        places = _places_of(account or actor.user) or places
    entries = [_entry(actor, action, place, object_type, object_id, summary) for place in places]
    append(entries)
    return entries[0]


def _places_of(account: User | None) -> list[tuple[Clinic | None, Network | None]]:
    """Each clinic (with its network) and each network-only place where ``account`` works."""
    if account is None:
        return []
    found: dict[tuple[Any, Any], tuple[Clinic | None, Network | None]] = {}
    for membership in Membership.objects.filter(user=account, active=True).select_related(
        "clinic__network", "network"
    ):
        clinic = membership.clinic
        network = clinic.network if clinic is not None else membership.network
        found[(clinic and clinic.pk, network and network.pk)] = (clinic, network)
    return list(found.values())


def _entry(
    actor: Actor,
    action: str,
    place: tuple[Clinic | None, Network | None],
    object_type: str,
    object_id: str,
    summary: str,
) -> AuditEvent:
    return AuditEvent(
        actor=actor.user,
        actor_label=actor.label[:150],
        roles=",".join(actor.roles)[:200],
        clinic=place[0],
        network=place[1],
        action=_known(action),
        object_type=object_type[:60],
        object_id=object_id[:64],
        summary=summary[:300],
        ip=actor.ip,
        user_agent=actor.user_agent[:300],
        path=actor.path[:300],
    )


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


def network_security_events(*, actor: Actor, limit: int = 300) -> list[AuditEvent]:
    """The latest security events of the actor's network, in every clinic and its own (for the
    network administrator), newest first. Entries name accounts and record ids, never content.
    Looking is itself audited."""
    from dyadcare.tenancy.permissions import TenancyPerm
    from dyadcare.tenancy.scope import unscoped

    actor.require(TenancyPerm.NETWORK_SECURITY_VIEW)
    audit_record(
        actor=actor, action=Action.SEARCH, object_type="tenancy.auditevent", summary="security events"
    )
    with unscoped("the network's security events: accounts and record ids, no record content"):
        events = AuditEvent.objects.filter(network=actor.network, action__in=of_kind("security"))
        return list(events.select_related("clinic").order_by("-at", "-id")[:limit])


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
