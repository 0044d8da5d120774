from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from dyadcare.screening.senders import MemorySms
from dyadcare.tenancy.actor import Actor
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.schedule import add_months
from tests import factories
from tests.factories import ClinicWorld


@pytest.fixture(autouse=True)
def _memory_senders(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_PROVIDER = "dyadcare.screening.senders.MemorySms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    MemorySms.outbox.clear()


def staff_actor(world: ClinicWorld, role: str) -> Actor:
    return Actor.for_staff(world.staff_a[role], clinic=world.a, roles=(role,), ip="127.0.0.1")


@pytest.fixture
def two_month_visit(world: ClinicWorld) -> Visit:
    """A 2-month visit today for a child whose mother agreed to texts and email."""
    today = timezone.localdate()
    child = factories.child(
        world.a, given_name="Nina", family_name="Soto", date_of_birth=add_months(today, -2)
    )
    factories.caregiver(
        world.a,
        for_child=child,
        given_name="Marta",
        family_name="Soto",
        preferred_language="es",
        phone="+15105550150",
        consent_sms=True,
        email="marta@example.org",
        consent_email=True,
    )
    return factories.visit(
        world.a, child, when=timezone.make_aware(datetime.combine(today, time(10, 0))), touchpoint="2m"
    )


def mother(visit: Visit):  # type: ignore[no-untyped-def]
    from dyadcare.families.models import CareRelationship
    from dyadcare.tenancy.scope import unscoped

    with unscoped("test"):
        return (
            CareRelationship.objects.select_related("caregiver")
            .get(child=visit.child, is_primary=True)
            .caregiver
        )


__all__ = ["date", "mother", "staff_actor"]
