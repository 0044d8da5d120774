"""The alerts worklist: the clinic's safety alerts and follow-ups, filtered, most urgent and
newest first, a page at a time, with who owns each.

Sensitivity decides here: a flag's reason and screening category show only to a viewer who
may see its result in full; everyone else reads "a screen needs a clinician's follow-up".
Filtering by category finds only flags the viewer may see in full, so a filter never tells
what a hidden result was. Two queries for a page (its count and its rows), whatever its size.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, QuerySet, Value, When

from dyadcare.families.permissions import FamilyPerm
from dyadcare.instruments.engine import InputError
from dyadcare.instruments.internal import registry
from dyadcare.screening.internal.scoring import labels, reason_in
from dyadcare.screening.internal.sensitivity import FOLLOW_UP_NEEDED, access
from dyadcare.screening.models import FHIR_COLUMNS, Flag
from dyadcare.screening.permissions import ScreeningPerm
from dyadcare.screening.selectors import library_instrument
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.tenancy.selectors import clinic_staff
from dyadcare.touchpoints.selectors import clinic_bundle

PAGE_SIZE = 25
Status = Literal["open", "closed", "all"]
Kind = Literal["", "alert", "follow_up"]


@dataclass(frozen=True)
class Filters:
    status: Status = "open"
    mine: bool = False
    kind: Kind = ""
    since: date | None = None
    until: date | None = None
    category: str = ""
    child: uuid.UUID | None = None


@dataclass(frozen=True)
class Item:
    flag: Flag
    full: bool  # the viewer may see the flag's result in full
    reason: str
    category: str  # the category's label, for a viewer who sees the result in full


@dataclass(frozen=True)
class Worklist:
    page: Page[Any]
    items: list[Item]


def _visible_instruments(permissions: frozenset[str]) -> list[str]:
    """The library's instruments whose results this viewer may see in full."""
    library = registry.library()
    visible = []
    for ident in library.ids(with_ages=True):
        try:
            instrument = library.get(ident)
        except InputError:
            continue
        if access(labels(instrument), permissions) == "full":
            visible.append(ident)
    return visible


def _filtered(actor: Actor, filters: Filters) -> QuerySet[Flag]:
    flags = Flag.objects.all()
    if filters.status == "open":
        flags = flags.filter(resolved_at__isnull=True)
    elif filters.status == "closed":
        flags = flags.filter(resolved_at__isnull=False)
    if filters.mine:
        flags = flags.filter(owner=actor.user)
    if filters.kind:
        flags = flags.filter(severity=filters.kind)
    if filters.since:
        flags = flags.filter(raised_at__date__gte=filters.since)
    if filters.until:
        flags = flags.filter(raised_at__date__lte=filters.until)
    if filters.child:
        flags = flags.filter(child_id=filters.child)
    if filters.category:
        flags = flags.filter(
            result__category=filters.category,
            result__instrument_id__in=_visible_instruments(actor.permissions),
        )
    return flags


def alert_worklist(*, actor: Actor, filters: Filters, page: str | int | None, language: str) -> Worklist:
    """One page of the worklist: open before closed, safety alerts before follow-ups,
    escalated alerts first among them, then newest first. The search is audited once."""
    actor.require(FamilyPerm.VIEW)
    assert actor.clinic is not None
    ordered = (
        _filtered(actor, filters)
        .select_related("visit", "child", "result", "owner", "resolved_by")
        .defer(*(f"result__{name}" for name in FHIR_COLUMNS))
        .annotate(
            closed=Case(
                When(resolved_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            quiet=Case(
                When(escalated_at__isnull=False, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("closed", "severity", "quiet", "-raised_at", "pk")
    )
    current = Paginator(ordered, PAGE_SIZE).get_page(page)
    bundle = clinic_bundle(actor.clinic)
    items = []
    for flag in current.object_list:
        full = access(flag.result.sensitivity, actor.permissions) == "full"
        items.append(
            Item(
                flag=flag,
                full=full,
                reason=reason_in(flag, library_instrument(flag.result.instrument_id), language)
                if full
                else str(FOLLOW_UP_NEEDED),
                category=bundle.label(flag.result.category, language)
                if full and flag.result.category
                else "",
            )
        )
    audit_record(
        actor=actor,
        action=Action.SEARCH,
        object_type="screening.flag",
        summary=f"worklist {filters.status} page {current.number}: {len(items)} of {current.paginator.count}",
    )
    return Worklist(current, items)


def category_choices(*, actor: Actor, language: str) -> list[tuple[str, str]]:
    """The screening categories a viewer may filter by (none for a viewer who sees no
    result in full: the filter would tell what a hidden result was)."""
    assert actor.clinic is not None
    if not actor.can(ScreeningPerm.VIEW):
        return []
    bundle = clinic_bundle(actor.clinic)
    from dyadcare.touchpoints.bundles import all_categories

    return sorted(((key, bundle.label(key, language)) for key in all_categories()), key=lambda c: c[1])


def owner_choices(*, actor: Actor) -> list[tuple[str, str]]:
    """The clinic's active staff, who may own a flag (each person once)."""
    assert actor.clinic is not None
    seen: dict[str, str] = {}
    for membership in clinic_staff(actor.clinic):
        user = membership.user
        if user.is_active and str(user.pk) not in seen:
            seen[str(user.pk)] = user.get_full_name() or user.username
    return list(seen.items())
