"""Writes on family records. Each service checks the permission, validates with the model's
rules, saves in one transaction and writes the audit entry."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.families.models import Caregiver, CareRelationship, Child, Household
from dyadcare.families.permissions import FamilyPerm
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record


def _changed_summary(changed: Iterable[str]) -> str:
    fields = sorted(set(changed))
    return ("changed: " + ", ".join(fields)) if fields else ""


@transaction.atomic
def child_save(*, actor: Actor, child: Child, changed: Iterable[str] = ()) -> Child:
    """Register a new child or save changes to one. A new child without a household gets one
    of their own, named after the family."""
    actor.require(FamilyPerm.EDIT)
    actor.require_clinic(child.clinic_id)
    creating = child._state.adding
    child.full_clean()
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
    audit_record(
        actor=actor,
        action=Action.CREATE if creating else Action.UPDATE,
        obj=child,
        summary="" if creating else _changed_summary(changed),
    )
    return child


@transaction.atomic
def caregiver_save(*, actor: Actor, caregiver: Caregiver, changed: Iterable[str] = ()) -> Caregiver:
    actor.require(FamilyPerm.EDIT)
    actor.require_clinic(caregiver.clinic_id)
    creating = caregiver._state.adding
    caregiver.full_clean()
    if creating or {"consent_sms", "consent_email"} & set(changed):
        caregiver.consent_updated_at = timezone.now()
    caregiver.save()
    audit_record(
        actor=actor,
        action=Action.CREATE if creating else Action.UPDATE,
        obj=caregiver,
        summary="" if creating else _changed_summary(changed),
    )
    return caregiver


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
) -> CareRelationship:
    """Register a new caregiver and link them to ``child``, all or nothing."""
    caregiver_save(actor=actor, caregiver=caregiver)
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
    *, actor: Actor, child: Child, sibling_of: Child, caregiver_ids: Iterable[object] = ()
) -> Child:
    """Register a brother or sister of ``sibling_of`` and link the chosen caregivers of theirs
    with the same relationship: all of it or nothing."""
    actor.require_clinic(sibling_of.clinic_id)
    saved = child_save(actor=actor, child=child)
    chosen = {str(i) for i in caregiver_ids}
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
