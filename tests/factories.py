"""Builders for test records: a clinic world with staff in every role, and families."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.test import Client

from dyadcare.families.models import Caregiver, CareRelationship, Child, Household
from dyadcare.families.rules import search_key
from dyadcare.screening.family import FamilyLink
from dyadcare.screening.models import Flag, ScreeningResult, ScreeningSession
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.models import Clinic, Credential, Membership, Network, User
from dyadcare.tenancy.roles import CLINIC_ROLES, NETWORK_ROLES
from dyadcare.tenancy.scope import unscoped
from dyadcare.touchpoints.models import Visit

PASSWORD = "a-long-test-password-1"
_numbers = itertools.count(1)


def network(slug: str | None = None) -> Network:
    n = next(_numbers)
    return Network.objects.create(name=f"Network {n}", slug=slug or f"network-{n}")


def clinic(net: Network, slug: str | None = None, model: str = Clinic.ServiceModel.HEALTHYSTEPS) -> Clinic:
    n = next(_numbers)
    return Clinic.objects.create(
        network=net, name=f"Clinic {n}", slug=slug or f"clinic-{n}", service_model=model
    )


def staff(username: str | None = None, **names: str) -> User:
    n = next(_numbers)
    user = User(
        username=username or f"user{n}",
        first_name=names.get("first", "Test"),
        last_name=names.get("last", f"Person{n}"),
    )
    user.set_password(PASSWORD)
    user.save()
    Credential.objects.create(user=user)
    return user


def member(
    user: User, role: str, *, clinic: Clinic | None = None, network: Network | None = None
) -> Membership:
    return Membership.objects.create(user=user, role=role, clinic=clinic, network=network)


def child(clinic: Clinic, **fields: object) -> Child:
    n = next(_numbers)
    values: dict[str, object] = {
        "given_name": f"Kid{n}",
        "family_name": "García",
        "date_of_birth": date(2025, 1, 15),
        "sex": "F",
        "mrn": f"MRN{n:06d}",
        "preferred_language": "es",
    }
    values.update(fields)
    with unscoped("test data"):
        if "household" not in values:
            values["household"] = Household.objects.create(clinic=clinic, name=str(values["family_name"]))
        record = Child(clinic=clinic, **values)
        record.search_name = search_key(f"{record.family_name} {record.given_name}")
        record.save()
    return record


def caregiver(
    clinic: Clinic, *, for_child: Child | None = None, relationship: str = "mother", **fields: object
) -> Caregiver:
    n = next(_numbers)
    values: dict[str, object] = {"given_name": f"Carer{n}", "family_name": "García", "phone": "+15105550123"}
    values.update(fields)
    with unscoped("test data"):
        record = Caregiver(clinic=clinic, **values)
        record.save()
        if for_child is not None:
            CareRelationship.objects.create(
                clinic=clinic, child=for_child, caregiver=record, relationship=relationship, is_primary=True
            )
    return record


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@dataclass
class ClinicWorld:
    """Clinic A with one staff member per role and one family; clinic B (same network) with
    an administrator and a family of its own; a second network with its own coach."""

    network: Network
    a: Clinic
    b: Clinic
    other_network: Network
    staff_a: dict[str, User] = field(default_factory=dict)
    network_staff: dict[str, User] = field(default_factory=dict)
    admin_b: User | None = None
    coach_elsewhere: User | None = None
    child_a: Child | None = None
    caregiver_a: Caregiver | None = None
    link_a: CareRelationship | None = None
    child_b: Child | None = None
    caregiver_b: Caregiver | None = None
    visit_a: Visit | None = None
    session_a: ScreeningSession | None = None
    flag_a: Flag | None = None


def clinic_world() -> ClinicWorld:
    net = network()
    world = ClinicWorld(network=net, a=clinic(net), b=clinic(net), other_network=network())
    for role in sorted(CLINIC_ROLES):
        user = staff(f"{role}-a")
        member(user, role, clinic=world.a)
        world.staff_a[role] = user
    for role in sorted(NETWORK_ROLES):
        user = staff(f"{role}-n")
        member(user, role, network=net)
        world.network_staff[role] = user
    world.admin_b = staff("admin-b")
    for role in sorted(CLINIC_ROLES):
        member(world.admin_b, role, clinic=world.b)
    world.coach_elsewhere = staff("coach-elsewhere")
    member(world.coach_elsewhere, "network_coach", network=world.other_network)
    from django.utils import timezone

    from dyadcare.touchpoints.schedule import add_months

    # Twenty-two months old whenever the tests run: in the 24-month window, with screenings due.
    world.child_a = child(
        world.a, given_name="Ana", family_name="Ramírez", date_of_birth=add_months(timezone.localdate(), -22)
    )
    world.caregiver_a = caregiver(world.a, for_child=world.child_a, given_name="Lucía", family_name="Ramírez")
    with unscoped("test data"):
        world.link_a = CareRelationship.objects.get(child=world.child_a)
    world.child_b = child(world.b, given_name="Bea", family_name="Brown")
    world.caregiver_b = caregiver(world.b, for_child=world.child_b)
    world.visit_a = visit(world.a, world.child_a)
    father = caregiver(world.a, for_child=world.child_a, relationship="father", given_name="Pablo")
    world.session_a, world.flag_a = screening(world.a, world.visit_a, father)
    return world


def screening(clinic: Clinic, on_visit: Visit, by: Caregiver) -> tuple[ScreeningSession, Flag]:
    """An open session and a scored PHQ-9 with a safety alert, as if a caregiver had answered."""
    from django.utils import timezone

    with unscoped("test data"):
        session = ScreeningSession.objects.create(
            clinic=clinic,
            visit=on_visit,
            child=on_visit.child,
            caregiver=by,
            instruments=[{"id": "phq9", "category": "maternal-depression", "items": 9}],
            answers={"phq9": [0, 0, 0, 0, 0, 0, 0, 0, 1]},
        )
        result = ScreeningResult.objects.create(
            clinic=clinic,
            visit=on_visit,
            child=on_visit.child,
            caregiver=by,
            instrument_id="phq9",
            respondent="caregiver-self",
            answers=[0, 0, 0, 0, 0, 0, 0, 0, 1],
            total=1,
            positive=False,
            critical_items=[9],
            sensitivity=["PSY"],
            scored_at=timezone.now(),
        )
        flag = Flag.objects.create(
            clinic=clinic,
            result=result,
            visit=on_visit,
            child=on_visit.child,
            severity=Flag.Severity.ALERT,
            reason=_reason_of(result),
            raised_at=timezone.now(),
        )
    return session, flag


def _reason_of(result: ScreeningResult) -> str:
    """The flag's reason as scoring words it (stored in English)."""
    from dyadcare.instruments.internal import registry
    from dyadcare.screening.internal.scoring import flags_for

    return flags_for(registry.get(result.instrument_id), result)[0][1]


def visit(clinic: Clinic, for_child: Child, *, when: datetime | None = None, **fields: object) -> Visit:
    from django.utils import timezone

    moment = when or timezone.make_aware(datetime.combine(timezone.localdate(), time(9, 20)))
    with unscoped("test data"):
        return Visit.objects.create(clinic=clinic, child=for_child, scheduled_for=moment, **fields)


def staff_actor(world: ClinicWorld, role: str) -> Actor:
    """The Actor of clinic A's staff member in ``role``."""
    return Actor.for_staff(world.staff_a[role], clinic=world.a, roles=(role,), ip="127.0.0.1")


def two_month_visit(world: ClinicWorld) -> Visit:
    """A 2-month visit today at clinic A for Nina, whose mother Marta prefers Spanish and
    agreed to texts and email."""
    from django.utils import timezone

    from dyadcare.touchpoints.schedule import add_months

    today = timezone.localdate()
    baby = child(world.a, given_name="Nina", family_name="Soto", date_of_birth=add_months(today, -2))
    caregiver(
        world.a,
        for_child=baby,
        given_name="Marta",
        family_name="Soto",
        preferred_language="es",
        phone="+15105550150",
        consent_sms=True,
        email="marta@example.org",
        consent_email=True,
    )
    return visit(
        world.a, baby, when=timezone.make_aware(datetime.combine(today, time(10, 0))), touchpoint="2m"
    )


def mother(on_visit: Visit) -> Caregiver:
    """The visit's child's primary caregiver."""
    with unscoped("test data"):
        return (
            CareRelationship.objects.select_related("caregiver")
            .get(child=on_visit.child, is_primary=True)
            .caregiver
        )


def start_session(
    world: ClinicWorld,
    on_visit: Visit,
    instruments: Sequence[str],
    *,
    language: str = "en",
    mode: str = "link",
    by_role: str = "dyadic_specialist",
) -> tuple[ScreeningSession, str]:
    """A session as the staff side opens it; PHQ-9 fills the clinic's maternal depression slot."""
    from dyadcare.screening import services
    from dyadcare.tenancy.scope import clinic_scope
    from dyadcare.touchpoints.services import schedule_rule_set

    with clinic_scope(world.a):
        if "phq9" in instruments:
            schedule_rule_set(
                actor=staff_actor(world, "clinic_admin"),
                clinic=world.a,
                category="maternal-depression",
                touchpoint="*",
                instruments=["phq9"],
            )
        return services.screening_start(
            actor=staff_actor(world, by_role),
            visit=on_visit,
            caregiver=mother(on_visit),
            instrument_ids=list(instruments),
            language=language,
            mode=mode,
        )


@contextmanager
def family_link(opened_by: str | ScreeningSession, *, ip: str | None = None) -> Iterator[FamilyLink]:
    """A family's link as the family pages open it (by its token, or straight from the session
    for a test that has no token), inside the session's clinic scope."""
    from dyadcare.screening import family
    from dyadcare.tenancy.entry import acting_in

    if isinstance(opened_by, str):
        link = family.open_link(opened_by, ip=ip)
    else:
        link = family.link_to(opened_by, ip=ip)
    with acting_in(link.actor):
        yield link


def answer(link: FamilyLink, instrument_id: str, number: int, value: object) -> None:
    """Answer one question as the family's form sends it (positions as strings)."""
    from dyadcare.screening import family

    values = [str(v) for v in value] if isinstance(value, list) else ([] if value is None else [str(value)])
    family.answer(link, instrument_id=instrument_id, number=number, values=values)


# What a flagged visit's results and acknowledgement say that only the roles with the
# result's label may read (the reason names the item; the note is free text).
SENSITIVE_NOTE = "Talked about her heavy drinking; referred to the recovery program"


def flagged_visit(world: ClinicWorld) -> Visit:
    """Nina's 2-month visit with a PHQ-9 (PSY) whose item 9 raised a safety alert, a positive
    TAPS-1 (ETH) whose follow-up a clinician acknowledged with ``SENSITIVE_NOTE``, and a
    positive Hunger Vital Sign (SOC) follow-up."""
    from django.utils import timezone

    from dyadcare.instruments.internal import registry
    from dyadcare.screening import services
    from dyadcare.screening.internal.scoring import score_and_store
    from dyadcare.tenancy.scope import clinic_scope

    visit = two_month_visit(world)
    caregiver = mother(visit)
    with clinic_scope(world.a):
        for instrument_id, answers in (
            ("phq9", [2, 2, 1, 1, 1, 1, 1, 1, 1]),
            ("taps1", [0, 0, 1, 0]),
            ("hvs", [0, 2]),
        ):
            score_and_store(
                instrument=registry.get(instrument_id, clinic=world.a),
                answers=answers,
                visit=visit,
                caregiver=caregiver,
                language="en",
                category="",
                scored_at=timezone.now(),
            )
        taps = Flag.objects.get(visit=visit, result__instrument_id="taps1")
        services.flag_resolve(actor=staff_actor(world, "dyadic_specialist"), flag=taps, note=SENSITIVE_NOTE)
    return visit
