"""Writes on networks, clinics and staff."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import Action, audit_record
from dyadcare.tenancy.models import Clinic, Credential, Membership, Network, User
from dyadcare.tenancy.roles import CLINIC_ROLES, NETWORK_ROLES


@transaction.atomic
def staff_create(
    *,
    actor: Actor,
    username: str,
    password: str | None,
    first_name: str,
    last_name: str,
    email: str = "",
    licence_type: str = Credential.LicenceType.NONE,
    npi: str = "",
    aces_aware_attested_on: date | None = None,
) -> User:
    """Create a staff account with its credential record. ``password=None`` leaves the
    account without a usable password (to be set by the person through a reset)."""
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    credential = Credential(
        user=user,
        licence_type=licence_type,
        npi=npi,
        aces_aware_attested_on=aces_aware_attested_on,
    )
    credential.full_clean()
    credential.save()
    audit_record(actor=actor, action=Action.CREATE, obj=user, summary="staff account")
    return user


@transaction.atomic
def membership_grant(
    *,
    actor: Actor,
    user: User,
    role: str,
    clinic: Clinic | None = None,
    network: Network | None = None,
) -> Membership:
    """Give ``user`` a role in a clinic (clinic roles) or a network (TA-center roles)."""
    if role in CLINIC_ROLES:
        if clinic is None or network is not None:
            raise ValueError(f"{role} is held in a clinic")
    elif role in NETWORK_ROLES:
        if network is None or clinic is not None:
            raise ValueError(f"{role} is held in a network")
    else:
        raise ValueError(f"unknown role {role!r}")
    membership, created = Membership.objects.get_or_create(
        user=user, role=role, clinic=clinic, network=network, defaults={"active": True}
    )
    if not created and not membership.active:
        membership.active = True
        membership.save(update_fields=["active"])
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=membership,
        clinic=clinic,
        summary=f"role {role}",
    )
    return membership


def place_switch_record(*, actor: Actor, place_key: str) -> None:
    """Record that a person switched to another clinic or network."""
    audit_record(actor=actor, action=Action.SWITCH_CLINIC, summary=f"to {place_key}")
