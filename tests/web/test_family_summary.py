"""The visit summary a family takes home: in the family's language, naming the next visit
booked after this one, with nothing about a caregiver themself."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from dyadcare.families.models import Caregiver
from dyadcare.tenancy.scope import unscoped
from tests import factories
from tests.factories import ClinicWorld, login


def _summary(world: ClinicWorld, client: Client, **params: str) -> str:
    assert world.visit_a
    url = f"/c/{world.a.slug}/visits/{world.visit_a.pk}/summary/"
    return client.get(url, params).content.decode()


def test_the_summary_is_in_the_familys_language_whatever_the_staff_reads(
    world: ClinicWorld, client: Client
) -> None:
    assert world.caregiver_a and world.visit_a and world.child_a
    with unscoped("test data"):
        Caregiver.objects.filter(pk=world.caregiver_a.pk).update(preferred_language="es")
    later = factories.visit(world.a, world.child_a, when=world.visit_a.scheduled_for + timedelta(days=60))
    factories.visit(world.a, world.child_a, when=world.visit_a.scheduled_for + timedelta(days=120))
    login(client, world.staff_a["dyadic_specialist"])

    page = _summary(world, client)
    assert 'lang="es"' in page and "Resumen de la visita de Ana Ramírez" in page
    assert "Próxima visita" in page
    assert "Language of the summary" in page, "the staff's own controls stay in English"
    assert later.scheduled_for.strftime("%Y") in page

    english = _summary(world, client, lang="en")
    assert "Visit summary for Ana Ramírez" in english and "Resumen de la visita" not in english
    assert "PHQ-9" not in page, "the father's own depression screen is never on the family's summary"


def test_the_summary_names_no_visit_when_none_is_booked_after_this_one(
    world: ClinicWorld, client: Client
) -> None:
    login(client, world.staff_a["dyadic_specialist"])
    page = _summary(world, client, lang="xx")
    assert "No visit is booked yet" in page, "this visit itself is never the next one"
