"""A clinic administrator runs the clinic's staff accounts: roles, licence and NPI,
attestations, disabling and re-enabling. Every change is audited. A person is reached only
through a role they hold (or held) in the administrator's clinic."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record
from dyadcare.tenancy.audit_actions import AccountAction
from dyadcare.tenancy.models import AccountToken, Attestation, Credential, Membership, User
from dyadcare.tenancy.permissions import TenancyPerm
from dyadcare.tenancy.roles import Role
from dyadcare.tenancy.staff import clean_roles


@dataclass
class StaffMember:
    """One person as the clinic sees them: roles here, whether enabled here, invitation."""

    user: User
    roles: list[str] = field(default_factory=list)
    enabled: bool = True
    invited: bool = False  # has not set up the account yet

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles]


def _clinic_memberships(actor: Actor) -> list[Membership]:
    assert actor.clinic is not None
    return list(
        Membership.objects.filter(clinic=actor.clinic)
        .select_related("user", "user__credential")
        .order_by("user__last_name", "user__first_name", "role")
    )


def _members(memberships: Iterable[Membership]) -> dict[object, StaffMember]:
    people: dict[object, StaffMember] = {}
    for m in memberships:
        person = people.setdefault(
            m.user_id, StaffMember(user=m.user, enabled=False, invited=not m.user.has_usable_password())
        )
        person.roles.append(m.role)
        person.enabled = person.enabled or m.active
    return people


def clinic_people(*, actor: Actor) -> list[StaffMember]:
    """Everyone who holds or held a role in the actor's clinic; disabled people only for
    those who manage staff."""
    actor.require(TenancyPerm.STAFF_VIEW)
    people = list(_members(_clinic_memberships(actor)).values())
    if not actor.can(TenancyPerm.STAFF_MANAGE):
        people = [p for p in people if p.enabled]
    return people


def staff_member(*, actor: Actor, user_id: uuid.UUID) -> StaffMember:
    """One person of the clinic; ``User.DoesNotExist`` when they hold no role here."""
    actor.require(TenancyPerm.STAFF_MANAGE)
    assert actor.clinic is not None
    memberships = Membership.objects.filter(clinic=actor.clinic, user_id=user_id).select_related(
        "user", "user__credential"
    )
    people = _members(memberships)
    if user_id not in people:
        raise User.DoesNotExist
    return people[user_id]


def attestations_of(user: User) -> list[Attestation]:
    return list(user.attestations.all())


def _active_admins(actor: Actor, *, besides: User) -> bool:
    return (
        Membership.objects.filter(clinic=actor.clinic, role=Role.CLINIC_ADMIN, active=True)
        .exclude(user=besides)
        .exists()
    )


@transaction.atomic
def roles_set(*, actor: Actor, user_id: uuid.UUID, roles: Iterable[str]) -> StaffMember:
    """Give the person exactly ``roles`` in the clinic (to remove every role, disable them)."""
    member = staff_member(actor=actor, user_id=user_id)
    chosen = clean_roles(roles)
    dropping_admin = Role.CLINIC_ADMIN not in chosen and Role.CLINIC_ADMIN in member.roles
    if dropping_admin and member.enabled and not _active_admins(actor, besides=member.user):
        raise ValidationError({"roles": _("The clinic needs at least one administrator.")})
    Membership.objects.filter(clinic=actor.clinic, user=member.user).exclude(role__in=chosen).delete()
    for role in set(chosen) - set(member.roles):
        Membership.objects.create(user=member.user, clinic=actor.clinic, role=role, active=member.enabled)
    audit_record(
        actor=actor,
        action=AccountAction.ROLES_SET,
        obj=member.user,
        summary=f"{','.join(sorted(member.roles))} -> {','.join(chosen)}",
    )
    member.roles = chosen
    return member


@transaction.atomic
def credential_set(
    *,
    actor: Actor,
    user_id: uuid.UUID,
    licence_type: str,
    licence_number: str = "",
    npi: str = "",
    aces_aware_attested_on: date | None = None,
) -> Credential:
    member = staff_member(actor=actor, user_id=user_id)
    credential, _created = Credential.objects.get_or_create(user=member.user)
    credential.licence_type = licence_type
    credential.licence_number = licence_number.strip()
    credential.npi = npi.strip()
    credential.aces_aware_attested_on = aces_aware_attested_on
    credential.full_clean()
    credential.save()
    audit_record(actor=actor, action=AccountAction.CREDENTIAL_SET, obj=member.user, summary=licence_type)
    return credential


@transaction.atomic
def attestation_add(
    *,
    actor: Actor,
    user_id: uuid.UUID,
    kind: str,
    attested_on: date,
    title: str = "",
    expires_on: date | None = None,
) -> Attestation:
    member = staff_member(actor=actor, user_id=user_id)
    attestation = Attestation(
        user=member.user,
        kind=kind,
        title=title.strip(),
        attested_on=attested_on,
        expires_on=expires_on,
        recorded_by=actor.user,
    )
    attestation.full_clean()
    attestation.save()
    audit_record(
        actor=actor,
        action=AccountAction.ATTESTATION_ADDED,
        obj=member.user,
        summary=f"{kind} {attested_on.isoformat()}",
    )
    return attestation


@transaction.atomic
def staff_disable(*, actor: Actor, user_id: uuid.UUID) -> StaffMember:
    """The person loses every role in this clinic (kept, to re-enable); an account left with
    no role anywhere can no longer log in, and its open sessions end at their next request."""
    member = staff_member(actor=actor, user_id=user_id)
    if actor.user is not None and member.user.pk == actor.user.pk:
        raise ValidationError(_("You cannot disable your own account."))
    if Role.CLINIC_ADMIN in member.roles and not _active_admins(actor, besides=member.user):
        raise ValidationError(_("The clinic needs at least one administrator."))
    Membership.objects.filter(clinic=actor.clinic, user=member.user).update(active=False)
    if not Membership.objects.filter(user=member.user, active=True).exists():
        member.user.is_active = False
        member.user.save(update_fields=["is_active"])
        AccountToken.objects.filter(user=member.user, used_at__isnull=True).delete()
    audit_record(actor=actor, action=AccountAction.STAFF_DISABLED, obj=member.user)
    member.enabled = False
    return member


@transaction.atomic
def staff_enable(*, actor: Actor, user_id: uuid.UUID) -> StaffMember:
    member = staff_member(actor=actor, user_id=user_id)
    Membership.objects.filter(clinic=actor.clinic, user=member.user).update(active=True)
    if not member.user.is_active:
        member.user.is_active = True
        member.user.save(update_fields=["is_active"])
    audit_record(actor=actor, action=AccountAction.STAFF_ENABLED, obj=member.user)
    member.enabled = True
    return member
