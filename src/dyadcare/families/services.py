"""Writes on family records. Each service checks the permission, validates with the model's
rules, saves in one transaction and writes the audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.families.audit_actions import FamilyAction
from dyadcare.families.events import ChildChanged
from dyadcare.families.internal import merge
from dyadcare.families.internal.duplicates import (
    PossibleDuplicate,
    PossibleDuplicates,
    caregiver_duplicates,
    child_duplicates,
)
from dyadcare.families.models import (
    Caregiver,
    CareRelationship,
    Child,
    ChildMerge,
    DuplicateOverride,
    Household,
)
from dyadcare.families.permissions import FamilyPerm
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.tenancy.events import emit


def _changed_summary(changed: Iterable[str]) -> str:
    fields = sorted(set(changed))
    return ("changed: " + ", ".join(fields)) if fields else ""


__all__ = ["PossibleDuplicate", "PossibleDuplicates"]


def _check_duplicates(
    duplicates: list[PossibleDuplicate[Child]] | list[PossibleDuplicate[Caregiver]], reason: str
) -> str:
    """Possible duplicates stop a registration unless it gives a reason (returned cleaned)."""
    reason = " ".join(reason.split())[:300]
    if duplicates and not reason:
        raise PossibleDuplicates(duplicates)
    return reason


def _record_override(
    *, actor: Actor, record: Child | Caregiver, reason: str, duplicates: list[object]
) -> None:
    assert actor.user is not None
    ids = [str(d.record.pk) for d in duplicates]  # type: ignore[attr-defined]
    override = DuplicateOverride.objects.create(
        clinic_id=record.clinic_id,
        child=record if isinstance(record, Child) else None,
        caregiver=record if isinstance(record, Caregiver) else None,
        reason=reason,
        possible_duplicates=ids,
        recorded_by=actor.user,
    )
    audit_record(
        actor=actor,
        action=FamilyAction.DUPLICATE_OVERRIDDEN,
        obj=record,
        summary=f"override {override.pk}; possible duplicates {', '.join(ids)}",
    )


@transaction.atomic
def child_save(
    *,
    actor: Actor,
    child: Child,
    changed: Iterable[str] = (),
    duplicate_reason: str = "",
    caregiver_ids: Iterable[object] = (),
) -> Child:
    """Register a new child or save changes to one. A new child without a household gets one
    of their own, named after the family. Registering a child the clinic may already have
    (see ``internal/duplicates``) raises ``PossibleDuplicates`` unless ``duplicate_reason``
    says why this is another child; the reason is recorded and audited."""
    actor.require(FamilyPerm.EDIT)
    actor.require_clinic(child.clinic_id)
    creating = child._state.adding
    child.full_clean()
    duplicates: list[PossibleDuplicate[Child]] = []
    if creating:
        duplicates = child_duplicates(
            given_name=child.given_name,
            family_name=child.family_name,
            date_of_birth=child.date_of_birth,
            caregiver_ids=caregiver_ids,
        )
        duplicate_reason = _check_duplicates(duplicates, duplicate_reason)
    if creating and child.household_id is None:
        household = Household(clinic_id=child.clinic_id, name=child.family_name)
        household.save()
        child.household = household
    try:
        with transaction.atomic():
            child.save()
    except IntegrityError as exc:
        # Two people saved the same MRN at the same moment: the constraint caught it.
        raise ValidationError(
            {"mrn": [_("Another child in this clinic already has this MRN or Medi-Cal ID.")]}
        ) from exc
    _audit_saved(actor, child, creating, changed, duplicates, duplicate_reason)
    emit(ChildChanged(clinic_id=child.clinic_id, child_id=child.pk))
    return child


@transaction.atomic
def caregiver_save(
    *, actor: Actor, caregiver: Caregiver, changed: Iterable[str] = (), duplicate_reason: str = ""
) -> Caregiver:
    """Register or edit a caregiver; a new one the clinic may already have (same name or
    mobile phone) needs ``duplicate_reason``, as for a child."""
    actor.require(FamilyPerm.EDIT)
    actor.require_clinic(caregiver.clinic_id)
    creating = caregiver._state.adding
    caregiver.full_clean()
    duplicates: list[PossibleDuplicate[Caregiver]] = []
    if creating:
        duplicates = caregiver_duplicates(
            given_name=caregiver.given_name, family_name=caregiver.family_name, phone=caregiver.phone
        )
        duplicate_reason = _check_duplicates(duplicates, duplicate_reason)
    if creating or {"consent_sms", "consent_email"} & set(changed):
        caregiver.consent_updated_at = timezone.now()
    caregiver.save()
    _audit_saved(actor, caregiver, creating, changed, duplicates, duplicate_reason)
    return caregiver


def _audit_saved(
    actor: Actor,
    record: Child | Caregiver,
    creating: bool,
    changed: Iterable[str],
    duplicates: Sequence[PossibleDuplicate[Any]],
    duplicate_reason: str,
) -> None:
    """The audit entry of a registration or an edit, and the reason given for saving a new
    record beside its possible duplicates."""
    audit_record(
        actor=actor,
        action=Action.CREATE if creating else Action.UPDATE,
        obj=record,
        summary="" if creating else _changed_summary(changed),
    )
    if duplicates:
        _record_override(actor=actor, record=record, reason=duplicate_reason, duplicates=list(duplicates))


@transaction.atomic
def caregiver_link(
    *,
    actor: Actor,
    child: Child,
    caregiver: Caregiver,
    relationship: str,
    is_primary: bool = False,
    legal_guardian: bool = True,
    lives_with_child: bool = True,
) -> CareRelationship:
    """Record that ``caregiver`` cares for ``child``. A new primary caregiver replaces the
    previous one; a caregiver without a household joins the child's."""
    actor.require(FamilyPerm.EDIT)
    actor.require_clinic(child.clinic_id)
    actor.require_clinic(caregiver.clinic_id)
    link = CareRelationship.objects.filter(child=child, caregiver=caregiver).first()
    creating = link is None
    if link is None:
        link = CareRelationship(clinic_id=child.clinic_id, child=child, caregiver=caregiver)
    link.relationship = relationship
    link.is_primary = is_primary
    link.legal_guardian = legal_guardian
    link.lives_with_child = lives_with_child
    link.full_clean()
    if is_primary:
        CareRelationship.objects.filter(child=child, is_primary=True).exclude(caregiver=caregiver).update(
            is_primary=False
        )
    link.save()
    if caregiver.household_id is None and child.household_id is not None and lives_with_child:
        caregiver.household_id = child.household_id
        caregiver.save(update_fields=["household"])
    audit_record(
        actor=actor,
        action=Action.CREATE if creating else Action.UPDATE,
        obj=link,
        summary=f"child {child.pk} caregiver {caregiver.pk}",
    )
    return link


@transaction.atomic
def caregiver_unlink(*, actor: Actor, link: CareRelationship) -> None:
    """Remove a caregiver from a child (the caregiver's own record stays)."""
    actor.require(FamilyPerm.EDIT)
    actor.require_clinic(link.clinic_id)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=link,
        summary=f"child {link.child_id} caregiver {link.caregiver_id}",
    )
    link.delete()


@transaction.atomic
def caregiver_add_to_child(
    *,
    actor: Actor,
    child: Child,
    caregiver: Caregiver,
    relationship: str,
    is_primary: bool = False,
    legal_guardian: bool = True,
    lives_with_child: bool = True,
    duplicate_reason: str = "",
) -> CareRelationship:
    """Register a new caregiver and link them to ``child``, all or nothing."""
    caregiver_save(actor=actor, caregiver=caregiver, duplicate_reason=duplicate_reason)
    return caregiver_link(
        actor=actor,
        child=child,
        caregiver=caregiver,
        relationship=relationship,
        is_primary=is_primary,
        legal_guardian=legal_guardian,
        lives_with_child=lives_with_child,
    )


@transaction.atomic
def sibling_register(
    *,
    actor: Actor,
    child: Child,
    sibling_of: Child,
    caregiver_ids: Iterable[object] = (),
    duplicate_reason: str = "",
) -> Child:
    """Register a brother or sister of ``sibling_of`` and link the chosen caregivers of theirs
    with the same relationship: all of it or nothing."""
    actor.require_clinic(sibling_of.clinic_id)
    chosen = {str(i) for i in caregiver_ids}
    saved = child_save(actor=actor, child=child, duplicate_reason=duplicate_reason, caregiver_ids=chosen)
    for link in CareRelationship.objects.filter(child=sibling_of).select_related("caregiver"):
        if str(link.caregiver_id) in chosen:
            caregiver_link(
                actor=actor,
                child=saved,
                caregiver=link.caregiver,
                relationship=link.relationship,
                is_primary=link.is_primary,
                legal_guardian=link.legal_guardian,
                lives_with_child=link.lives_with_child,
            )
    return saved


@transaction.atomic
def child_merge(*, actor: Actor, survivor: Child, retired: Child, reason: str) -> ChildMerge:
    """Make two records of one child one: every visit, session, result, flag, screen given
    elsewhere and caregiver link of ``retired`` moves to ``survivor``; ``retired`` stays,
    marked merged and out of searches, so the merge can be undone for
    ``DYADCARE_MERGE_UNDO_DAYS``."""
    actor.require(FamilyPerm.MERGE)
    actor.require_clinic(survivor.clinic_id)
    actor.require_clinic(retired.clinic_id)
    reason = " ".join(reason.split())[:300]
    errors: dict[str, str] = {}
    if survivor.pk == retired.pk:
        errors["other"] = _("Choose another record: a record cannot be merged with itself.")
    elif survivor.merged_into_id or retired.merged_into_id:
        errors["other"] = _("One of these records was merged already; undo that merge first.")
    if not reason:
        errors["reason"] = _("Say why these are the same child.")
    if errors:
        raise ValidationError(errors)
    assert actor.user is not None
    moved = merge.move_rows(source=retired, target=survivor)
    retired.merged_into = survivor
    retired.save(update_fields=["merged_into", "updated_at"])
    record = ChildMerge.objects.create(
        clinic_id=survivor.clinic_id,
        survivor=survivor,
        retired=retired,
        reason=reason,
        moved=moved,
        merged_by=actor.user,
        undo_until=timezone.now() + timedelta(days=settings.FAMILY_MERGE_UNDO_DAYS),
    )
    counts = ", ".join(f"{key} {len(ids)}" for key, ids in sorted(moved.items()))
    audit_record(
        actor=actor,
        action=FamilyAction.MERGED,
        obj=record,
        summary=f"child {retired.pk} into {survivor.pk}; moved {counts or 'nothing'}",
    )
    for moved_child in (survivor, retired):
        emit(ChildChanged(clinic_id=moved_child.clinic_id, child_id=moved_child.pk))
    return record


@transaction.atomic
def child_merge_undo(*, actor: Actor, merge_id: uuid.UUID | str) -> ChildMerge:
    """Undo a merge within its period: the rows it moved go back to the retired record,
    which returns to searches. Rows added to the surviving record since stay there."""
    actor.require(FamilyPerm.MERGE)
    record = (
        ChildMerge.objects.select_for_update()
        .select_related("survivor", "retired")
        .filter(pk=merge_id)
        .first()
    )
    if record is None:
        raise ValidationError(_("This merge was not found."))
    actor.require_clinic(record.clinic_id)
    if record.undone_at is not None:
        raise ValidationError(_("This merge was undone already."))
    if not record.can_undo:
        raise ValidationError(_("This merge can no longer be undone: its period has ended."))
    if record.survivor.merged_into_id:
        raise ValidationError(_("The surviving record was merged again since; undo that merge first."))
    count = merge.move_back(moved=record.moved, source=record.retired, target=record.survivor)
    record.retired.merged_into = None
    record.retired.save(update_fields=["merged_into", "updated_at"])
    record.undone_at = timezone.now()
    record.undone_by = actor.user
    record.save(update_fields=["undone_at", "undone_by", "updated_at"])
    audit_record(
        actor=actor,
        action=FamilyAction.MERGE_UNDONE,
        obj=record,
        summary=f"child {record.retired_id} out of {record.survivor_id}; moved back {count}",
    )
    for child_id in (record.survivor_id, record.retired_id):
        emit(ChildChanged(clinic_id=record.clinic_id, child_id=child_id))
    return record
