"""The referral workflow's reads (check, audit, never write): a child's referrals, the referrals
of a goal, one referral with its history, the overdue ones (for the huddle, my work and the
alerts worklist), and the family's summary of its services.

A need with a sensitivity label (safety at home: SDV) reads "a referral about a sensitive
need" for a viewer who may not read results with that label (``screening.labels.may_read``)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.families.models import CareRelationship, Child
from dyadcare.referrals import sharing, workflow
from dyadcare.referrals.models_referral import Referral, ReferralEvent
from dyadcare.referrals.permissions import ReferralPerm
from dyadcare.referrals.referral_services import ServiceDetails
from dyadcare.screening.labels import may_read
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record

OPEN = ("requested", "accepted", "in-progress", "on-hold")


@dataclass(frozen=True)
class ReferralRow:
    referral: Referral
    need: str
    status: str
    outcome: str
    overdue: bool
    loop_closed: bool  # completed: the organisation reports the service given

    @property
    def final(self) -> bool:
        return workflow.is_final(self.referral.status)


def need_words(need_key: str, permissions: frozenset[str], language: str) -> str:
    need = workflow.needs().get(need_key)
    if need is None:
        return need_key
    if need.labels and not may_read(need.labels, permissions):
        return str(_("a referral about a sensitive need"))
    return workflow.label(need.label, language)


def status_words(status: str, language: str) -> str:
    found = workflow.workflow().statuses.get(status)
    return workflow.label(found.label, language) if found else status


def outcome_words(code: str, language: str) -> str:
    found = workflow.workflow().outcomes.get(code)
    return workflow.label(found.label, language) if found else ""


def _language() -> str:
    from django.utils import translation

    return (translation.get_language() or "en").split("-")[0]


def _row(referral: Referral, permissions: frozenset[str], today: date) -> ReferralRow:
    language = _language()
    return ReferralRow(
        referral=referral,
        need=need_words(referral.need, permissions, language),
        status=status_words(referral.status, language),
        outcome=outcome_words(referral.business_status, language),
        overdue=bool(referral.due_on and referral.due_on < today and referral.status in OPEN),
        loop_closed=referral.status == workflow.COMPLETED,
    )


def _rows(actor: Actor, referrals: QuerySet[Referral]) -> list[ReferralRow]:
    today = timezone.localdate()
    return [_row(r, actor.permissions, today) for r in referrals.select_related("requester")]


def child_referrals(*, actor: Actor, child_id: uuid.UUID) -> list[ReferralRow]:
    """A child's referrals, open first then newest. Audited as one read of the list."""
    actor.require(ReferralPerm.VIEW)
    rows = _rows(actor, Referral.objects.filter(child_id=child_id).order_by("-created_at"))
    rows.sort(key=lambda r: r.final)
    audit_record(
        actor=actor,
        action=Action.VIEW,
        object_type="referrals.referral",
        summary=f"child {child_id}: {len(rows)} referrals",
    )
    return rows


def goal_referrals(*, actor: Actor, child_id: uuid.UUID) -> dict[uuid.UUID, list[ReferralRow]]:
    """The referrals made from each goal of a child's care plan, by goal id."""
    if not actor.can(ReferralPerm.VIEW):
        return {}
    out: dict[uuid.UUID, list[ReferralRow]] = defaultdict(list)
    for row in _rows(
        actor, Referral.objects.filter(child_id=child_id, goal__isnull=False).order_by("created_at")
    ):
        assert row.referral.goal_id is not None
        out[row.referral.goal_id].append(row)
    return dict(out)


@dataclass(frozen=True)
class Detail:
    row: ReferralRow
    events: list[ReferralEvent]
    packet: sharing.Packet
    link_open: bool
    moves: list[str]
    caregivers: list[tuple[str, str]]


def referral_detail(*, actor: Actor, referral_id: uuid.UUID) -> Detail:
    """One referral with its history, what was shared and the moves allowed now."""
    actor.require(ReferralPerm.VIEW)
    referral = get_object_or_404(
        Referral.objects.select_related("child", "caregiver", "requester", "consent__caregiver"),
        pk=referral_id,
    )
    audit_record(actor=actor, action=Action.VIEW, obj=referral)
    now = timezone.now()
    return Detail(
        row=_row(referral, actor.permissions, timezone.localdate()),
        events=list(referral.events.select_related("by_user")),
        packet=sharing.packet(referral, language=_language(), today=timezone.localdate()),
        link_open=bool(
            referral.token_hash
            and referral.link_closed_at is None
            and referral.link_expires_at
            and referral.link_expires_at > now
        ),
        moves=sorted(workflow.allowed_moves(referral.status)),
        caregivers=caregiver_choices(referral.child),
    )


def caregiver_choices(child: Child) -> list[tuple[str, str]]:
    links = (
        CareRelationship.objects.filter(child=child)
        .select_related("caregiver")
        .order_by("-is_primary", "created_at")
    )
    return [(str(link.caregiver_id), link.caregiver.full_name) for link in links]


def overdue(*, child_ids: Iterable[uuid.UUID] | None = None, today: date | None = None) -> QuerySet[Referral]:
    """Open referrals whose next update is past due (inside the clinic scope)."""
    today = today or timezone.localdate()
    found = Referral.objects.filter(status__in=OPEN, sent_at__isnull=False, due_on__lt=today)
    if child_ids is not None:
        found = found.filter(child_id__in=list(child_ids))
    return found.order_by("due_on")


def overdue_by_child(child_ids: Sequence[uuid.UUID], today: date) -> Mapping[uuid.UUID, list[Referral]]:
    out: dict[uuid.UUID, list[Referral]] = defaultdict(list)
    for referral in overdue(child_ids=child_ids, today=today):
        out[referral.child_id].append(referral)
    return out


@dataclass(frozen=True)
class ServiceLine:
    name: str
    organization: str
    phone: str
    address: str
    website: str
    hours: str
    need: str
    status: str
    sensitive: bool


@dataclass(frozen=True)
class FamilySummary:
    child: Child
    language: str
    services: list[ServiceLine]
    caregiver_phone: str
    caregiver_email: str


def family_summary(*, actor: Actor, child_id: uuid.UUID, language: str | None = None) -> FamilySummary:
    """The services a child was referred to (not cancelled or declined), how to reach them,
    their hours and next steps, in the family's language (the preferred language of the
    primary caregiver; a product language, else English). Audited as a print."""
    actor.require(ReferralPerm.VIEW)
    child = get_object_or_404(Child, pk=child_id)
    primary = (
        CareRelationship.objects.filter(child=child)
        .select_related("caregiver")
        .order_by("-is_primary", "created_at")
        .first()
    )
    preferred = primary.caregiver.preferred_language if primary else "en"
    offered = {code for code, _name in settings.LANGUAGES}
    chosen = next(code for code in (language, preferred, "en") if code in offered)
    referrals = (
        Referral.objects.filter(child=child)
        .exclude(status__in=("rejected", "cancelled"))
        .order_by("created_at")
    )
    lines = [
        ServiceLine(
            name=r.service_name,
            organization=r.organization_name,
            phone=r.service_phone,
            address=r.service_address,
            website=r.service_website,
            hours=r.service_hours,
            need=_family_need(r.need, chosen),
            status=status_words(r.status, chosen),
            sensitive=bool(workflow.needs().get(r.need) and workflow.needs()[r.need].labels),
        )
        for r in referrals
    ]
    audit_record(actor=actor, action=Action.PRINT, obj=child, summary=f"referral summary ({chosen})")
    caregiver = primary.caregiver if primary else None
    return FamilySummary(
        child,
        chosen,
        lines,
        caregiver_phone=caregiver.phone
        if caregiver and caregiver.consent_sms
        else "",  # only where they agreed
        caregiver_email=caregiver.email if caregiver and caregiver.consent_email else "",
    )


def _family_need(key: str, language: str) -> str:
    """The need in the family's words; a sensitive need (safety at home) is left off a paper
    or message someone else may read."""
    need = workflow.needs().get(key)
    return "" if need is None or need.labels else workflow.label(need.label, language)


def as_details(row: Any) -> ServiceDetails:
    """A directory service (``selectors.ServiceRow``) as it is copied onto a referral; its
    email for referrals is the referral contact when it takes referrals by email."""
    email = (
        row.referral_contact if row.accepts_referrals_via == "email" and "@" in row.referral_contact else ""
    )
    return ServiceDetails(
        name=row.name,
        organization=row.organization,
        phone=row.phones[0] if row.phones else "",
        email=(email or row.email)[:254],
        address=row.address,
        website=row.url,
        hours="; ".join(row.hours)[:400],
        service_id=uuid.UUID(str(row.id)),
    )


def directory_service(*, actor: Actor, service_id: uuid.UUID, language: str | None = None) -> ServiceDetails:
    """One directory service of the actor's network, through the directory's own selector
    (another network's or an unknown id: 404)."""
    from django.http import Http404

    from dyadcare.referrals.models import Service
    from dyadcare.referrals.selectors import service_for_referral

    actor.require(ReferralPerm.REFER)
    try:
        return as_details(service_for_referral(actor, service_id, language=language))
    except Service.DoesNotExist as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class ReferStart:
    """What the Refer page starts from: the child, the caregivers, and what it pre-fills (the
    need a positive domain or goal suggests, the family's language, the child's age, the
    household's ZIP code)."""

    child: Child
    caregivers: list[tuple[str, str]]
    need: str
    language: str
    age_months: int
    zip_code: str
    result_id: uuid.UUID | None
    goal_id: uuid.UUID | None


def refer_start(
    *, actor: Actor, child_id: uuid.UUID, result_id: uuid.UUID | None = None, goal_id: uuid.UUID | None = None
) -> ReferStart:
    from dyadcare.care.models import Goal
    from dyadcare.screening.models import ScreeningResult

    actor.require(ReferralPerm.REFER)
    child = get_object_or_404(
        Child.objects.select_related("household"), pk=child_id, merged_into__isnull=True
    )
    need = ""
    if result_id:
        result = get_object_or_404(ScreeningResult, pk=result_id, child=child)
        domains = result.domains if isinstance(result.domains, dict) else {}
        found = [workflow.need_for_domain(name) for name, positive in domains.items() if positive]
        need = next((n.key for n in found if n is not None), "")
    if goal_id:  # the goal must be this child's; its need is chosen by staff
        get_object_or_404(Goal, pk=goal_id, plan__child=child)
    caregivers = caregiver_choices(child)
    primary = (
        CareRelationship.objects.filter(child=child)
        .select_related("caregiver")
        .order_by("-is_primary", "created_at")
        .first()
    )
    audit_record(actor=actor, action=Action.VIEW, obj=child, summary="refer")
    return ReferStart(
        child=child,
        caregivers=caregivers,
        need=need,
        language=primary.caregiver.preferred_language if primary else "en",
        age_months=sharing.age_in_months(child.date_of_birth, timezone.localdate()),
        zip_code=child.household.postal_code if child.household else "",
        result_id=result_id,
        goal_id=goal_id,
    )
