"""The receiving organisation's side of a referral: its no-login link opens that ONE referral
(the token is the scope), shows only the shared packet, and moves the Task as the IG lets the
target move it. Links that match nothing are counted per address (``publiclinks.throttle``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from dyadcare.publiclinks import throttle
from dyadcare.publiclinks.tokens import looks_like_token, token_hash
from dyadcare.referrals import sharing, workflow
from dyadcare.referrals.audit_actions import ReferralAction
from dyadcare.referrals.models_referral import Referral, ReferralEvent
from dyadcare.referrals.referral_services import apply_move
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.tenancy.scope import unscoped

KIND = "referral"  # the public-link throttle's kind
# What the organisation may set through its link (the IG's target statuses).
PARTNER_STATUSES = ("accepted", "rejected", "in-progress", "on-hold", "completed", "failed")


class LinkProblem(Exception):
    """``unknown`` (404), ``throttled`` (429), ``expired`` or ``closed`` (410)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class PartnerLink:
    referral: Referral
    actor: Actor

    def packet(self, language: str) -> sharing.Packet:
        return sharing.packet(self.referral, language=language, today=timezone.localdate())

    def moves(self) -> list[str]:
        allowed = workflow.allowed_moves(self.referral.status)
        return [s for s in PARTNER_STATUSES if s in allowed]


def _find(digest: str) -> Referral | None:
    with unscoped("a referral's link names its referral: the token is the scope"):
        found: Referral | None = (
            Referral.objects.select_related("clinic__network", "child", "consent__caregiver")
            .filter(token_hash=digest)
            .first()
        )
    return found


def open_link(token: str, *, ip: str | None, user_agent: str = "", path: str = "") -> PartnerLink:
    """The referral a link opens, or LinkProblem."""
    referral = _find(token_hash(token)) if looks_like_token(token) else None
    if referral is None:
        if throttle.is_throttled(kind=KIND, ip=ip):
            raise LinkProblem("throttled")
        throttle.record_unknown(kind=KIND, ip=ip)
        raise LinkProblem("unknown")
    if referral.link_closed_at is not None and not workflow.is_final(referral.status):
        raise LinkProblem("closed")
    if referral.link_expires_at is None or referral.link_expires_at < timezone.now():
        raise LinkProblem("expired")
    actor = Actor(
        label=f"referral link ({referral.service_name[:80]})",
        clinic=referral.clinic,
        network=referral.clinic.network,
        ip=ip,
        user_agent=user_agent[:300],
        path=path[:300],
    )
    return PartnerLink(referral, actor)


def read(link: PartnerLink) -> None:
    """Audit the organisation opening its referral."""
    audit_record(
        actor=link.actor, action=Action.VIEW, obj=link.referral, summary="opened by its organization"
    )


def update(link: PartnerLink, *, status: str, outcome: str = "", note: str = "") -> Referral:
    """The organisation moves the Task. Raises workflow.TransitionRefused."""
    link.actor.require_clinic(link.referral.clinic_id)
    if status not in PARTNER_STATUSES:
        raise workflow.TransitionRefused(f"the organization cannot set {status!r}")
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=link.referral.pk)
        if referral.link_closed_at is not None and workflow.is_final(referral.status):
            raise workflow.TransitionRefused("the referral is closed")
        apply_move(referral, to=status, outcome=outcome, note=note, by=ReferralEvent.By.PARTNER)
        audit_record(
            actor=link.actor,
            action=ReferralAction.STATUS_CHANGED,
            obj=referral,
            summary=f"→ {status} {outcome}",
        )
    return referral
