"""Creating a clinic in a network, with an invitation to its first administrator."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record
from dyadcare.tenancy.audit_actions import AccountAction
from dyadcare.tenancy.models import Clinic, Network, User
from dyadcare.tenancy.permissions import TenancyPerm
from dyadcare.tenancy.roles import Role
from dyadcare.tenancy.staff import Invitee, invite


def free_slug(name: str) -> str:
    """A short name for the clinic's addresses, from its name, not yet taken."""
    base = slugify(name)[:50] or "clinic"
    slug, n = base, 2
    while Clinic.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def clinic_create(
    *,
    actor: Actor,
    network: Network,
    name: str,
    service_model: str,
    languages: list[str],
    address: str = "",
    city: str = "",
    phone: str = "",
    billing_npi: str = "",
    tax_id: str = "",
    slug: str = "",
    first_admin: Invitee | None = None,
    link_template: str = "",
) -> tuple[Clinic, User | None]:
    """Create a clinic in ``network`` and, when ``first_admin`` is given, invite its first
    clinic administrator (an emailed one-time link). Nothing is saved if any of it is invalid.
    ``link_template`` is the invitation page's address with ``TOKEN`` for the token."""
    actor.require(TenancyPerm.NETWORK_MANAGE)
    if actor.network is None or actor.network.pk != network.pk:
        raise PermissionError("A network administrator creates clinics in their own network")
    if slug and Clinic.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("Another clinic already uses this short name.")})
    clinic = Clinic(
        network=network,
        name=name.strip(),
        slug=slug or free_slug(name),
        service_model=service_model,
        languages=list(dict.fromkeys(languages)),
        address=address.strip(),
        city=city.strip(),
        phone=phone.strip(),
        billing_npi=billing_npi.strip(),
        tax_id=tax_id.strip(),
    )
    clinic.full_clean()
    clinic.save()
    audit_record(
        actor=actor, action=AccountAction.CLINIC_CREATED, obj=clinic, clinic=clinic, summary=clinic.slug
    )
    admin = None
    if first_admin is not None:
        admin = invite(
            actor=actor,
            clinic=clinic,
            invitee=first_admin,
            roles=[Role.CLINIC_ADMIN],
            link_template=link_template,
        )
    return clinic, admin


def operator_actor(network: Network) -> Actor:
    """An operator at the command line, acting for the network as its administrator would."""
    return Actor(
        label="system:clinic-create", network=network, permissions=frozenset({TenancyPerm.NETWORK_MANAGE})
    )
