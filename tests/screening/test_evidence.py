"""Screening done only by evidence, and every instrument givable: paper forms entered item by
item for any instrument (licensed ones included), the service model's fallback when a clinic
has no licensed text, instruments staff add, screens given elsewhere, and the due lists that
follow the results wherever they were recorded."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from dyadcare.instruments import engine
from dyadcare.instruments import services as instrument_services
from dyadcare.instruments.engine.textfile import ItemText
from dyadcare.instruments.internal import registry
from dyadcare.screening import services
from dyadcare.screening.internal.plan import visit_plan
from dyadcare.screening.models import AddedInstrument, DoneElsewhere, ScreeningResult
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.schedule import add_months
from dyadcare.touchpoints.selectors import child_schedule_get, clinic_bundle, huddle_day, visit_due
from tests import factories
from tests.factories import ClinicWorld, answer, family_link, login, start_session
from tests.screening.conftest import mother, staff_actor


def _entered(instrument: engine.Instrument) -> tuple[dict[int, list[str]], list[Any]]:
    """Form values for every item (a varied choice per item) and the answers they mean."""
    entered: dict[int, list[str]] = {}
    meant: list[Any] = []
    for item in instrument.items:
        if item.kind == "numeric":
            value = item.minimum if item.minimum is not None else 0
            entered[item.number] = [f"{value:g}"]
            meant.append(value)
        elif item.kind == "multi":
            position = next(o.position for o in item.options if not o.exclusive)
            entered[item.number] = [str(position)]
            meant.append([position])
        else:
            position = item.number % len(item.options)
            entered[item.number] = [str(position)]
            meant.append(position)
    return entered, meant


def test_staff_enter_a_paper_form_of_every_instrument_of_the_library(
    world: ClinicWorld, two_month_visit: Visit
) -> None:
    """Item numbers and option positions are enough: no licensed text is loaded here, and every
    instrument (EPDS, SWYC, M-CHAT-R, HITS, PEARLS, ASQ, the bundled ones, each CDC checklist)
    is scored by the engine exactly as a family's answers would be."""
    actor = staff_actor(world, "dyadic_specialist")
    ids = [i for i in registry.library().ids(with_ages=True) if i != "cdc-milestones"]
    assert {"epds", "swyc-bpsc", "swyc-ppsc", "swyc-posi", "mchat-r", "hits", "pearls-child"} <= set(ids)
    with clinic_scope(world.a):
        for ident in ids:
            instrument = registry.get(ident, clinic=world.a)
            entered, meant = _entered(instrument)
            family = instrument.respondent in ("caregiver-self", "caregiver-about-child")
            scored = services.staff_scores_enter(
                actor=actor,
                visit=two_month_visit,
                instrument_id=ident,
                entered=entered,
                answered_in=instrument.languages[-1],
                caregiver=mother(two_month_visit) if family else None,
            )
            result = scored.result
            expected = engine.score(
                instrument, engine.parse_answers(instrument, meant), language=instrument.languages[-1]
            )
            assert (result.total, result.positive, result.band or None) == (
                expected.total,
                expected.positive,
                expected.band,
            ), ident
            assert result.entered_by == world.staff_a["dyadic_specialist"] and result.answers == list(
                engine.parse_answers(instrument, meant)
            ), ident
        assert ScreeningResult.objects.filter(visit=two_month_visit, entered_by__isnull=False).count() == len(
            ids
        )
        assert AuditEvent.objects.filter(summary__endswith="entered by staff").count() == len(ids)


def test_a_paper_form_is_refused_with_its_reasons_and_nothing_half_written(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    login(client, world.staff_a["dyadic_specialist"])
    url = f"/c/{world.a.slug}/visits/{two_month_visit.pk}/screening/enter/epds/"
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Item 10" in body and "Option 4" in body and "scores 3" in body, "positions and scores, no text"
    assert "checked" not in body, "nothing pre-selected"
    bad = {"item-1": "7", "item-2": "1", "answered_in": "en"}
    refused = client.post(url, bad)
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "Item 1: Choose one of the answers shown." in text
    assert "Say which caregiver filled in the form." in text
    assert 'value="1" checked' in text, "what was entered is kept"
    nothing = client.post(url, {"caregiver": str(mother(two_month_visit).pk), "answered_in": "en"})
    assert nothing.status_code == 422 and "Enter at least one answer" in nothing.content.decode()
    with clinic_scope(world.a):
        assert not ScreeningResult.objects.filter(visit=two_month_visit).exists()
    good = {f"item-{n}": "0" for n in range(1, 11)} | {"caregiver": str(mother(two_month_visit).pk)}
    assert client.post(url, {**good, "answered_in": "fr"}).status_code == 422
    done = client.post(url, {**good, "item-10": "1", "answered_in": "es"})
    assert done.status_code == 302
    twice = client.post(url, {**good, "answered_in": "es"})
    assert twice.status_code == 422 and "already entered for this visit" in twice.content.decode()
    with clinic_scope(world.a):
        result = ScreeningResult.objects.get(visit=two_month_visit, instrument_id="epds")
        assert result.language == "es" and result.category == "maternal-depression"
        assert result.caregiver == mother(two_month_visit) and result.critical_items == [10]
        assert result.flags.get().severity == "alert", "a paper form raises the same alert"


def test_an_unknown_instrument_has_no_paper_form(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    login(client, world.staff_a["dyadic_specialist"])
    assert (
        client.get(f"/c/{world.a.slug}/visits/{two_month_visit.pk}/screening/enter/nope/").status_code == 404
    )


# The service model's fallback ---------------------------------------------------------------


def _plan(world: ClinicWorld, visit: Visit, language: str = "en") -> dict[str, Any]:
    with clinic_scope(world.a):
        visit = Visit.objects.select_related("child").get(pk=visit.pk)
        return {
            p.id: p
            for p in visit_plan(visit=visit, bundle=clinic_bundle(world.a), clinic=world.a, language=language)
        }


def test_without_licensed_epds_text_the_plan_uses_the_phq2_then_the_phq9(
    world: ClinicWorld, two_month_visit: Visit
) -> None:
    plan = _plan(world, two_month_visit)
    epds, phq2 = plan["epds"], plan["phq2"]
    assert not epds.family_can_answer and epds.replaced_by == ("phq2",) and "paper form" in epds.why_not
    assert phq2.family_can_answer and phq2.replaces == "epds" and phq2.category == "maternal-depression"
    assert phq2.note == (
        f"{epds.instrument.title_in('en')}: the clinic has not loaded its licensed text; "
        f"{phq2.instrument.title_in('en')} used instead."
    )
    assert "phq9" not in plan, "the PHQ-9 follows a positive PHQ-2 only"

    session, _token = start_session(world, two_month_visit, ["phq2"])
    with family_link(session) as link:
        answer(link, "phq2", 1, 2)
        answer(link, "phq2", 2, 2)
        from dyadcare.screening import family

        family.submit(link)
    after = _plan(world, two_month_visit)
    assert after["phq9"].note == f"after a positive {phq2.instrument.title_in('en')}"
    assert after["phq9"].family_can_answer and after["phq9"].category == "maternal-depression"


def test_with_licensed_epds_text_there_is_no_fallback(world: ClinicWorld, two_month_visit: Visit) -> None:
    with clinic_scope(world.a):
        instrument_services.item_text_load(
            actor=staff_actor(world, "clinic_admin"),
            instrument_id="epds",
            language="en",
            items=[ItemText(n, f"Licensed item {n}", ("a", "b", "c", "d")) for n in range(1, 11)],
            copyright_notice="© 1987 The Royal College of Psychiatrists",
        )
    plan = _plan(world, two_month_visit)
    assert plan["epds"].family_can_answer and plan["epds"].replaced_by == ()
    assert "phq2" not in plan
    with translation.override("es"):
        spanish = _plan(world, two_month_visit, "es")
    assert spanish["epds"].replaced_by == ("phq2",), "no Spanish text: the fallback, in Spanish"
    assert "no ha cargado su texto con licencia en este idioma" in spanish["phq2"].note


def test_the_visit_page_says_which_instrument_fills_the_category_and_why(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    login(client, world.staff_a["dyadic_specialist"])
    body = client.get(f"/c/{world.a.slug}/visits/{two_month_visit.pk}/screening/").content.decode()
    assert (
        "the clinic has not loaded its licensed text; Patient Health Questionnaire-2 (PHQ-2) used instead."
        in body
    )
    assert f"/visits/{two_month_visit.pk}/screening/enter/epds/" in body, (
        "the EPDS can still be given on paper"
    )


# Instruments staff add ----------------------------------------------------------------------


def test_staff_add_any_instrument_to_a_visit_and_can_send_it(
    world: ClinicWorld, two_month_visit: Visit
) -> None:
    actor = staff_actor(world, "dyadic_specialist")
    with clinic_scope(world.a):
        added = services.instrument_add(
            actor=actor, visit=two_month_visit, instrument_id="gad7", reason="Worry most days"
        )
        assert added.category == "" and added.added_by == world.staff_a["dyadic_specialist"]
        phq9 = services.instrument_add(
            actor=actor, visit=two_month_visit, instrument_id="phq9", reason="Positive PHQ-2"
        )
        assert phq9.category == "maternal-depression"
        with pytest.raises(ValidationError, match="already added"):
            services.instrument_add(actor=actor, visit=two_month_visit, instrument_id="gad7", reason="again")
        with pytest.raises(ValidationError, match="Say why"):
            services.instrument_add(actor=actor, visit=two_month_visit, instrument_id="gad2", reason=" ")
        with pytest.raises(ValidationError, match="Choose an instrument"):
            services.instrument_add(
                actor=actor, visit=two_month_visit, instrument_id="nope", reason="why not"
            )
        assert AddedInstrument.objects.filter(visit=two_month_visit).count() == 2
        assert AuditEvent.objects.filter(action="screening.instrument_added").count() == 2
    plan = _plan(world, two_month_visit)
    assert plan["gad7"].added and plan["gad7"].note == "Worry most days" and plan["gad7"].family_can_answer
    session, _token = start_session(world, two_month_visit, ["gad7"])
    assert session.instrument_ids == ["gad7"]


def test_billing_can_neither_add_nor_record(world: ClinicWorld, client: Client) -> None:
    assert world.visit_a
    for role in ("billing",):
        login(client, world.staff_a[role])
        base = f"/c/{world.a.slug}/visits/{world.visit_a.pk}/screening/"
        assert (
            client.post(base + "add/", {"add-instrument": "gad7", "add-reason": "x x x"}).status_code == 403
        )
        assert client.post(base + "elsewhere/", {}).status_code == 403


# Screens given elsewhere --------------------------------------------------------------------


def _elsewhere(world: ClinicWorld, visit: Visit, **overrides: Any) -> DoneElsewhere:
    values: dict[str, Any] = {
        "category": "maternal-depression",
        "instrument_id": "epds",
        "done_on": timezone.localdate() - timedelta(days=2),
        "place": "Obstetrician's postpartum visit",
        "outcome": "negative",
        "reason": "The obstetrician's note, seen in the shared record",
    }
    values.update(overrides)
    with clinic_scope(world.a):
        return services.done_elsewhere_record(
            actor=staff_actor(world, "dyadic_specialist"), visit=visit, **values
        )


def test_a_screen_given_elsewhere_is_evidence_with_who_and_why(
    world: ClinicWorld, two_month_visit: Visit
) -> None:
    record = _elsewhere(world, two_month_visit)
    assert record.recorded_by == world.staff_a["dyadic_specialist"]
    with clinic_scope(world.a):
        visit = Visit.objects.select_related("child").get(pk=two_month_visit.pk)
        due = {i.category: i for i in visit_due(visit=visit, bundle=clinic_bundle(world.a)).items}
        assert [(d.instrument_id, d.kind, d.day) for d in due["maternal-depression"].evidence] == [
            ("epds", "elsewhere", record.done_on)
        ]
        assert not ScreeningResult.objects.filter(visit=visit).exists(), "never a result of this clinic"
        entry = AuditEvent.objects.get(action="screening.done_elsewhere")
        assert entry.actor == world.staff_a["dyadic_specialist"] and entry.object_id == str(record.pk)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "astrology"}, "category"),
        ({"instrument_id": "nope"}, "instrument_id"),
        ({"done_on": timezone.localdate() + timedelta(days=1)}, "done_on"),
        ({"done_on": add_months(timezone.localdate(), -3)}, "done_on"),
        ({"reason": "ok"}, "reason"),
        ({"place": ""}, "place"),
        ({"outcome": "maybe"}, "outcome"),
    ],
)
def test_a_screen_given_elsewhere_needs_every_fact(
    world: ClinicWorld, two_month_visit: Visit, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _elsewhere(world, two_month_visit, **overrides)
    assert field in refused.value.message_dict
    with clinic_scope(world.a):
        assert not DoneElsewhere.objects.exists()


def test_the_elsewhere_form_shows_its_errors_and_keeps_the_values(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    login(client, world.staff_a["family_partner"])
    url = f"/c/{world.a.slug}/visits/{two_month_visit.pk}/screening/elsewhere/"
    form = {
        "elsewhere-category": "maternal-depression",
        "elsewhere-instrument": "epds",
        "elsewhere-done_on": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "elsewhere-place": "OB clinic",
        "elsewhere-outcome": "",
        "elsewhere-reason": "OB note",
    }
    refused = client.post(url, form)
    assert refused.status_code == 422
    body = refused.content.decode()
    assert "Nothing was saved" in body and 'value="OB clinic"' in body
    form["elsewhere-outcome"] = "unknown"
    again = client.post(url, form)
    assert again.status_code == 422 and "from the child&#x27;s birth to today" in again.content.decode()
    form["elsewhere-done_on"] = timezone.localdate().isoformat()
    assert client.post(url, form).status_code == 302
    page = client.get(f"/c/{world.a.slug}/visits/{two_month_visit.pk}/").content.decode()
    assert "given elsewhere on" in page


# Due lists follow the results, wherever they were recorded ----------------------------------


def test_results_at_an_open_visit_take_their_categories_off_the_due_lists(world: ClinicWorld) -> None:
    """The issue's report: after AHC-HRSN and TAPS-1 were submitted and scored (the visit
    never closed), the huddle and the child page still listed family needs and caregiver
    substance use as overdue. Now the results are the evidence."""
    today = timezone.localdate()
    baby = factories.child(world.a, given_name="Lía", date_of_birth=add_months(today, -2) - timedelta(days=3))
    factories.caregiver(world.a, for_child=baby, given_name="Rosa")
    one_month = factories.visit(
        world.a,
        baby,
        when=timezone.make_aware(datetime.combine(add_months(baby.date_of_birth, 1), time(9))),
        touchpoint="1m",
    )
    factories.visit(
        world.a, baby, when=timezone.make_aware(datetime.combine(today, time(11))), touchpoint="2m"
    )
    session, _token = start_session(world, one_month, ["ahc-hrsn", "taps1"])
    with family_link(session) as link:
        for n in range(1, 11):
            answer(link, "ahc-hrsn", n, [7] if n == 2 else 0)
        for n in range(1, 5):
            answer(link, "taps1", n, 0)
        from dyadcare.screening import family

        family.submit(link)
    actor = staff_actor(world, "front_desk")
    with clinic_scope(world.a):
        assert Visit.objects.get(pk=one_month.pk).status == "scheduled", "never closed"
        schedule = child_schedule_get(actor=actor, child=baby)
        row = next(r for r in huddle_day(actor=actor, day=today).rows if r.child.pk == baby.pk)
    for report in (schedule.due_today, row.report):
        overdue = {i.category for i in report.overdue}
        assert "substance-use" not in overdue and "family-needs" not in overdue
        assert "interpersonal-safety" in overdue, "the HITS was not given: still overdue"


def test_the_evidence_of_many_children_costs_two_queries(world: ClinicWorld) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dyadcare.touchpoints.evidence import evidence_for

    children = [factories.child(world.a, given_name=f"E{i}") for i in range(12)]
    for child in children[:6]:
        visit = factories.visit(world.a, child)
        _elsewhere(world, visit, done_on=child.date_of_birth + timedelta(days=40))
    with clinic_scope(world.a), CaptureQueriesContext(connection) as few:
        evidence_for([c.pk for c in children[:2]])
    with clinic_scope(world.a), CaptureQueriesContext(connection) as many:
        found = evidence_for([c.pk for c in children])
    assert len(few) == len(many) == 2
    assert sum(len(v) for v in found.values()) == 6


def test_a_labelled_screen_given_elsewhere_and_a_reason_for_adding_one_stay_with_those_who_may_read_them(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    _elsewhere(world, two_month_visit, place="Dr Ortega's office", outcome="positive")
    with clinic_scope(world.a):
        services.instrument_add(
            actor=staff_actor(world, "dyadic_specialist"),
            visit=two_month_visit,
            instrument_id="phq9",
            reason="Passive thoughts of self-harm last week",
        )
    url = f"/c/{world.a.slug}/visits/{two_month_visit.pk}/screening/"
    login(client, world.staff_a["front_desk"])
    desk = client.get(url).content.decode()
    assert "A screen was given elsewhere" in desk and "added by staff" in desk
    given_elsewhere = desk.split('id="elsewhere-heading"')[1].split("</ul>")[0]
    for detail in ("Edinburgh", "Positive"):
        assert detail not in given_elsewhere, detail
    for detail in ("Dr Ortega", "Passive thoughts", "The obstetrician's note"):
        assert detail not in desk, detail
    login(client, world.staff_a["dyadic_specialist"])
    specialist = client.get(url).content.decode()
    assert "Dr Ortega" in specialist and "Passive thoughts of self-harm" in specialist
