"""Screening sessions through their services: start, answer, submit, score, flag."""

from __future__ import annotations

import pytest

from dyadcare.screening import family, services
from dyadcare.screening.internal.plan import visit_plan
from dyadcare.screening.models import Flag, ScreeningResult, ScreeningSession
from dyadcare.screening.senders import MemorySms
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.selectors import clinic_bundle, visit_due
from tests.factories import ClinicWorld, answer, family_link
from tests.screening.conftest import mother, staff_actor


def test_plan_for_a_two_month_visit(world: ClinicWorld, two_month_visit: Visit) -> None:
    with clinic_scope(world.a):
        plan = {
            p.id: p
            for p in visit_plan(
                visit=two_month_visit, bundle=clinic_bundle(world.a), clinic=world.a, language="es"
            )
        }
    assert {"epds", "swyc-bpsc", "cdc-milestones-2m"} <= plan.keys()
    assert not plan["epds"].family_can_answer, "clinic-supplied text not loaded"
    assert plan["cdc-milestones-2m"].family_can_answer


def test_start_answer_submit(world: ClinicWorld, two_month_visit: Visit) -> None:
    actor = staff_actor(world, "front_desk")
    caregiver = mother(two_month_visit)
    with clinic_scope(world.a):
        session, token = services.screening_start(
            actor=actor,
            visit=two_month_visit,
            caregiver=caregiver,
            instrument_ids=["cdc-milestones-2m"],
            language="es",
        )
        message = services.screening_send(
            actor=actor, session=session, channel="sms", base_url="http://clinic"
        )
    assert message.status == "sent"
    sent = MemorySms.outbox[-1]
    assert sent.to == "+15105550150" and "/f/" in sent.body and "preguntas" in sent.body, sent.body
    link_token = sent.body.split("/f/")[1].split("/")[0]
    assert link_token != token, "sending issues a fresh link"
    with pytest.raises(family.LinkProblem):
        family.open_link(token, ip="10.0.0.1")
    with family_link(link_token, ip="10.0.0.1") as link:
        minutes = link.questionnaire.minutes
        assert f"unos {minutes} minutos" in sent.body, "the text promises what the pages say"
        assert family.confirm_dob(link, two_month_visit.child.date_of_birth)
        for n in range(1, 12):
            answer(link, "cdc-milestones-2m", n, 0 if n != 3 else 2)
        with pytest.raises(family.AnswerRefused):
            answer(link, "cdc-milestones-2m", 1, 9)
        first = family.submit(link)
        again = family.submit(link)
    assert again.already and not first.already
    with clinic_scope(world.a):
        results = list(ScreeningResult.objects.filter(session=session))
        assert len(results) == 1 and results[0].total == 1
        assert results[0].questionnaire_response["status"] == "completed"
        assert ScreeningSession.objects.get(pk=session.pk).status == "submitted"
        visit = Visit.objects.select_related("child").get(pk=two_month_visit.pk)
        due = {i.category: i for i in visit_due(visit=visit, bundle=clinic_bundle(world.a)).items}
        surveillance = due["developmental-surveillance"]
        assert surveillance.done and [(d.instrument_id, d.kind) for d in surveillance.evidence] == [
            ("cdc-milestones-2m", "result")
        ], "the family's result is the evidence"
    with pytest.raises(family.LinkProblem) as problem:
        family.open_link(link_token, ip="10.0.0.1")
    assert problem.value.kind == "submitted"


def test_critical_answer_raises_an_alert(world: ClinicWorld, two_month_visit: Visit) -> None:
    actor = staff_actor(world, "dyadic_specialist")
    with clinic_scope(world.a):
        two_month_visit.touchpoint = "2m"
        from dyadcare.touchpoints.services import schedule_rule_set

        admin = staff_actor(world, "clinic_admin")
        schedule_rule_set(
            actor=admin, clinic=world.a, category="maternal-depression", touchpoint="*", instruments=["phq9"]
        )
        session, _token = services.screening_start(
            actor=actor,
            visit=two_month_visit,
            caregiver=mother(two_month_visit),
            instrument_ids=["phq9"],
            language="en",
        )
    with family_link(session) as link:
        for n, value in enumerate([0, 0, 0, 0, 0, 0, 0, 0, 1], start=1):
            answer(link, "phq9", n, value)
        outcome = family.submit(link)
    assert outcome.show_crisis_resources
    with clinic_scope(world.a):
        flags = list(Flag.objects.filter(visit=two_month_visit))
    assert [f.severity for f in flags] == ["alert"]
    assert outcome.scored[0].result.sensitivity == ["PSY"]
