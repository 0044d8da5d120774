"""Billing's writes. Each takes the acting person (``actor``) keyword-only, checks the permission,
saves and audits in one transaction. A fix (a provider's attestation, NPI or licence, a child's
Medi-Cal ID, a family-therapy basis, a setting) re-evaluates the lines it touches at once, so
the lines it releases are ready when the page comes back."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.billing import engine
from dyadcare.billing.audit_actions import BillingAction
from dyadcare.billing.internal.derive import Outcome, derive
from dyadcare.billing.models import (
    BillingProfile,
    BillingSettings,
    ClaimBatch,
    ClaimLine,
    ClaimLineChange,
    Coverage,
    RuleOverride,
    TherapyBasis,
)
from dyadcare.billing.permissions import BillingPerm
from dyadcare.families.models import Child
from dyadcare.families.rules import normalize_medi_cal_id
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record, audit_record_many
from dyadcare.tenancy.models import Membership, User
from dyadcare.tenancy.validators import validate_npi

Status = ClaimLine.Status


def _begin(actor: Actor, perm: str) -> None:
    actor.require(perm)
    if actor.clinic is None:
        raise ValueError("billing acts in one clinic")


def _open_children(**filters: Any) -> list[uuid.UUID]:
    return list(
        ClaimLine.objects.filter(status__in=[Status.READY, Status.HELD, Status.RELEASED], **filters)
        .order_by()
        .values_list("child_id", flat=True)
        .distinct()
    )


@transaction.atomic
def lines_refresh(*, actor: Actor, child_ids: Iterable[uuid.UUID] | None = None) -> Outcome:
    """Re-evaluate the lines of ``child_ids`` (every child of the clinic with a screening result
    or a logged service when None): a source's lines are updated or voided, never doubled."""
    _begin(actor, BillingPerm.MANAGE)
    assert actor.clinic is not None
    if child_ids is None:
        child_ids = Child.objects.filter(merged_into__isnull=True).values_list("id", flat=True)
    outcome = derive(clinic=actor.clinic, child_ids=list(child_ids), by=actor.user)
    audit_record(
        actor=actor,
        action=BillingAction.LINES_EVALUATED,
        summary=f"created {outcome.created} updated {outcome.updated} voided {outcome.voided}",
    )
    return outcome


def _lines(line_ids: Iterable[uuid.UUID | str]) -> list[ClaimLine]:
    try:
        ids = [uuid.UUID(str(i)) for i in line_ids]
    except ValueError:
        raise ClaimLine.DoesNotExist from None
    lines = list(ClaimLine.objects.select_for_update().filter(pk__in=ids))
    if len(lines) != len(set(ids)):
        raise ClaimLine.DoesNotExist
    return lines


@transaction.atomic
def lines_release(*, actor: Actor, line_ids: Iterable[uuid.UUID | str]) -> list[ClaimLine]:
    """Release ready lines for export. A held line cannot be released (its fix releases it);
    ``ClaimLine.DoesNotExist`` when a line is not this clinic's."""
    _begin(actor, BillingPerm.MANAGE)
    lines = _lines(line_ids)
    if not lines:
        raise ValidationError(_("Choose the lines to release."))
    not_ready = [line for line in lines if line.status != Status.READY]
    if not_ready:
        raise ValidationError(
            _("Only ready lines can be released: %(count)s of those chosen are not.")
            % {"count": len(not_ready)}
        )
    now = timezone.now()
    for line in lines:
        line.status, line.updated_at = Status.RELEASED, now
    ClaimLine.objects.bulk_update(lines, ["status", "updated_at"])
    ClaimLineChange.objects.bulk_create(
        ClaimLineChange(
            clinic_id=line.clinic_id,
            line=line,
            from_status=Status.READY,
            to_status=Status.RELEASED,
            by=actor.user,
            why="released",
        )
        for line in lines
    )
    audit_record_many(actor=actor, action=BillingAction.LINES_RELEASED, objects=lines)
    return lines


@transaction.atomic
def line_void(*, actor: Actor, line_id: uuid.UUID | str, reason: str) -> ClaimLine:
    """Void a line that is not billable (it stays, with who and why; re-evaluation leaves it
    void). An exported line is voided with the payer, not here."""
    _begin(actor, BillingPerm.MANAGE)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the line is void.")]})
    (line,) = _lines([line_id])
    if line.status in (Status.VOIDED, Status.EXPORTED):
        raise ValidationError(_("This line is already void or exported."))
    before = line.status
    line.status, line.voided_by_staff = Status.VOIDED, True
    line.save(update_fields=["status", "voided_by_staff", "updated_at"])
    ClaimLineChange.objects.create(
        clinic_id=line.clinic_id,
        line=line,
        from_status=before,
        to_status=Status.VOIDED,
        by=actor.user,
        why="voided",
        note=reason.strip()[:300],
    )
    audit_record(actor=actor, action=BillingAction.LINE_VOIDED, obj=line, summary=reason.strip()[:200])
    return line


def _clinic_member(actor: Actor, user_id: uuid.UUID | str) -> User:
    user = User.objects.filter(
        pk__in=Membership.objects.filter(clinic=actor.clinic).values("user_id"), pk=str(user_id)
    ).first()
    if user is None:
        raise User.DoesNotExist
    return user


_UNSET: Any = object()


@transaction.atomic
def provider_set(
    *,
    actor: Actor,
    user_id: uuid.UUID | str,
    licence_type: str = _UNSET,
    npi: str = _UNSET,
    aces_aware_attested_on: date | None = _UNSET,
    supervisor_id: uuid.UUID | str | None = _UNSET,
) -> BillingProfile:
    """Record a provider's billing details in this clinic (what is not passed is kept), then
    re-evaluate the lines they render. ``licence_type`` is a key or alias of billing's licence
    list; ``User.DoesNotExist`` for someone with no role in the clinic."""
    _begin(actor, BillingPerm.MANAGE)
    user = _clinic_member(actor, user_id)
    profile = BillingProfile.objects.filter(user=user).first() or BillingProfile(
        clinic=actor.clinic, user=user
    )
    errors: dict[str, list[str]] = {}
    if licence_type is not _UNSET:
        key = engine.ruleset().licence_key(licence_type or "")
        if key is None:
            errors["licence_type"] = [_("Choose a licence type from the list.")]
        profile.licence_type = key or ""
    if npi is not _UNSET:
        try:
            validate_npi(npi.strip())
        except ValidationError as exc:
            errors["npi"] = list(exc.messages)
        profile.npi = npi.strip()
    if aces_aware_attested_on is not _UNSET:
        if aces_aware_attested_on and aces_aware_attested_on > timezone.localdate():
            errors["aces_aware_attested_on"] = [_("The date cannot be in the future.")]
        profile.aces_aware_attested_on = aces_aware_attested_on
        profile.aces_recorded_by, profile.aces_recorded_at = actor.user, timezone.now()
    if supervisor_id is not _UNSET:
        profile.supervisor = _clinic_member(actor, supervisor_id) if supervisor_id else None
    if errors:
        raise ValidationError(errors)
    profile.updated_by = actor.user
    profile.save()
    audit_record(actor=actor, action=BillingAction.PROVIDER_SET, obj=user)
    assert actor.clinic is not None
    derive(clinic=actor.clinic, child_ids=_open_children(rendering=user), by=actor.user)
    return profile


@transaction.atomic
def coverage_set(
    *,
    actor: Actor,
    child_id: uuid.UUID | str,
    medi_cal_id: str,
    enrolled: bool = True,
    plan: str = "",
    checked_on: date | None = None,
) -> Coverage:
    """Record a child's Medi-Cal ID (CIN), enrolment and managed care plan (a new row of the
    child's coverage history), then re-evaluate the child's lines. ``Child.DoesNotExist`` for
    a child not of this clinic."""
    _begin(actor, BillingPerm.MANAGE)
    child = Child.objects.get(pk=str(child_id))
    cin = ""
    if medi_cal_id.strip():
        try:
            cin = normalize_medi_cal_id(medi_cal_id)
        except ValueError:
            raise ValidationError(
                {
                    "medi_cal_id": [
                        _("A Medi-Cal ID (CIN) is 8 digits followed by a letter, for example 91234567A.")
                    ]
                }
            ) from None
    assert actor.clinic is not None
    coverage = Coverage.objects.create(
        clinic=actor.clinic,
        child=child,
        medi_cal_id=cin,
        enrolled=enrolled,
        plan=plan.strip()[:40],
        checked_on=checked_on,
        recorded_by=actor.user,
    )
    audit_record(actor=actor, action=BillingAction.COVERAGE_SET, obj=child)
    assert actor.clinic is not None
    derive(clinic=actor.clinic, child_ids=[child.pk], by=actor.user)
    return coverage


@transaction.atomic
def therapy_basis_record(
    *,
    actor: Actor,
    child_id: uuid.UUID | str,
    kind: str,
    recorded_on: date,
    risk_factor: str = "",
    note: str = "",
) -> TherapyBasis:
    """Record what lets a child have more than five family-therapy sessions (a diagnosis on
    file or a listed risk factor), then re-evaluate the child's lines."""
    _begin(actor, BillingPerm.MANAGE)
    child = Child.objects.get(pk=str(child_id))
    if kind == TherapyBasis.Kind.RISK_FACTOR and risk_factor not in engine.ruleset().risk_factors:
        raise ValidationError({"risk_factor": [_("Choose a risk factor from the list.")]})
    basis = TherapyBasis(
        clinic=actor.clinic,
        child=child,
        kind=kind,
        risk_factor=risk_factor,
        note=note.strip()[:300],
        recorded_on=recorded_on,
        recorded_by=actor.user,
    )
    basis.full_clean()
    basis.save()
    audit_record(actor=actor, action=BillingAction.COVERAGE_SET, obj=child, summary=f"therapy basis {kind}")
    assert actor.clinic is not None
    derive(clinic=actor.clinic, child_ids=[child.pk], by=actor.user)
    return basis


SETTING_FIELDS = (
    "clinic_type",
    "eight_minute_rule",
    "minutes_for_first_unit",
    "default_plan",
    "z_codes",
    "taxonomy_code",
    "submitter_id",
    "receiver_id",
)


@transaction.atomic
def settings_set(*, actor: Actor, **values: Any) -> BillingSettings:
    """Change the clinic's billing settings (any of ``SETTING_FIELDS``), then re-evaluate every
    open line."""
    _begin(actor, BillingPerm.CONFIGURE)
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise ValueError(f"not a billing setting: {sorted(unknown)}")
    row = BillingSettings.objects.filter(clinic=actor.clinic).first() or BillingSettings(clinic=actor.clinic)
    for name, value in values.items():
        setattr(row, name, value)
    if not 1 <= row.minutes_for_first_unit <= 15:
        raise ValidationError({"minutes_for_first_unit": [_("Between 1 and 15 minutes.")]})
    if not isinstance(row.z_codes, Mapping):
        raise ValidationError({"z_codes": [_("Diagnosis codes by claim code.")]})
    row.updated_by = actor.user
    row.full_clean()
    row.save()
    audit_record(actor=actor, action=BillingAction.SETTINGS_SET, summary=",".join(sorted(values)))
    assert actor.clinic is not None
    derive(clinic=actor.clinic, child_ids=_open_children(), by=actor.user)
    return row


def _part_confidence(rule_id: str) -> str | None:
    rules = engine.ruleset()
    for rule in rules.rules:
        if rule.id == rule_id:
            return rule.confidence
        for limit in rule.limits:
            if limit.id == rule_id:
                return limit.provenance.confidence
    parts = [rules.units, *rules.renderer_groups.values()]
    return next((p.confidence for p in parts if p.id == rule_id), None)


@transaction.atomic
def rule_override_set(
    *,
    actor: Actor,
    rule_id: str,
    enabled: bool,
    reason: str,
    plan: str = "",
    params: Mapping[str, Any] | None = None,
) -> RuleOverride:
    """Turn an inferred or unverified rule off, or give it other parameters, for the clinic
    (``plan`` empty) or one managed care plan; then re-evaluate every open line. A verified rule
    cannot be overridden."""
    _begin(actor, BillingPerm.CONFIGURE)
    confidence = _part_confidence(rule_id)
    if confidence is None:
        raise ValidationError({"rule_id": [_("No such rule.")]})
    if confidence == "verified":
        raise ValidationError({"rule_id": [_("A verified rule cannot be overridden.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the rule is overridden.")]})
    row, _created = RuleOverride.objects.update_or_create(
        clinic=actor.clinic,
        plan=plan.strip(),
        rule_id=rule_id,
        defaults={
            "enabled": enabled,
            "params": dict(params or {}),
            "reason": reason.strip()[:300],
            "set_by": actor.user,
        },
    )
    audit_record(
        actor=actor, action=BillingAction.RULE_OVERRIDDEN, obj=row, summary=f"{plan or '*'} {rule_id}"
    )
    assert actor.clinic is not None
    derive(clinic=actor.clinic, child_ids=_open_children(), by=actor.user)
    return row


@transaction.atomic
def batch_record(
    *,
    actor: Actor,
    format: str,
    line_ids: Iterable[uuid.UUID | str],
    file_name: str,
    file_sha256: str,
    control_number: int | None = None,
    period_from: date | None = None,
    period_until: date | None = None,
) -> ClaimBatch:
    """Record an export: the released lines become exported on a new batch (the exporter built
    the file from :func:`billing.selectors.lines_for_export`)."""
    _begin(actor, BillingPerm.MANAGE)
    assert actor.clinic is not None
    lines = _lines(line_ids)
    if not lines:
        raise ValidationError(_("There are no released lines to export."))
    if any(line.status != Status.RELEASED for line in lines):
        raise ValidationError(_("Only released lines can be exported."))
    batch = ClaimBatch.objects.create(
        clinic=actor.clinic,
        format=format,
        made_by=actor.user,
        line_count=len(lines),
        file_name=file_name[:120],
        file_sha256=file_sha256,
        control_number=control_number,
        period_from=period_from,
        period_until=period_until,
    )
    now = timezone.now()
    for line in lines:
        line.status, line.batch, line.updated_at = Status.EXPORTED, batch, now
    ClaimLine.objects.bulk_update(lines, ["status", "batch", "updated_at"])
    ClaimLineChange.objects.bulk_create(
        ClaimLineChange(
            clinic_id=line.clinic_id,
            line=line,
            from_status=Status.RELEASED,
            to_status=Status.EXPORTED,
            by=actor.user,
            why="exported",
            detail={"batch": str(batch.pk)},
        )
        for line in lines
    )
    audit_record(
        actor=actor, action=BillingAction.LINES_EXPORTED, obj=batch, summary=f"{format} {len(lines)} lines"
    )
    return batch
