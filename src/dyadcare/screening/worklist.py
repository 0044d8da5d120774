"""The alerts worklist: the clinic's safety alerts and follow-ups, filtered, most urgent and
newest first, a page at a time, with who owns each.

Sensitivity decides here: a flag's reason and screening category show only to a viewer who
may see its result in full; everyone else reads "a screen needs a clinician's follow-up".
Filtering by category finds only flags the viewer may see in full, so a filter never tells
what a hidden result was. Two queries for a page, whatever the clinic's size: its count,
which stops at ``CAP`` flags (``tenancy.paging``), and its rows, read in the order of an index
(``Flag.rank``) and only the columns a row shows (never the stored FHIR JSON). Other
domains' follow-ups show the soonest ``FOLLOW_UPS_SHOWN`` with a link to all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.core.paginator import Page
from django.db.models import QuerySet
from django.utils import timezone

from dyadcare.families.permissions import FamilyPerm
from dyadcare.instruments.engine import InputError
from dyadcare.instruments.internal import registry
from dyadcare.screening.internal.scoring import labels, reason_in
from dyadcare.screening.internal.sensitivity import FOLLOW_UP_NEEDED, access
from dyadcare.screening.models import RANK_CLOSED, RANK_FOLLOW_UP, Flag
from dyadcare.screening.permissions import ScreeningPerm
from dyadcare.screening.selectors import library_instrument
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.tenancy.paging import CappedPaginator
from dyadcare.tenancy.selectors import clinic_staff
from dyadcare.touchpoints.followups import FollowUp, follow_ups
from dyadcare.touchpoints.selectors import clinic_bundle

PAGE_SIZE = 25
# What a row reads, and only that: the flag, the child's name, the result's labels, category
# and what its reason is worded from (positive, critical items, domains; never the answers or
# the stored FHIR JSON), the owner's and acknowledger's names. A page decodes 25 rows of it.
_NAMES = ("first_name", "last_name", "username")
ROW_COLUMNS = (
    *("clinic_id", "result_id", "visit_id", "child_id", "owner_id", "resolved_by_id", "severity", "reason"),
    *("raised_at", "resolved_at", "escalated_at", "note", "rank"),
    *("child__given_name", "child__family_name"),
    *(f"result__{name}" for name in ("instrument_id", "category", "sensitivity", "positive")),
    *(f"result__{name}" for name in ("critical_items", "domains")),
    *(f"owner__{name}" for name in _NAMES),
    *(f"resolved_by__{name}" for name in _NAMES),
)
FOLLOW_UPS_SHOWN = 10  # other domains' follow-ups shown before "show all"
FOLLOW_UPS_ALL = 1000  # "show all" shows this many at most, and says there are more
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
    follow_ups: list[FollowUp] = field(default_factory=list)  # other domains' (touchpoints.followups)
    more_follow_ups: bool = False  # more than those shown


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


def _ranks(filters: Filters) -> tuple[int, int]:
    """The ranks (``Flag.rank``) the status and kind filters keep, as a range [low, high)."""
    low, high = {"open": (0, RANK_CLOSED), "closed": (RANK_CLOSED, 2 * RANK_CLOSED)}.get(
        filters.status, (0, 2 * RANK_CLOSED)
    )
    if filters.kind and filters.status != "all":
        low += RANK_FOLLOW_UP if filters.kind == "follow_up" else 0
        high = low + RANK_FOLLOW_UP
    return low, high


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(actor: Actor, filters: Filters) -> QuerySet[Flag]:
    """The flags the filters keep, as ranges of the worklist's indexes where they can be
    (status, kind, owner, dates), so a page reads an index in order and stops after its rows."""
    low, high = _ranks(filters)
    flags = Flag.objects.filter(rank__gte=low, rank__lt=high)
    if filters.mine:
        flags = flags.filter(owner=actor.user)
    if filters.kind and filters.status == "all":  # open or closed: in the ranks
        flags = flags.filter(severity=filters.kind)
    if filters.since:
        flags = flags.filter(raised_at__gte=_day_start(filters.since))
    if filters.until and filters.until < date.max:  # the last day there is: no upper bound
        flags = flags.filter(raised_at__lt=_day_start(filters.until + timedelta(days=1)))
    if filters.child:
        flags = flags.filter(child_id=filters.child)
    if filters.category:
        flags = flags.filter(
            result__category=filters.category,
            result__instrument_id__in=_visible_instruments(actor.permissions),
        )
    return flags


def alert_worklist(
    *, actor: Actor, filters: Filters, page: str | int | None, language: str, all_follow_ups: bool = False
) -> Worklist:
    """One page of the worklist: open before closed, safety alerts before follow-ups,
    escalated alerts first among them, then newest first; the soonest due of the other
    domains' follow-ups (up to ``FOLLOW_UPS_ALL`` with ``all_follow_ups``). The search is
    audited once."""
    actor.require(FamilyPerm.VIEW)
    assert actor.clinic is not None
    ordered = (
        _filtered(actor, filters)
        .select_related("child", "result", "owner", "resolved_by")
        .only(*ROW_COLUMNS)
        .order_by("rank", "-raised_at", "pk")  # the index flag_worklist (or flag_worklist_owner)
    )
    current = CappedPaginator(ordered, PAGE_SIZE).get_page(page)
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
        summary=f"worklist {filters.status} page {current.number}: {len(items)} of {_counted(current)}",
    )
    shown, more = _follow_ups(actor, filters, FOLLOW_UPS_ALL if all_follow_ups else FOLLOW_UPS_SHOWN)
    return Worklist(current, items, shown, more)


def _counted(page: Page[Any]) -> str:
    paginator = page.paginator
    assert isinstance(paginator, CappedPaginator)
    return f"more than {paginator.count}" if paginator.capped else str(paginator.count)


def _follow_ups(actor: Actor, filters: Filters, limit: int) -> tuple[list[FollowUp], bool]:
    """Other domains' overdue follow-ups (a referral with no update past its due date), with
    the open list when no flag-only filter (kind, category, dates) is set: the soonest due
    ``limit`` of them, and whether there are more."""
    if filters.status == "closed" or filters.kind or filters.category or filters.since or filters.until:
        return [], False
    found = follow_ups(
        actor, mine=filters.mine, today=timezone.localdate(), child=filters.child, limit=limit + 1
    )
    return found[:limit], len(found) > limit


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
