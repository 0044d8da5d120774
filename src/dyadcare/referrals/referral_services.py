"""The referral workflow's writes (keyword-only, take the ``Actor``, check, save and audit in one
transaction): make a referral with the caregiver's consent, send it (an expiring no-login link
by email, or printed or phoned), move its Task as staff or as an update taken by phone, resend
or close the organisation's link, and send the family its summary."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.care.models import Goal
from dyadcare.families.models import Caregiver, CareRelationship, Child
from dyadcare.publiclinks import senders
from dyadcare.publiclinks.tokens import new_token, token_hash
from dyadcare.referrals import sharing, workflow
from dyadcare.referrals.audit_actions import ReferralAction
from dyadcare.referrals.models_referral import Referral, ReferralConsent, ReferralEvent
from dyadcare.referrals.permissions import ReferralPerm
from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record
from dyadcare.tenancy.models import User


class ConsentMissing(ValidationError):
    """Nothing leaves the clinic before the caregiver agreed to share."""


@dataclass(frozen=True)
class ServiceDetails:
    """The service as copied onto the referral (from the directory, or typed by staff)."""

    name: str
    organization: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    website: str = ""
    hours: str = ""
    service_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ConsentInput:
    caregiver_id: uuid.UUID
    method: str
    consented_on: date
    shares: tuple[str, ...] = field(default=sharing.DEFAULT_ITEMS)


@dataclass(frozen=True)
class Sent:
    referral: Referral
    token: str = ""  # the new link's token (never stored), when sent by email


def _caregiver_of(child: Child, caregiver_id: uuid.UUID) -> Caregiver:
    link = CareRelationship.objects.filter(child=child, caregiver_id=caregiver_id).select_related("caregiver")
    found = link.first()
    if found is None:
        raise ValidationError({"caregiver": _("Choose one of the child's caregivers.")})
    return found.caregiver


def _basis(
    child: Child, *, result_id: uuid.UUID | None, goal_id: uuid.UUID | None
) -> tuple[str, dict[str, Any]]:
    if result_id:
        result = ScreeningResult.objects.filter(pk=result_id, child=child, positive=True).first()
        if result is None:
            raise ValidationError(
                {"result": _("That screening result is not a positive result of this child.")}
            )
        return Referral.Basis.SCREENING, {"result": result}
    if goal_id:
        goal = Goal.objects.filter(pk=goal_id, plan__child=child).first()
        if goal is None:
            raise ValidationError({"goal": _("That goal is not on this child's care plan.")})
        return Referral.Basis.GOAL, {"goal": goal}
    return Referral.Basis.JUDGEMENT, {}


def _check_consent(child: Child, consent: ConsentInput) -> Caregiver:
    errors: dict[str, str] = {}
    if consent.method not in ReferralConsent.Method.values:
        errors["method"] = _("Say how the caregiver agreed (verbal or written).")
    if consent.consented_on > timezone.localdate():
        errors["consented_on"] = _("Consent cannot be given in the future.")
    if not set(consent.shares) <= set(sharing.ITEMS) or sharing.NEED not in consent.shares:
        errors["shares"] = _("Choose what may be shared; the need is always shared.")
    if errors:
        raise ValidationError(errors)
    return _caregiver_of(child, consent.caregiver_id)


def refer(
    *,
    actor: Actor,
    child_id: uuid.UUID,
    caregiver_id: uuid.UUID,
    need: str,
    service: ServiceDetails,
    reason: str = "",
    result_id: uuid.UUID | None = None,
    goal_id: uuid.UUID | None = None,
    consent: ConsentInput | None = None,
    language: str = "en",
) -> Referral:
    """A referral from a need (a positive result, a goal, or staff judgement with a reason) to a
    service, with the caregiver's consent when given. Nothing is sent here."""
    actor.require(ReferralPerm.REFER)
    assert actor.user is not None and actor.clinic is not None
    child = get_object_or_404(Child, pk=child_id, merged_into__isnull=True)
    errors: dict[str, str] = {}
    if need not in workflow.needs():
        errors["need"] = _("Choose a need.")
    if not service.name.strip():
        errors["service_name"] = _("Choose a service or type its name.")
    basis, links = _basis(child, result_id=result_id, goal_id=goal_id)
    if basis == Referral.Basis.JUDGEMENT and not reason.strip():
        errors["reason"] = _("Say why you are referring (your judgement needs a reason).")
    if errors:
        raise ValidationError(errors)
    caregiver = _caregiver_of(child, caregiver_id)
    consenting = _check_consent(child, consent) if consent is not None else None
    with transaction.atomic():
        referral = Referral(
            clinic=actor.clinic,
            child=child,
            caregiver=consenting or caregiver,
            need=need,
            basis=basis,
            reason=reason.strip()[:400],
            requester=actor.user,
            service_id=service.service_id,
            service_name=service.name.strip()[:300],
            organization_name=service.organization[:300],
            service_phone=service.phone[:60],
            service_email=service.email[:254],
            service_address=service.address[:400],
            service_website=service.website[:500],
            service_hours=service.hours[:400],
            language=language if language in ("en", "es") else "en",
            **links,
        )
        referral.full_clean(exclude=["clinic", "token_hash"])
        referral.save()
        if consent is not None and consenting is not None:
            _save_consent(actor, referral, consenting, consent)
        audit_record(actor=actor, action=ReferralAction.CREATED, obj=referral, summary=f"need {need}")
    return referral


def _save_consent(actor: Actor, referral: Referral, caregiver: Caregiver, consent: ConsentInput) -> None:
    assert actor.user is not None
    ReferralConsent.objects.create(
        clinic=referral.clinic,
        referral=referral,
        caregiver=caregiver,
        method=consent.method,
        consented_on=consent.consented_on,
        recorded_by=actor.user,
        shares=list(consent.shares),
    )


def record_consent(*, actor: Actor, referral_id: uuid.UUID, consent: ConsentInput) -> Referral:
    """Record (or replace, before sending) the caregiver's consent to share."""
    actor.require(ReferralPerm.REFER)
    with transaction.atomic():
        referral = get_object_or_404(Referral.objects.select_for_update(), pk=referral_id)
        if referral.sent_at is not None:
            raise ValidationError(_("This referral was sent; its consent cannot change."))
        caregiver = _check_consent(referral.child, consent)
        ReferralConsent.objects.filter(referral=referral).delete()
        _save_consent(actor, referral, caregiver, consent)
        referral.caregiver = caregiver
        referral.save(update_fields=["caregiver", "updated_at"])
        audit_record(actor=actor, action=ReferralAction.CREATED, obj=referral, summary="consent recorded")
    return referral


def _history(
    referral: Referral,
    *,
    to: str,
    by: str,
    user: User | None = None,
    note: str = "",
    outcome: str = "",
    caller: str = "",
) -> None:
    ReferralEvent.objects.create(
        clinic=referral.clinic,
        referral=referral,
        from_status=referral.status,
        to_status=to,
        business_status=outcome,
        note=note[:1000],
        by=by,
        by_user=user,
        caller=caller[:200],
        at=timezone.now(),
    )


def send_referral(*, actor: Actor, referral_id: uuid.UUID, channel: str, base_url: str = "") -> Sent:
    """Send the referral (or a new link for it): by email, a link to the organisation's page
    that works for ``link.days`` (the old link stops working); by print or phone, nothing
    leaves but the staff's own words. Refused without the caregiver's consent."""
    actor.require(ReferralPerm.REFER)
    with transaction.atomic():
        referral = get_object_or_404(Referral.objects.select_for_update(), pk=referral_id)
        if not ReferralConsent.objects.filter(referral=referral).exists():
            raise ConsentMissing(_("Record the caregiver's consent before anything is sent."))
        if workflow.is_final(referral.status):
            raise ValidationError(_("This referral is closed."))
        if channel not in Referral.Channel.values:
            raise ValidationError({"channel": _("Choose how to send the referral.")})
        if channel == Referral.Channel.EMAIL and not referral.service_email:
            raise ValidationError(
                {"channel": _("The service has no email for referrals: print it or phone it.")}
            )
        now = timezone.now()
        first = referral.sent_at is None
        token = ""
        if channel == Referral.Channel.EMAIL:
            token = new_token()
            referral.token_hash = token_hash(token)
            referral.link_expires_at = now + timedelta(days=workflow.workflow().link_days)
            referral.link_closed_at = None
        referral.channel = channel
        if first:
            referral.sent_at = now
            referral.due_on = workflow.next_due(referral.status, timezone.localdate())
            # The first row: sent (from and to the same status: the page words it).
            _history(referral, to=referral.status, by=ReferralEvent.By.STAFF, user=actor.user)
        referral.save()
        audit_record(actor=actor, action=ReferralAction.SENT, obj=referral, summary=f"by {channel}")
        if token:
            _email_link(referral, base_url, token)
    return Sent(referral, token)


def _email_link(referral: Referral, base_url: str, token: str) -> None:
    """The email says only that a referral waits behind the link: the family's details are on
    the page, never in the mailbox."""
    from django.urls import reverse

    url = base_url.rstrip("/") + reverse("partner:referral", kwargs={"token": token})
    expires = (
        timezone.localtime(referral.link_expires_at).date().isoformat() if referral.link_expires_at else ""
    )
    subject = _("A referral from %(clinic)s") % {"clinic": referral.clinic.name}
    body = _(
        "%(clinic)s has referred a family to %(service)s with the family's consent.\n\n"
        "Open this link to see the referral and tell the clinic what happens "
        "(accept, decline, in progress, completed). No account is needed. "
        "The link works until %(expires)s.\n\n%(url)s\n"
    ) % {"clinic": referral.clinic.name, "service": referral.service_name, "expires": expires, "url": url}
    try:
        senders.send_email(to=referral.service_email, subject=subject, body=body)
    except senders.SendError as exc:
        raise ValidationError(_("The email could not be sent: %(error)s") % {"error": exc}) from exc


def close_link(*, actor: Actor, referral_id: uuid.UUID) -> Referral:
    """Close the organisation's link (a new one can be sent)."""
    actor.require(ReferralPerm.REFER)
    with transaction.atomic():
        referral = get_object_or_404(Referral.objects.select_for_update(), pk=referral_id)
        referral.link_closed_at = timezone.now()
        referral.save(update_fields=["link_closed_at", "updated_at"])
        audit_record(actor=actor, action=ReferralAction.LINK_CLOSED, obj=referral)
    return referral


def apply_move(
    referral: Referral,
    *,
    to: str,
    outcome: str,
    note: str,
    by: str,
    user: User | None = None,
    caller: str = "",
) -> None:
    """Move the Task (the caller holds the row lock): the rule, the history row, the next due
    date; a final status closes the link."""
    workflow.check_move(referral.status, to, outcome=outcome, reason=note)
    if referral.sent_at is None and by != ReferralEvent.By.STAFF:
        raise workflow.TransitionRefused("the referral was not sent")
    _history(referral, to=to, by=by, user=user, note=note, outcome=outcome, caller=caller)
    referral.status = to
    referral.business_status = outcome
    referral.status_reason = note[:400]
    referral.due_on = workflow.next_due(to, timezone.localdate())
    if workflow.is_final(to):
        referral.link_closed_at = referral.link_closed_at or timezone.now()
    referral.save()


def staff_update(
    *,
    actor: Actor,
    referral_id: uuid.UUID,
    status: str,
    outcome: str = "",
    note: str = "",
    caller: str = "",
) -> Referral:
    """A change recorded by staff: their own (cancelling, say), or, with ``caller``, an update
    the organisation or family gave by phone ("phone update taken by <staff>")."""
    actor.require(ReferralPerm.REFER)
    with transaction.atomic():
        referral = get_object_or_404(Referral.objects.select_for_update(), pk=referral_id)
        by = ReferralEvent.By.PHONE if caller.strip() else ReferralEvent.By.STAFF
        try:
            apply_move(referral, to=status, outcome=outcome, note=note, by=by, user=actor.user, caller=caller)
        except workflow.TransitionRefused as exc:
            raise ValidationError(
                {"status": _("That change is not allowed now: %(why)s") % {"why": exc}}
            ) from exc
        action = (
            ReferralAction.PHONE_UPDATE if by == ReferralEvent.By.PHONE else ReferralAction.STATUS_CHANGED
        )
        audit_record(actor=actor, action=action, obj=referral, summary=f"→ {status} {outcome}".strip())
    return referral


def send_family_summary(*, actor: Actor, child_id: uuid.UUID, channel: str) -> str:
    """Text or email the family its referral summary (the primary caregiver, who agreed to
    that channel). Returns where it went."""
    from django.utils import translation

    from dyadcare.referrals.referral_selectors import family_summary

    actor.require(ReferralPerm.REFER)
    summary = family_summary(actor=actor, child_id=child_id)
    to = summary.caregiver_phone if channel == "sms" else summary.caregiver_email
    if channel not in ("sms", "email") or not to:
        raise ValidationError(
            _(
                "The family has not agreed to texts or email there, "
                "or has no number or address: print the summary."
            )
        )
    with translation.override(summary.language):
        lines = [_("Services for %(child)s:") % {"child": summary.child.given_name}]
        for s in summary.services:
            if s.sensitive:  # safety at home: never in a text or email someone else may read
                continue
            parts = [s.name, s.organization, s.phone, s.address, s.website, s.hours]
            lines.append(" · ".join(p for p in parts if p))
        lines.append(_("Call them, or ask us if you need help to get started."))
        body = "\n".join(lines)
        try:
            if channel == "sms":
                senders.send_sms(to=to, body=body)
            else:
                senders.send_email(to=to, subject=_("Your services from the clinic"), body=body)
        except senders.SendError as exc:
            raise ValidationError(_("The message could not be sent: %(error)s") % {"error": exc}) from exc
    audit_record(actor=actor, action=ReferralAction.SUMMARY_SENT, obj=summary.child, summary=f"by {channel}")
    return to
