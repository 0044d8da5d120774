"""Plain words for clinicians: instrument names, domain and subscore labels from the data, and
sensitivity badges explained, in English and Spanish; one time estimate for the family."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.scope import unscoped
from dyadcare.touchpoints.models import Visit
from tests import factories
from tests.factories import ClinicWorld, login


@pytest.fixture
def two_month_visit(world: ClinicWorld, settings) -> Visit:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return factories.two_month_visit(world)


def _render(text: str, language: str = "en", **context: object) -> str:
    with translation.override(language):
        return Template("{% load dyadcare %}" + text).render(Context(context))


def test_instrument_ids_read_as_names() -> None:
    ids = ["cdc-milestones-2m", "phq9"]
    assert _render("{{ ids|instrument_names }}", ids=ids) == (
        "CDC milestone checklist, 2 months, Patient Health Questionnaire-9 (PHQ-9)"
    )
    spanish = _render("{{ ids|instrument_names }}", "es", ids=ids)
    assert spanish.startswith("Lista de indicadores del desarrollo de los CDC, 2 meses")
    assert _render("{{ ids|instrument_names }}", ids=[]) == ""


def test_domains_and_subscores_read_as_their_labels_from_the_data() -> None:
    domain = "{{ name|domain_label:'taps1' }}"
    assert _render(domain, name="illicit-drugs") == "Illicit drugs"
    assert _render(domain, "es", name="illicit-drugs") == "Drogas ilícitas"
    assert _render("{{ name|domain_label:'ahc-hrsn' }}", "es", name="housing-instability") == (
        "Inestabilidad de vivienda"
    )
    subscore = "{{ name|subscore_label:'asq3' }}"
    assert _render(subscore, name="fine-motor") == "Fine motor"
    assert _render(subscore, "es", name="fine-motor") == "Motricidad fina"
    assert _render("{{ name|subscore_label:'cdc-milestones-9m' }}", "es", name="social-emotional") == (
        "Social y emocional"
    )
    assert _render(domain, name="no-such-domain") == "no-such-domain"


def test_a_sensitivity_badge_says_what_it_means() -> None:
    badge = _render("{% sensitivity_badge code %}", code="SDV")
    assert 'title="Sensitive result (SDV, violence or abuse): shown in full only' in badge
    assert '<span aria-hidden="true">Violence or abuse</span>' in badge
    assert '<span class="visually-hidden">Sensitive result (SDV, violence or abuse)' in badge
    spanish = _render("{% sensitivity_badge code %}", "es", code="ETH")
    assert "Consumo de sustancias" in spanish and "ETH" in spanish


def test_the_visit_page_shows_labels_not_codes(world: ClinicWorld, client: Client) -> None:
    assert world.visit_a and world.caregiver_a
    with unscoped("test data"):
        ScreeningResult.objects.create(
            clinic=world.a,
            visit=world.visit_a,
            child=world.visit_a.child,
            caregiver=world.caregiver_a,
            instrument_id="taps1",
            respondent="caregiver-self",
            answers=[0, 0, 1, 0],
            total=1,
            positive=True,
            domains={"tobacco": False, "illicit-drugs": True},
            sensitivity=["ETH"],
            scored_at=timezone.now(),
        )
    login(client, world.staff_a["pediatric_clinician"])
    page = client.get(f"/c/{world.a.slug}/visits/{world.visit_a.pk}/screening/").content.decode()
    assert "Illicit drugs: positive" in page and "illicit-drugs" not in page
    assert "Substance use" in page and "Sensitive result (ETH, substance use)" in page
    assert ">ETH<" not in page and ">PSY<" not in page
    client.post("/language/", {"language": "es", "next": "/"})
    spanish = client.get(f"/c/{world.a.slug}/visits/{world.visit_a.pk}/screening/").content.decode()
    assert "Drogas ilícitas" in spanish and "Consumo de sustancias" in spanish


def test_due_lists_name_instruments(world: ClinicWorld, client: Client, two_month_visit: Visit) -> None:
    login(client, world.staff_a["dyadic_specialist"])
    child_page = client.get(f"/c/{world.a.slug}/children/{two_month_visit.child_id}/").content.decode()
    visit_page = client.get(f"/c/{world.a.slug}/visits/{two_month_visit.pk}/").content.decode()
    huddle = client.get(f"/c/{world.a.slug}/huddle/").content.decode()
    for page in (child_page, visit_page, huddle):
        # The schedule names the checklists' family; its name is what their titles share.
        assert "(CDC milestone checklist)" in page or ">CDC milestone checklist<" in page
        assert "Edinburgh Postnatal Depression Scale (EPDS)" in page
        assert not re.search(r"[ (>](cdc-milestones|epds)[-\w]*[,)<]", page), (
            "no raw instrument id in the text"
        )


def test_the_message_and_the_family_page_give_the_same_minutes(
    world: ClinicWorld, client: Client, two_month_visit: Visit
) -> None:
    login(client, world.staff_a["front_desk"])
    caregiver = factories.mother(two_month_visit)
    client.post(
        f"/c/{world.a.slug}/visits/{two_month_visit.pk}/screening/start/",
        {
            "caregiver": str(caregiver.pk),
            "instruments": ["cdc-milestones-2m", "ahc-hrsn"],
            "language": "en",
            "action": "email",
        },
    )
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    said = re.search(r"about (\d+) minutes", body)
    assert said, body
    link = re.search(r"(/f/[^/\s]+/)", body)
    assert link
    family = Client()
    page = family.get(link.group(1), follow=True).content.decode()
    shown = re.search(r"about (\d+) minutes", page)
    assert shown, page
    assert said.group(1) == shown.group(1)
    assert said.group(1) != "10", "the 22 questions take about 6 minutes, not a fixed 10"
