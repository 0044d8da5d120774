"""Billing's reads for the interfaces: the worklist, a line's history, the batches, the
providers' billing details, a child's coverage, the clinic's settings and the lines to export.
Each takes the actor, checks ``billing.view`` and audits what it shows; none writes a line."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, Q, Value, When

from dyadcare.billing import engine
from dyadcare.billing.audit_actions import BillingAction
from dyadcare.billing.internal.inputs import staff_inputs
from dyadcare.billing.models import (
    BillingSettings,
    ClaimBatch,
    ClaimLine,
    ClaimLineChange,
    Coverage,
    RuleOverride,
)
from dyadcare.billing.permissions import BillingPerm
from dyadcare.billing.reasons import ReasonView, note_texts, reason_views
from dyadcare.families.models import Child
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record, audit_record_many
from dyadcare.tenancy.models import Membership, User

Status = ClaimLine.Status
PER_PAGE = 50
STATUS_ORDER = (Status.HELD, Status.READY, Status.RELEASED, Status.EXPORTED, Status.VOIDED)


@dataclass(frozen=True)
class LineRow:
    """A line as the worklist shows it: the line, its child and provider, its reasons in
    words with the fix that releases each, and its notes in words."""

    line: ClaimLine
    child: Child
    rendering: User | None
    reasons: list[ReasonView]
    notes: list[str]


@dataclass(frozen=True)
class Worklist:
    rows: list[LineRow]
    total: int  # lines matching the filters
    page: int
    pages: int
    counts: dict[str, int]  # lines per status in the clinic (whatever the filters)
    reason_counts: dict[str, int] = field(default_factory=dict)  # held lines per reason code


@dataclass(frozen=True)
class Filters:
    """The worklist's filters; every one optional."""

    status: str = ""  # ready | held | released | exported | voided
    reason: str = ""  # a reason code: held lines held for it
    code: str = ""
    child_id: uuid.UUID | None = None
    rendering_id: uuid.UUID | None = None
    date_from: date | None = None
    date_until: date | None = None
    batch_id: uuid.UUID | None = None


def _filtered(filters: Filters) -> Q:
    q = Q()
    if filters.status:
        q &= Q(status=filters.status)
    if filters.reason:
        q &= Q(status=Status.HELD, reason_codes__contains=f" {filters.reason.strip()} ")
    if filters.code:
        q &= Q(code=filters.code.strip().upper())
    for name, value in (
        ("child_id", filters.child_id),
        ("rendering_id", filters.rendering_id),
        ("service_date__gte", filters.date_from),
        ("service_date__lte", filters.date_until),
        ("batch_id", filters.batch_id),
    ):
        if value:
            q &= Q(**{name: value})
    return q


def _row(line: ClaimLine) -> LineRow:
    return LineRow(
        line, line.child, line.rendering, reason_views(line, line.reasons), note_texts(line, line.notes)
    )


def _reason_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for reasons in ClaimLine.objects.filter(status=Status.HELD).values_list("reasons", flat=True):
        for reason in reasons:
            counts[reason.get("code", "")] = counts.get(reason.get("code", ""), 0) + 1
    return counts


def worklist(
    *, actor: Actor, filters: Filters | None = None, page: int = 1, per_page: int = PER_PAGE
) -> Worklist:
    """A page of lines (held first, then ready, released, exported, voided; by date of
    service), with the clinic's counts per status and per held reason."""
    actor.require(BillingPerm.VIEW)
    filters = filters or Filters()
    query = ClaimLine.objects.filter(_filtered(filters))
    total = query.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rank = Case(*(When(status=s, then=Value(n)) for n, s in enumerate(STATUS_ORDER)), default=Value(9))
    lines = list(
        query.select_related("child", "rendering")
        .annotate(rank=rank)
        .order_by("rank", "service_date", "code", "id")[(page - 1) * per_page : page * per_page]
    )
    counts = dict.fromkeys(Status.values, 0)
    for row in ClaimLine.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    if lines:
        audit_record_many(actor=actor, action=BillingAction.LINES_VIEWED, objects=lines)
    return Worklist([_row(line) for line in lines], total, page, pages, counts, _reason_counts())


@dataclass(frozen=True)
class LineHistory:
    row: LineRow
    changes: list[ClaimLineChange]
    source_lines: list[ClaimLine]  # every line of the same source (its other slots)


def line_history(*, actor: Actor, line_id: uuid.UUID | str) -> LineHistory:
    """One line with every change of it (who, when, why); ``ClaimLine.DoesNotExist`` for a
    line not of this clinic (a 404)."""
    actor.require(BillingPerm.VIEW)
    try:
        pk = uuid.UUID(str(line_id))
    except ValueError:
        raise ClaimLine.DoesNotExist from None
    line = ClaimLine.objects.select_related("child", "rendering", "batch").get(pk=pk)
    changes = list(
        ClaimLineChange.objects.filter(line=line).select_related("by").order_by("created_at", "id")
    )
    siblings = list(
        ClaimLine.objects.filter(source_kind=line.source_kind, source_id=line.source_id).exclude(pk=line.pk)
    )
    audit_record(actor=actor, action=BillingAction.LINE_VIEWED, obj=line)
    return LineHistory(_row(line), changes, siblings)


def batches(*, actor: Actor, page: int = 1, per_page: int = PER_PAGE) -> list[ClaimBatch]:
    """The clinic's export batches, newest first."""
    actor.require(BillingPerm.VIEW)
    start = (max(1, page) - 1) * per_page
    return list(
        ClaimBatch.objects.select_related("made_by").order_by("-created_at")[start : start + per_page]
    )


def batch_get(*, actor: Actor, batch_id: uuid.UUID | str) -> ClaimBatch:
    actor.require(BillingPerm.VIEW)
    return ClaimBatch.objects.get(pk=str(batch_id))


def next_control_number(*, actor: Actor) -> int:
    """The next interchange control number (ISA13) of the clinic's 837P batches."""
    actor.require(BillingPerm.VIEW)
    last = ClaimBatch.objects.filter(control_number__isnull=False).order_by("-control_number").first()
    return (last.control_number or 0) + 1 if last else 1


def lines_for_export(*, actor: Actor, line_ids: Sequence[uuid.UUID | str] | None = None) -> list[ClaimLine]:
    """Released lines (all, or those named) with their child and rendering provider, by date of
    service, for an exporter to build its file from (then ``services.batch_record``)."""
    actor.require(BillingPerm.MANAGE)
    query = ClaimLine.objects.filter(status=Status.RELEASED).select_related("child", "rendering")
    if line_ids is not None:
        query = query.filter(pk__in=[str(i) for i in line_ids])
    lines = list(query.order_by("service_date", "child_id", "code"))
    if lines:
        audit_record_many(actor=actor, action=BillingAction.LINES_VIEWED, objects=lines)
    return lines


@dataclass(frozen=True)
class Provider:
    """A staff member's billing details as billing reads them (profile, else credential)."""

    user: User
    licence: str  # a key of billing's licence list ("" when unknown)
    npi: str
    aces_aware_attested_on: date | None
    supervisor_id: str
    held_lines: int


def providers(*, actor: Actor) -> list[Provider]:
    """Everyone with a role in the clinic, with their billing details and held lines."""
    actor.require(BillingPerm.VIEW)
    users = list(
        User.objects.filter(
            pk__in=Membership.objects.filter(clinic=actor.clinic).values("user_id")
        ).distinct()
    )
    details = staff_inputs([u.pk for u in users])
    held = dict(
        ClaimLine.objects.filter(status=Status.HELD)
        .values_list("rendering_id")
        .annotate(n=Count("id"))
        .values_list("rendering_id", "n")
    )
    rules = engine.ruleset()
    out = []
    for user in users:
        staff = details[str(user.pk)]
        attested = staff.aces_attested_on
        out.append(
            Provider(
                user,
                rules.licence_key(staff.licence) or "",
                staff.npi,
                attested,
                staff.supervisor,
                held.get(user.pk, 0),
            )
        )
    return out


def provider_of(*, actor: Actor, user_id: uuid.UUID | str) -> Provider:
    """One provider's billing details; ``User.DoesNotExist`` for someone not of the clinic."""
    for provider in providers(actor=actor):
        if str(provider.user.pk) == str(user_id):
            return provider
    raise User.DoesNotExist


def coverage_of(*, actor: Actor, child_id: uuid.UUID | str) -> Coverage:
    """The child's coverage as billing knows it (an unsaved one from the child's record when
    never recorded); ``Child.DoesNotExist`` for a child not of this clinic."""
    actor.require(BillingPerm.VIEW)
    child = Child.objects.get(pk=str(child_id))
    found = Coverage.objects.filter(child=child).first()
    audit_record(actor=actor, action=BillingAction.LINE_VIEWED, obj=child, summary="coverage")
    if found:
        return found
    row = BillingSettings.objects.filter(clinic=actor.clinic).first()
    return Coverage(
        clinic=actor.clinic,
        child=child,
        medi_cal_id=child.medi_cal_id,
        enrolled=True,
        plan=row.default_plan if row else "",
    )


def billing_settings(*, actor: Actor) -> BillingSettings:
    """The clinic's billing settings (the defaults, unsaved, when never set)."""
    actor.require(BillingPerm.VIEW)
    return BillingSettings.objects.filter(clinic=actor.clinic).first() or BillingSettings(clinic=actor.clinic)


@dataclass(frozen=True)
class RuleChoice:
    """A rule of the payer's rule set a clinic may override (inferred or unverified)."""

    id: str
    code: str
    descriptor: str
    confidence: str
    overrides: list[RuleOverride]


def overridable_rules(*, actor: Actor) -> list[RuleChoice]:
    """Every inferred or unverified rule, limit, renderer group and the unit rounding, with
    the clinic's overrides of each."""
    actor.require(BillingPerm.VIEW)
    rules = engine.ruleset()
    overrides: dict[str, list[RuleOverride]] = {}
    for row in RuleOverride.objects.order_by("plan"):
        overrides.setdefault(row.rule_id, []).append(row)
    out: list[RuleChoice] = []
    for rule in rules.rules:
        out.append(
            RuleChoice(rule.id, rule.code, rule.descriptor, rule.confidence, overrides.get(rule.id, []))
        )
        for limit in rule.limits:
            if not any(c.id == limit.id for c in out):
                out.append(
                    RuleChoice(
                        limit.id,
                        rule.code,
                        limit.id,
                        limit.provenance.confidence,
                        overrides.get(limit.id, []),
                    )
                )
    for part in (rules.units, *rules.renderer_groups.values()):
        out.append(RuleChoice(part.id, "", part.id, part.confidence, overrides.get(part.id, [])))
    return [c for c in out if c.confidence != "verified"]
