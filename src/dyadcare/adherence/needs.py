"""The outreach list, read from stored needs: one ``OutreachNeed`` row per child on the list
(``outreach.needs_of``'s row for the child, stored), so a page is an indexed query of one
page of rows whatever the clinic's size.

Kept current without the list page doing the work:

- a child's row is worked out again when their visits change (touchpoints' ``VisitChanged``:
  booked, imported, moved, arrived, completed, missed, cancelled), when their record changes
  (families' ``ChildChanged``: registered, date of birth edited, merged, merge undone), both
  after commit (``subscribers.py``), and when an attempt is logged (``services.outreach_log``,
  in its own transaction);
- dates roll (a target date passes, a missed visit leaves the lookback, attempts age out), so
  ``dyadcare worker`` refreshes each clinic once a day (``tasks.refresh_outreach_needs``,
  whose sweep runs every minute and does nothing for a clinic already refreshed today).

Yesterday's needs are never shown: if a clinic has not been refreshed today (no worker
running, the first request after midnight, a database from before the stored needs, which
therefore needs no data migration) the list refreshes that clinic inline before reading it,
once a day, and logs a warning that it did (a cost of the
clinic's size, about what every request paid before: 2 s at 90,000 children). A listener
that fails is logged by the event bus; that child's row is then right again at the next
refresh (the next day) or the next change of the child.

The list's queries: the refresh check, the counts by reason (an index-only count of the rows
on the list, not of the clinic's children), the page's count and the page (with each child,
last attempt and its staff joined), the page's primary caregivers; then the audit entry."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import cast

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from dyadcare.adherence.models import OutreachAttempt, OutreachNeed, OutreachRefresh
from dyadcare.adherence.outreach import OutreachRow, needs_of
from dyadcare.adherence.permissions import AdherencePerm
from dyadcare.families.models import Caregiver, CareRelationship
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.tenancy.models import Clinic
from dyadcare.touchpoints.schedule import Touchpoint, touchpoint

logger = logging.getLogger("dyadcare.adherence")

PAGE_SIZE = 25
_STORED = ("reason", "since", "touchpoint", "missed_visit_id", "attempts", "last_attempt_id", "contact")


@dataclass
class OutreachList:
    page: Page[OutreachRow]
    total: int
    counts: dict[str, int]


def _contact(row: OutreachRow) -> str:
    if row.last_attempt is None:
        return "none"
    return "booked" if row.last_attempt.outcome == OutreachAttempt.Outcome.BOOKED else "tried"


def _need(row: OutreachRow, clinic_id: uuid.UUID, today: date) -> OutreachNeed:
    return OutreachNeed(
        clinic_id=clinic_id,
        child_id=row.child_id,
        reason=row.reason,
        since=row.since,
        touchpoint=row.touchpoint.key if row.touchpoint else "",
        missed_visit_id=row.missed_visit_id,
        attempts=row.attempts,
        last_attempt_id=row.last_attempt.pk if row.last_attempt else None,
        contact=_contact(row),
        computed_on=today,
    )


def need_refresh_child(*, clinic_id: uuid.UUID, child_id: uuid.UUID) -> OutreachNeed | None:
    """Work one child's need out again and store it, or remove it (not on the list now). In
    the clinic's scope; a fixed handful of queries, after any refresh of the clinic running
    now (both lock the clinic's ``OutreachRefresh`` row first)."""
    today = timezone.localdate()
    with transaction.atomic():
        # Waits for a refresh of the clinic running now (which rewrites every row).
        OutreachRefresh.objects.select_for_update().filter(clinic_id=clinic_id).first()
        rows = needs_of(today, child_id)
        if not rows:
            OutreachNeed.objects.filter(child_id=child_id).delete()
            return None
        need = _need(rows[0], clinic_id, today)
        fields = {name: getattr(need, name) for name in (*_STORED, "computed_on")}
        stored, _created = OutreachNeed.objects.update_or_create(
            child_id=child_id, defaults=fields, create_defaults={**fields, "clinic_id": clinic_id}
        )
    return stored


def needs_refresh(*, clinic: Clinic, only_if_stale: bool = False) -> int | None:
    """Work out every child's need in ``clinic`` again and store them (the daily refresh), in
    the clinic's scope. Returns how many children are on the list, or None when
    ``only_if_stale`` and the clinic was refreshed today already. Refreshes of one clinic
    wait for each other (its ``OutreachRefresh`` row is locked)."""
    today = timezone.localdate()
    if only_if_stale and OutreachRefresh.objects.filter(refreshed_on__gte=today).exists():
        return None
    started = time.monotonic()
    with transaction.atomic():
        state, _created = OutreachRefresh.objects.get_or_create(
            clinic=clinic, defaults={"refreshed_on": date.min, "refreshed_at": timezone.now()}
        )
        state = OutreachRefresh.objects.select_for_update().get(pk=state.pk)
        if only_if_stale and state.refreshed_on >= today:
            return None
        rows = needs_of(today)
        OutreachNeed.objects.all().delete()
        OutreachNeed.objects.bulk_create([_need(row, clinic.pk, today) for row in rows], batch_size=500)
        state.refreshed_on, state.refreshed_at, state.listed = today, timezone.now(), len(rows)
        state.save(update_fields=["refreshed_on", "refreshed_at", "listed"])
    logger.info(
        "outreach needs of clinic %s refreshed: %d listed, %.0f ms",
        clinic.pk,
        len(rows),
        (time.monotonic() - started) * 1000,
    )
    return len(rows)


def _ensure_today(clinic: Clinic) -> None:
    """One query when the clinic was refreshed today; otherwise refresh it now (logged)."""
    if needs_refresh(clinic=clinic, only_if_stale=True) is not None:
        logger.warning("outreach list of clinic %s was not refreshed today: refreshed inline", clinic.pk)


def outreach_list(*, actor: Actor, reason: str = "", contact: str = "", page: int = 1) -> OutreachList:
    """The clinic's children to reach, oldest need first; ``reason`` "overdue" or "missed",
    ``contact`` "none" (not tried yet) or "tried" (tried, not booked). Audited as one list."""
    actor.require(AdherencePerm.OUTREACH)
    assert actor.clinic is not None
    _ensure_today(actor.clinic)
    needs = OutreachNeed.objects.all()
    counts = {"overdue": 0, "missed": 0}
    counts.update(needs.order_by().values("reason").annotate(n=Count("*")).values_list("reason", "n"))
    if reason in ("overdue", "missed"):
        needs = needs.filter(reason=reason)
    if contact in ("none", "tried"):
        needs = needs.filter(contact=contact)
    ordered = needs.order_by("since", "child_id").select_related("child", "last_attempt__made_by")
    shown = Paginator(ordered, PAGE_SIZE).get_page(page)
    rows = [_row(need) for need in shown.object_list]
    _fill_caregivers(rows)
    audit_record(
        actor=actor,
        action=Action.SEARCH,
        object_type="families.child",
        summary=f"outreach list reason={reason or 'all'} contact={contact or 'any'} page {shown.number}",
    )
    paginator = cast("Paginator[OutreachRow]", shown.paginator)
    return OutreachList(page=Page(rows, shown.number, paginator), total=paginator.count, counts=counts)


def _row(need: OutreachNeed) -> OutreachRow:
    """A stored need as the list shows it (its child and last attempt read with it)."""
    return OutreachRow(
        child_id=need.child_id,
        reason=need.reason,
        since=need.since,
        touchpoint=_touchpoint(need.touchpoint),
        missed_visit_id=need.missed_visit_id,
        child=need.child,
        last_attempt=need.last_attempt,
        attempts=need.attempts,
    )


def _touchpoint(key: str) -> Touchpoint | None:
    """The stored touchpoint, if the schedule still has it (the next refresh catches up)."""
    try:
        return touchpoint(key) if key else None
    except KeyError:
        return None


def _fill_caregivers(rows: list[OutreachRow]) -> None:
    """The page's primary caregivers (one query)."""
    carers: dict[uuid.UUID, Caregiver] = {}
    for link in (
        CareRelationship.objects.filter(child_id__in=[r.child_id for r in rows])
        .select_related("caregiver")
        .order_by("-is_primary", "created_at")
    ):
        carers.setdefault(link.child_id, link.caregiver)
    for row in rows:
        row.caregiver = carers.get(row.child_id)
