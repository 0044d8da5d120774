"""Reads on clinics and memberships."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from dyadcare.tenancy.models import Clinic, Membership, Network, User
from dyadcare.tenancy.roles import permissions_for


@dataclass(frozen=True)
class Place:
    """A clinic or a network where a person holds roles, with the permissions they give."""

    clinic: Clinic | None
    network: Network
    roles: tuple[str, ...]

    @property
    def permissions(self) -> frozenset[str]:
        return permissions_for(self.roles)

    @property
    def slug(self) -> str:
        return self.clinic.slug if self.clinic else self.network.slug

    @property
    def name(self) -> str:
        return self.clinic.name if self.clinic else self.network.name


def places_for_user(user: User) -> list[Place]:
    """Every clinic and network where ``user`` holds an active role, clinics first."""
    memberships = (
        Membership.objects.filter(user=user, active=True)
        .select_related("clinic__network", "network")
        .order_by("clinic__name", "network__name", "role")
    )
    clinics: dict[object, tuple[Clinic, list[str]]] = {}
    networks: dict[object, tuple[Network, list[str]]] = {}
    for m in memberships:
        if m.clinic is not None:
            clinics.setdefault(m.clinic.pk, (m.clinic, []))[1].append(m.role)
        elif m.network is not None:
            networks.setdefault(m.network.pk, (m.network, []))[1].append(m.role)
    places = [Place(clinic=c, network=c.network, roles=tuple(r)) for c, r in clinics.values()]
    places += [Place(clinic=None, network=n, roles=tuple(r)) for n, r in networks.values()]
    return places


def clinic_roles(user: User, clinic: Clinic) -> tuple[str, ...]:
    """The roles ``user`` actively holds in ``clinic`` (empty if none)."""
    return tuple(
        sorted(
            Membership.objects.filter(user=user, clinic=clinic, active=True).values_list("role", flat=True)
        )
    )


def network_roles(user: User, network: Network) -> tuple[str, ...]:
    return tuple(
        sorted(
            Membership.objects.filter(user=user, network=network, active=True).values_list("role", flat=True)
        )
    )


def clinic_staff(clinic: Clinic) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(clinic=clinic, active=True)
        .select_related("user", "user__credential")
        .order_by("user__last_name", "user__first_name", "role")
    )


def all_clinic_ids() -> list[object]:
    """Every clinic's id (for jobs that visit each clinic in turn)."""
    return list(Clinic.objects.order_by("name").values_list("pk", flat=True))


def network_by_slug(slug: str) -> Network | None:
    return Network.objects.filter(slug=slug).first()
