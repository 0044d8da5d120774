"""Referral test data: a positive food screen, a directory service, a referral sent by email."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dyadcare.referrals import referral_services as svc
from dyadcare.referrals.models import Organization, Phone, Service
from dyadcare.referrals.models_referral import Referral
from dyadcare.referrals.referral_selectors import directory_service
from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.scope import clinic_scope
from tests.factories import ClinicWorld, staff_actor

REFERRER = "family_partner"


def positive_food(world: ClinicWorld) -> ScreeningResult:
    """The mother's Hunger Vital Sign, positive in the food domain."""
    assert world.visit_a and world.child_a and world.caregiver_a
    with clinic_scope(world.a):
        return ScreeningResult.objects.create(
            clinic=world.a,
            visit=world.visit_a,
            child=world.child_a,
            caregiver=world.caregiver_a,
            instrument_id="hvs",
            category="family-needs",
            respondent="caregiver",
            answers=[],
            total=2,
            band="at-risk",
            positive=True,
            domains={"food": True},
            sensitivity=["SOC"],
            scored_at=timezone.now(),
        )


def food_bank(world: ClinicWorld, email: str = "intake@foodbank.example") -> Service:
    org = Organization.objects.create(
        network=world.network, hsds_id="org-1", name="Alameda Food Bank", description="Food", email=email
    )
    service = Service.objects.create(
        network=world.network,
        hsds_id="svc-1",
        organization=org,
        name="Family Food Pantry",
        description="Groceries every week for families",
        email=email,
        accepts_referrals_via="email",
        referral_contact=email,
    )
    Phone.objects.create(network=world.network, hsds_id="ph-1", service=service, number="510-555-0100")
    return service


def consent(world: ClinicWorld, **changes: object) -> svc.ConsentInput:
    assert world.caregiver_a
    values: dict[str, object] = {
        "caregiver_id": world.caregiver_a.pk,
        "method": "verbal",
        "consented_on": timezone.localdate(),
    }
    values.update(changes)
    return svc.ConsentInput(**values)  # type: ignore[arg-type]


def referral(
    world: ClinicWorld, *, send: bool = True, with_consent: bool = True, role: str = REFERRER
) -> tuple[Referral, str]:
    """A referral of child A to the food bank from the positive food screen; its link token."""
    assert world.child_a and world.caregiver_a
    service = Service.objects.filter(network=world.network).first() or food_bank(world)
    result = positive_food(world)
    actor = staff_actor(world, role)
    with clinic_scope(world.a):
        details = directory_service(actor=actor, service_id=service.pk)
        made = svc.refer(
            actor=actor,
            child_id=world.child_a.pk,
            caregiver_id=world.caregiver_a.pk,
            need="food",
            service=details,
            result_id=result.pk,
            consent=consent(world) if with_consent else None,
            language="es",
        )
        token = ""
        if send:
            token = svc.send_referral(
                actor=actor, referral_id=made.pk, channel="email", base_url="http://testserver"
            ).token
        made.refresh_from_db()
    return made, token


def age_link(world: ClinicWorld, made: Referral, days: int) -> None:
    """Move the link's end ``days`` into the past."""
    with clinic_scope(world.a):
        Referral.objects.filter(pk=made.pk).update(link_expires_at=timezone.now() - timedelta(days=days))
