"""A result keeps the parameter values that scored it: changing a clinic's cut-off later
changes neither what the result says nor how it is described or re-read."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from dyadcare.instruments import engine
from dyadcare.instruments import services as services_instruments
from dyadcare.instruments.internal import registry
from dyadcare.screening import family, services
from dyadcare.screening.internal.scoring import score_and_store
from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.services import schedule_rule_set
from tests import factories
from tests.factories import ClinicWorld, answer, family_link, login
from tests.screening.conftest import mother, staff_actor

# PHQ-2: "Little interest" several days (1), "Feeling down" more than half the days (2): a total of 3.
ANSWERS = [1, 2]


def _family_answers_phq2(world: ClinicWorld, visit: Visit) -> ScreeningResult:
    """The caregiver answers the PHQ-2 on the family link and submits it."""
    with clinic_scope(world.a):
        session, _token = services.screening_start(
            actor=staff_actor(world, "dyadic_specialist"),
            visit=visit,
            caregiver=mother(visit),
            instrument_ids=["phq2"],
            language="en",
        )
    with family_link(session) as link:
        for number, value in enumerate(ANSWERS, start=1):
            answer(link, "phq2", number, value)
        outcome = family.submit(link)
    [scored] = outcome.scored
    with clinic_scope(world.a):
        return ScreeningResult.objects.get(pk=scored.result.pk)


def _visit_page(client: Client, world: ClinicWorld, visit: Visit) -> str:
    login(client, world.staff_a["pediatric_clinician"])
    response = client.get(f"/c/{world.a.slug}/visits/{visit.pk}/screening/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_result_keeps_its_positive_after_the_clinic_changes_the_cut_off(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    with clinic_scope(world.a):
        schedule_rule_set(
            actor=staff_actor(world, "clinic_admin"),
            clinic=world.a,
            category="maternal-depression",
            touchpoint="*",
            instruments=["phq2"],
        )
    before = _family_answers_phq2(world, two_month_visit)
    assert before.positive is True, "a total of 3 is positive at the default cut-off of 3"
    assert before.instrument_version == "1.0.0"
    assert before.parameters == {"positive_at_least": 3}
    assert "Positive when the total is 3 or more." in _visit_page(client, world, two_month_visit)

    # The clinic administrator raises the cut-off to 4 on the settings page.
    login(client, world.staff_a["clinic_admin"])
    response = client.post(
        f"/c/{world.a.slug}/instruments/phq2/settings/",
        {"positive_at_least": "4", "reason": "medical director, 1 March"},
    )
    assert response.status_code == 302
    with clinic_scope(world.a):
        assert registry.get("phq2", clinic=world.a).parameter_value("positive_at_least") == 4

    # (a) The stored result still says positive, with the values that scored it.
    with clinic_scope(world.a):
        kept = ScreeningResult.objects.get(pk=before.pk)
    assert kept.positive is True and kept.parameters == {"positive_at_least": 3}

    # (b) Its rule on the visit's screening page is the one it was scored by.
    page = _visit_page(client, world, two_month_visit)
    assert "Positive when the total is 3 or more." in page
    assert "Positive when the total is 4 or more." not in page

    # (c) Re-scored from its stored answers with its stored parameters: the same outcome
    # (and today's cut-off would have said otherwise, so the check can fail).
    with clinic_scope(world.a):
        as_scored = registry.as_scored(kept, clinic=world.a)
        today = registry.get("phq2", clinic=world.a)
    assert as_scored.parameter_value("positive_at_least") == 3
    again = engine.score(as_scored, engine.parse_answers(as_scored, kept.answers), language=kept.language)
    assert again.positive is True and again.total == kept.total == 3
    assert engine.score(today, engine.parse_answers(today, kept.answers)).positive is False

    # A result scored after the change uses the new cut-off: the same answers are negative.
    later_visit = factories.two_month_visit(world)
    after = _family_answers_phq2(world, later_visit)
    assert after.positive is False and after.total == 3
    assert after.parameters == {"positive_at_least": 4}
    page = _visit_page(client, world, later_visit)
    assert "Positive when the total is 4 or more." in page
    assert "Positive when the total is 3 or more." not in page
    # And the first visit's page still describes the first result as it was scored.
    assert "Positive when the total is 3 or more." in _visit_page(client, world, two_month_visit)


def test_a_result_whose_settings_were_not_recorded_is_not_described_with_todays(
    world: ClinicWorld, client: Client
) -> None:
    """A result scored before results kept their parameter values, and not recoverable by the
    migration (``parameters`` null), is not described with today's cut-off; an instrument
    without configurable parameters keeps its fixed rule."""
    assert world.visit_a is not None and world.child_a is not None
    with clinic_scope(world.a):
        old = ScreeningResult.objects.create(
            clinic=world.a,
            visit=world.visit_a,
            child=world.child_a,
            caregiver=world.caregiver_a,
            instrument_id="phq2",
            instrument_version="1.0.0",
            respondent="caregiver-self",
            answers=ANSWERS,
            total=3,
            positive=True,
            sensitivity=["PSY"],
            scored_at=timezone.now(),
        )
        assert old.parameters is None
        assert ScreeningResult.objects.get(instrument_id="phq9", visit=world.visit_a).parameters is None
    page = _visit_page(client, world, world.visit_a)
    assert "The settings this result was scored with were not recorded" in page
    assert "Positive when the total is 3 or more." not in page
    assert "Positive when the total is 10 or more." in page  # the PHQ-9's rule has no parameter


def test_a_result_answered_in_spanish_is_described_with_the_spanish_cut_off(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    """HITS: positive at 11 in English, at 6 in Spanish (a parameter of its own). A result
    answered in Spanish was scored at 6, and its rule says so, also after the clinic changes
    the Spanish cut-off."""
    with clinic_scope(world.a):
        hits = registry.get("hits", clinic=world.a)
        scored = score_and_store(
            instrument=hits,
            answers=engine.parse_answers(hits, [0, 0, 0, 2]),  # a total of 6
            visit=two_month_visit,
            caregiver=mother(two_month_visit),
            language="es",
            category="",
            scored_at=timezone.now(),
        )
    assert scored.result.positive is True
    assert scored.result.parameters == {"positive_at_least": 11, "positive_at_least_es": 6}
    page = _visit_page(client, world, two_month_visit)
    assert "Positive when the total is 6 or more." in page
    assert "Positive when the total is 11 or more." not in page
    with clinic_scope(world.a):
        services_instruments.parameters_set(
            actor=staff_actor(world, "clinic_admin"),
            instrument_id="hits",
            values={"positive_at_least": 11, "positive_at_least_es": 7},
        )
    page = _visit_page(client, world, two_month_visit)
    assert "Positive when the total is 6 or more." in page
    assert "Positive when the total is 7 or more." not in page
