"""The billing worklist: lines by status with filters and pages, one line with its history,
releasing lines and voiding one. Reads are audited as reads of the lines shown; each write is
one transaction with its change rows and audit entries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.billing.audit_actions import BillingAction
from dyadcare.billing.models import BillingProfile, ClaimLine, ClaimLineChange, Coverage
from dyadcare.families.models import Child
from dyadcare.billing.permissions import BillingPerm
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record, audit_record_many
from dyadcare.tenancy.models import Membership, User

PAGE_SIZE = 50
Status = ClaimLine.Status


@dataclass(frozen=True)
class Worklist:
    page: Page[ClaimLine]
    counts: dict[str, int]


def _filtered(status: str, date_from: date | None, date_until: date | None, code: str, provider: str) -> QuerySet[ClaimLine]:
    lines = ClaimLine.objects.all()
    if status and status != "all":
        lines = lines.filter(status=status)
    if date_from:
        lines = lines.filter(service_date__gte=date_from)
    if date_until:
        lines = lines.filter(service_date__lte=date_until)
    if code:
        lines = lines.filter(code=code.upper())
    if provider:
        lines = lines.filter(rendering_id=provider)
    return lines


def worklist(
    *,
    actor: Actor,
    status: str = Status.HELD,
    date_from: date | None = None,
    date_until: date | None = None,
    code: str = "",
    provider: str = "",
    page: int = 1,
) -> Worklist:
    """One page of the clinic's lines (oldest date of service first) with the count per status
    for the same filters; the lines shown are audited as read."""
    actor.require(BillingPerm.VIEW)
    try:
        provider = str(uuid.UUID(provider)) if provider else ""
    except ValueError as exc:
        raise ValidationError({"provider": [_("Choose a provider from the list.")]}) from exc
    others = _filtered("all", date_from, date_until, code, provider)
    counts = {row["status"]: row["n"] for row in others.values("status").annotate(n=Count("pk")).order_by()}
    lines = _filtered(status, date_from, date_until, code, provider).select_related("child", "rendering")
    shown = Paginator(lines.order_by("service_date", "child_id", "code", "pk"), PAGE_SIZE).get_page(page)
    audit_record(
        actor=actor,
        action=BillingAction.LINES_VIEWED,
        summary=f"worklist {status or 'all'}: page {shown.number}, {len(shown.object_list)} lines",
    )
    audit_record_many(actor=actor, action=BillingAction.LINES_VIEWED, objects=list(shown.object_list))
    return Worklist(shown, counts)


def line_get(*, actor: Actor, line_id: uuid.UUID | str) -> ClaimLine:
    """One line of the clinic, with its child and provider; audited. Another clinic's: 404."""
    actor.require(BillingPerm.VIEW)
    try:
        line = ClaimLine.objects.select_related("child", "rendering", "batch").get(pk=line_id)
    except (ClaimLine.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    audit_record(actor=actor, action=BillingAction.LINE_VIEWED, obj=line)
    return line


def line_history(*, actor: Actor, line: ClaimLine) -> list[ClaimLineChange]:
    actor.require(BillingPerm.VIEW)
    actor.require_clinic(line.clinic_id)
    return list(ClaimLineChange.objects.filter(line=line).select_related("by").order_by("created_at"))


def _change(actor: Actor, line: ClaimLine, to: str, why: str, note: str = "") -> ClaimLineChange:
    return ClaimLineChange(
        clinic=line.clinic, line=line, from_status=line.status, to_status=to, by=actor.user, why=why, note=note
    )


@transaction.atomic
def lines_release(*, actor: Actor, line_ids: Sequence[uuid.UUID | str]) -> int:
    """Release the picked lines that are ready (held, exported or voided ones are left as they
    are); returns how many were released."""
    actor.require(BillingPerm.MANAGE)
    try:
        ids = [uuid.UUID(str(i)) for i in line_ids]
    except ValueError as exc:
        raise ValidationError(_("Pick lines from the list.")) from exc
    lines = list(ClaimLine.objects.select_for_update().filter(pk__in=ids, status=Status.READY))
    if not lines:
        raise ValidationError(_("None of the picked lines is ready to release."))
    ClaimLineChange.objects.bulk_create(_change(actor, line, Status.RELEASED, "released") for line in lines)
    ClaimLine.objects.filter(pk__in=[line.pk for line in lines]).update(
        status=Status.RELEASED, updated_at=timezone.now()
    )
    audit_record_many(actor=actor, action=BillingAction.LINES_RELEASED, objects=lines)
    return len(lines)


@transaction.atomic
def line_void(*, actor: Actor, line: ClaimLine, reason: str) -> ClaimLine:
    """Void a line that is not exported, with the reason; re-evaluation leaves it voided."""
    actor.require(BillingPerm.MANAGE)
    actor.require_clinic(line.clinic_id)
    line = ClaimLine.objects.select_for_update().get(pk=line.pk)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the line is voided.")]})
    if line.status in (Status.EXPORTED, Status.VOIDED):
        raise ValidationError(_("An exported or voided line cannot be voided."))
    _change(actor, line, Status.VOIDED, "voided", reason.strip()[:300]).save()
    line.status = Status.VOIDED
    line.voided_by_staff = True
    line.save(update_fields=["status", "voided_by_staff", "updated_at"])
    audit_record(actor=actor, action=BillingAction.LINE_VOIDED, obj=line, summary=reason.strip()[:200])
    return line


def providers(*, actor: Actor) -> list[User]:
    """Everyone who renders a line of the clinic (the worklist's provider filter)."""
    actor.require(BillingPerm.VIEW)
    renderer_ids = ClaimLine.objects.values_list("rendering_id", flat=True).distinct().order_by()
    return list(User.objects.filter(pk__in=renderer_ids).order_by("last_name", "first_name"))


def count_released(*, actor: Actor) -> int:
    actor.require(BillingPerm.VIEW)
    return ClaimLine.objects.filter(status=Status.RELEASED).count()


@dataclass(frozen=True)
class ProviderFound:
    user: User
    initial: dict[str, object]
    held: int  # the lines they render that are held


@dataclass(frozen=True)
class CoverageFound:
    child: Child
    initial: dict[str, object]
    held: int


def provider_get(*, actor: Actor, user_id: uuid.UUID | str) -> ProviderFound:
    """A member of the clinic's staff with their billing details (the billing profile, else
    their credential), and how many of the lines they render are held. Else 404."""
    actor.require(BillingPerm.VIEW)
    members = Membership.objects.filter(clinic=actor.clinic, active=True).values("user_id")
    user = User.objects.filter(pk__in=members, pk=str(user_id)).select_related("credential").first()
    if user is None:
        raise Http404
    profile = BillingProfile.objects.filter(user=user).first()
    credential = getattr(user, "credential", None)
    initial = {
        "licence_type": (profile.licence_type if profile and profile.licence_type else getattr(credential, "licence_type", "")),
        "npi": (profile.npi if profile and profile.npi else getattr(credential, "npi", "")),
        "aces_aware_attested_on": (profile.aces_aware_attested_on if profile else None)
        or getattr(credential, "aces_aware_attested_on", None),
    }
    held = ClaimLine.objects.filter(rendering=user, status=Status.HELD).count()
    audit_record(actor=actor, action=BillingAction.LINES_VIEWED, obj=user, summary=f"provider details; {held} held")
    return ProviderFound(user, initial, held)


def coverage_get(*, actor: Actor, child_id: uuid.UUID | str) -> CoverageFound:
    """A child of the clinic with their coverage as billing knows it, and their held lines."""
    actor.require(BillingPerm.VIEW)
    child = Child.objects.filter(pk=str(child_id)).first()
    if child is None:
        raise Http404
    coverage = Coverage.objects.filter(child=child).first()
    initial: dict[str, object] = {
        "medi_cal_id": (coverage.medi_cal_id if coverage and coverage.medi_cal_id else child.medi_cal_id),
        "enrolled": coverage.enrolled if coverage else True,
        "plan": coverage.plan if coverage else "",
        "checked_on": coverage.checked_on if coverage else None,
    }
    held = ClaimLine.objects.filter(child=child, status=Status.HELD).count()
    audit_record(actor=actor, action=BillingAction.LINES_VIEWED, obj=child, summary=f"coverage; {held} held")
    return CoverageFound(child, initial, held)


def licence_choices() -> list[tuple[str, str]]:
    """Billing's licence list (key, label in the reader's language)."""
    from django.utils.translation import get_language

    from dyadcare.billing.engine import ruleset

    language = (get_language() or "en")[:2]
    return [(key, labels.get(language) or labels["en"]) for key, labels in ruleset().licence_labels.items()]
