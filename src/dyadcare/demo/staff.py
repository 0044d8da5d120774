"""The demo network, its three clinics and a demo login for every role."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.models import Clinic, Credential, Membership, Network, User
from dyadcare.tenancy.roles import Role
from dyadcare.tenancy.services import membership_grant, staff_create
from dyadcare.tenancy.validators import npi_is_valid

DEMO_PASSWORD = "dyadcare-demo"  # demo mode only: printed with the logins

NETWORK = {"slug": "golden-state", "name": "Golden State Dyadic Care Network"}
CLINICS = [
    {
        "slug": "fruitvale",
        "name": "Fruitvale Children's Health Center",
        "service_model": Clinic.ServiceModel.HEALTHYSTEPS,
        "city": "Oakland",
        "languages": ["en", "es", "vi", "zh-yue"],
    },
    {
        "slug": "valley",
        "name": "Valley Family Pediatrics",
        "service_model": Clinic.ServiceModel.HEALTHYSTEPS,
        "city": "Fresno",
        "languages": ["en", "es", "hmn"],
    },
    {
        "slug": "eastside",
        "name": "Eastside Community Clinic",
        "service_model": Clinic.ServiceModel.DULCE,
        "city": "Los Angeles",
        "languages": ["en", "es", "ko"],
    },
]

# (username stem, first name, last name, role, licence)
CLINIC_STAFF = [
    ("frontdesk", "Rosa", "Delgado", Role.FRONT_DESK, Credential.LicenceType.NONE),
    ("pediatrician", "Dr. Aisha", "Okafor", Role.PEDIATRIC_CLINICIAN, Credential.LicenceType.MD),
    ("specialist", "Marisol", "Vega", Role.DYADIC_SPECIALIST, Credential.LicenceType.LCSW),
    ("partner", "Luz", "Ortega", Role.FAMILY_PARTNER, Credential.LicenceType.CHW),
    ("billing", "Kevin", "Tran", Role.BILLING, Credential.LicenceType.NONE),
    ("admin", "Denise", "Walker", Role.CLINIC_ADMIN, Credential.LicenceType.NONE),
]
NETWORK_STAFF = [
    ("coach", "Priya", "Raman", Role.NETWORK_COACH),
    ("netadmin", "Samuel", "Brooks", Role.NETWORK_ADMIN),
]


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    place: str


def demo_npi(rng: random.Random) -> str:
    """A 10-digit NPI with a valid check digit (drawn at random: it belongs to no one)."""
    while True:
        candidate = "1" + "".join(str(rng.randint(0, 9)) for _ in range(9))
        if npi_is_valid(candidate):
            return candidate


def ensure_network(actor: Actor) -> tuple[Network, list[Clinic]]:
    network, _ = Network.objects.get_or_create(
        slug=NETWORK["slug"], defaults={"name": NETWORK["name"], "kind": Network.Kind.TA_CENTER}
    )
    clinics = []
    rng = random.Random("demo-clinic-npi")
    for spec in CLINICS:
        clinic, _ = Clinic.objects.get_or_create(
            slug=spec["slug"],
            defaults={**spec, "network": network, "billing_npi": demo_npi(rng)},
        )
        clinics.append(clinic)
    return network, clinics


def _user(
    actor: Actor,
    username: str,
    first: str,
    last: str,
    licence: str,
    rng: random.Random,
    hashed: Callable[[], str],
) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        if not existing.shared_demo_login:  # a demo generated before the flag existed
            User.objects.filter(pk=existing.pk).update(shared_demo_login=True)
            existing.shared_demo_login = True
        return existing
    clinical = licence not in (Credential.LicenceType.NONE, Credential.LicenceType.CHW)
    user = staff_create(
        actor=actor,
        username=username,
        password=None,  # the shared demo password's hash is set below
        first_name=first,
        last_name=last,
        email=f"{username}@example.org",
        licence_type=licence,
        npi=demo_npi(rng) if clinical else "",
        aces_aware_attested_on=date(2025, 3, 1) if licence in ("md", "lcsw") else None,
    )
    # Printed with the demo's logins and shared by every visitor: password alone in demo mode.
    # Hashed once for all of them (Argon2 is slow on purpose: once per login is seconds).
    User.objects.filter(pk=user.pk).update(shared_demo_login=True, password=hashed())
    user.shared_demo_login = True
    return user


def ensure_staff(actor: Actor, network: Network, clinics: list[Clinic]) -> list[Login]:
    rng = random.Random("demo-staff")
    hashed = functools.cache(lambda: make_password(DEMO_PASSWORD))
    logins: list[Login] = []
    for clinic in clinics:
        for stem, first, last, role, licence in CLINIC_STAFF:
            username = f"{stem}.{clinic.slug}"
            user = _user(actor, username, first, last, licence, rng, hashed)
            if not Membership.objects.filter(user=user, clinic=clinic, role=role).exists():
                membership_grant(actor=actor, user=user, role=role, clinic=clinic)
            logins.append(Login(username, str(Role(role).label), clinic.name))
    # A dyadic specialist who works in both HealthySteps clinics and switches between them.
    floater = _user(actor, "specialist.float", "Gabriela", "Soto", Credential.LicenceType.LMFT, rng, hashed)
    for clinic in clinics[:2]:
        if not Membership.objects.filter(user=floater, clinic=clinic, role=Role.DYADIC_SPECIALIST).exists():
            membership_grant(actor=actor, user=floater, role=Role.DYADIC_SPECIALIST, clinic=clinic)
    logins.append(
        Login("specialist.float", str(Role.DYADIC_SPECIALIST.label), " + ".join(c.name for c in clinics[:2]))
    )
    for stem, first, last, role in NETWORK_STAFF:
        username = f"{stem}.{network.slug}"
        user = _user(actor, username, first, last, Credential.LicenceType.NONE, rng, hashed)
        if not Membership.objects.filter(user=user, network=network, role=role).exists():
            membership_grant(actor=actor, user=user, role=role, network=network)
        logins.append(Login(username, str(Role(role).label), network.name))
    return logins
