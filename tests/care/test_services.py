"""The care domain's writes: a suggestion never sets a tier, a person does; goals from
templates in the family's language; tasks keep who had them; the service log keeps every
version and never deletes; notes keep the screening rule for their labels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dyadcare.care import selectors, services
from dyadcare.care.models import ServiceEntry, ServiceRevision, TierAssignment, TierSuggestion
from dyadcare.screening.events import FlagRaised, ResultRecorded
from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.audit import AuditEvent
from dyadcare.tenancy.events import emit
from dyadcare.tenancy.scope import clinic_scope
from tests import factories
from tests.factories import ClinicWorld, staff_actor

pytestmark = pytest.mark.django_db


def _positive_epds(world: ClinicWorld, band: str = "possible") -> ScreeningResult:
    assert world.visit_a and world.child_a and world.caregiver_a
    return ScreeningResult.objects.create(
        clinic=world.a,
        visit=world.visit_a,
        child=world.child_a,
        caregiver=world.caregiver_a,
        instrument_id="epds",
        category="maternal-depression",
        respondent="caregiver-self",
        answers=[],
        total=11,
        band=band,
        positive=True,
        sensitivity=["PSY"],
        scored_at=timezone.now(),
    )


def _announce(world: ClinicWorld, result: ScreeningResult, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        emit(
            ResultRecorded(
                clinic_id=world.a.pk,
                result_id=result.pk,
                child_id=result.child_id,
                visit_id=result.visit_id,
                instrument_id=result.instrument_id,
                category=result.category,
                positive=result.positive,
            )
        )


def test_a_positive_depression_screen_suggests_tier_2_and_sets_nothing(
    world, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with clinic_scope(world.a):
        result = _positive_epds(world)
    _announce(world, result, django_capture_on_commit_callbacks)
    with clinic_scope(world.a):
        suggestion = TierSuggestion.objects.get(child=world.child_a)
        assert (suggestion.tier, suggestion.rule, suggestion.status) == (
            2,
            "caregiver-depression-possible",
            "open",
        )
        assert not TierAssignment.objects.exists()


def test_the_probable_band_and_a_safety_alert_suggest_tier_3(world, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with clinic_scope(world.a):
        result = _positive_epds(world, band="probable")
    _announce(world, result, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        emit(
            FlagRaised(
                clinic_id=world.a.pk,
                flag_id=world.flag_a.pk,
                result_id=world.flag_a.result_id,
                severity="alert",
            )
        )
    with clinic_scope(world.a):
        assert sorted(TierSuggestion.objects.values_list("rule", "tier")) == [
            ("caregiver-depression-probable", 3),
            ("safety-alert", 3),
        ]


def test_a_clinician_sets_the_tier_with_history_and_front_desk_cannot(
    world, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with clinic_scope(world.a):
        result = _positive_epds(world)
    _announce(world, result, django_capture_on_commit_callbacks)
    specialist = staff_actor(world, "dyadic_specialist")
    with clinic_scope(world.a):
        suggestion = TierSuggestion.objects.get()
        with pytest.raises(PermissionDenied):
            services.tier_set(actor=staff_actor(world, "front_desk"), child=world.child_a, tier=2, reason="x")
        with pytest.raises(ValidationError) as bad:
            services.tier_set(actor=specialist, child=world.child_a, tier=2, reason="  ")
        assert "reason" in bad.value.message_dict
        services.tier_set(
            actor=specialist, child=world.child_a, tier=2, reason="EPDS 11", suggestion_id=suggestion.pk
        )
        services.tier_set(actor=specialist, child=world.child_a, tier=1, reason="Mood better")
        page = selectors.care_page(actor=specialist, child_id=world.child_a.pk)
        assert [t.tier for t in page.history] == [1, 2]
        assert page.tier is not None and page.tier.tier == 1
        # The reason that confirmed a PSY result's suggestion is read only with PSY.
        assert page.history[1].reason == "EPDS 11"
        desk = selectors.care_page(actor=staff_actor(world, "front_desk"), child_id=world.child_a.pk)
        assert desk.history[1].reason == "A screen suggests more support."
        assert desk.history[0].reason == "Mood better"
        suggestion.refresh_from_db()
        assert suggestion.status == TierSuggestion.Status.ACCEPTED
        assert suggestion.answered_by == TierAssignment.objects.get(tier=2), "who set it, and when"
        with pytest.raises(ValidationError) as again:
            services.tier_set(
                actor=specialist, child=world.child_a, tier=3, reason="x", suggestion_id=suggestion.pk
            )
        assert "suggestion" in again.value.message_dict, "an answered suggestion is not confirmed twice"
        assert AuditEvent.objects.filter(action="care.tier_set").count() == 2


def test_a_goal_from_a_template_is_in_the_family_language_and_closes_with_an_outcome(world):  # type: ignore[no-untyped-def]
    specialist = staff_actor(world, "dyadic_specialist")
    me = world.staff_a["dyadic_specialist"]
    with clinic_scope(world.a):
        plan = services.plan_open(
            actor=specialist,
            child=world.child_a,
            language="es",
            next_review_on=timezone.localdate() + timedelta(days=30),
        )
        with pytest.raises(ValidationError):
            services.plan_open(
                actor=specialist, child=world.child_a, language="es", next_review_on=timezone.localdate()
            )
        goal = services.goal_add(
            actor=specialist,
            plan=plan,
            need="",
            text="",
            steps="",
            owner_id=me.pk,
            review_on=timezone.localdate() + timedelta(days=14),
            template="caregiver-mood",
        )
        assert goal.text.startswith("Me sentiré") and goal.need == "maternal-depression"
        with pytest.raises(ValidationError) as bad:
            services.goal_add(
                actor=specialist,
                plan=plan,
                need="",
                text="x",
                steps="",
                owner_id=world.admin_b.pk,
                review_on=timezone.localdate(),
            )
        assert "owner" in bad.value.message_dict  # another clinic's person owns nothing here
        services.goal_close(actor=specialist, goal=goal, outcome="declined")
        with pytest.raises(ValidationError):
            services.goal_close(actor=specialist, goal=goal, outcome="met")


def test_a_task_reassigned_keeps_who_had_it_and_closes_only_with_a_word(world):  # type: ignore[no-untyped-def]
    fp = staff_actor(world, "family_partner")
    with clinic_scope(world.a):
        task = services.task_add(
            actor=fp,
            child=world.child_a,
            title="Call about WIC",
            owner_id=world.staff_a["family_partner"].pk,
            due_on=timezone.localdate(),
            flag_id=world.flag_a.pk,
        )
        task = services.task_reassign(
            actor=fp, task=task, owner_id=world.staff_a["dyadic_specialist"].pk, reason="On leave"
        )
        assert task.reassignments.get().from_owner == world.staff_a["family_partner"]
        with pytest.raises(ValidationError):
            services.task_close(actor=fp, task=task, status="done", outcome_note="")
        elsewhere = factories.visit(world.a, factories.child(world.a, given_name="Otro"))
        with pytest.raises(ValidationError) as bad:
            services.task_add(actor=fp, child=world.child_a, title="x", owner_id=task.owner_id,
                              due_on=timezone.localdate(), visit_id=elsewhere.pk)  # fmt: skip
        assert "visit" in bad.value.message_dict  # another family's visit
        services.task_close(actor=fp, task=task, status="done", outcome_note="Called, appointment Tuesday")


def _family_training(world: ClinicWorld, **changes: object) -> ServiceEntry:
    values: dict[str, object] = {
        "service_type": "family-training",
        "delivered_on": timezone.localdate(),
        "minutes": 35,
        "place": "clinic",
        "delivered_by_id": world.staff_a["dyadic_specialist"].pk,
        "child_present": True,
        "caregiver_ids": [world.caregiver_a.pk],
        "note": "Play and routines",
    }
    values.update(changes)
    return services.service_log(actor=staff_actor(world, "dyadic_specialist"), child=world.child_a, **values)  # type: ignore[arg-type]


def test_the_service_type_decides_what_an_entry_needs_and_nothing_half_written(world):  # type: ignore[no-untyped-def]
    with clinic_scope(world.a):
        with pytest.raises(ValidationError) as bad:
            _family_training(world, minutes=None, caregiver_ids=[], child_present=False)
        assert {"minutes", "caregiver_ids", "child_present"} <= set(bad.value.message_dict)
        with pytest.raises(ValidationError) as bad:
            _family_training(world, caregiver_ids=[world.caregiver_b.pk])
        assert "caregiver_ids" in bad.value.message_dict  # another family's caregiver
        with pytest.raises(ValidationError) as bad:
            _family_training(world, delivered_on=timezone.localdate() + timedelta(days=1))
        assert "delivered_on" in bad.value.message_dict
        assert not ServiceEntry.objects.exists()
        with pytest.raises(PermissionDenied):
            services.service_log(
                actor=staff_actor(world, "billing"),
                child=world.child_a,
                service_type="ror-book",
                delivered_on=timezone.localdate(),
                minutes=None,
                place="clinic",
                delivered_by_id=world.staff_a["billing"].pk,
                child_present=True,
                caregiver_ids=[],
            )


def test_changing_or_voiding_a_service_keeps_its_history(world):  # type: ignore[no-untyped-def]
    specialist = staff_actor(world, "dyadic_specialist")
    with clinic_scope(world.a):
        entry = _family_training(world)
        entry = services.service_change(
            actor=specialist, entry=entry, reason="It was 40", changes={"minutes": 40}
        )
        assert entry.version == 2 and entry.minutes == 40
        revision = ServiceRevision.objects.get(entry=entry)
        assert revision.snapshot["minutes"] == 35 and revision.reason == "It was 40"
        services.service_void(actor=specialist, entry=entry, reason="Wrong child")
        entry.refresh_from_db()
        assert entry.voided_at is not None and entry.void_reason == "Wrong child"
        with pytest.raises(ValidationError):
            services.service_change(actor=specialist, entry=entry, reason="x", changes={"minutes": 20})
        assert ServiceEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "reads"),
    [
        ("front_desk", False),
        ("billing", False),
        ("family_partner", False),
        ("clinic_admin", False),
        ("dyadic_specialist", True),
        ("pediatric_clinician", True),
    ],
)
def test_a_psy_note_is_read_only_by_those_who_read_psy_results(world, role, reads):  # type: ignore[no-untyped-def]
    with clinic_scope(world.a):
        services.note_write(
            actor=staff_actor(world, "dyadic_specialist"),
            child=world.child_a,
            text="Mother's panic attacks",
            sensitivity=["PSY"],
            caregiver=world.caregiver_a,
        )
        page = selectors.care_page(actor=staff_actor(world, role), child_id=world.child_a.pk)
        (note,) = page.notes
        assert note.readable is reads
        assert ("panic" in note.text) is reads


@pytest.mark.parametrize(
    ("role", "depression", "food"),
    [("front_desk", False, False), ("billing", False, False), ("family_partner", False, True),
     ("dyadic_specialist", True, True)],
)  # fmt: skip
def test_a_goal_is_read_as_the_results_of_its_need(world, role, depression, food):  # type: ignore[no-untyped-def]
    specialist = staff_actor(world, "dyadic_specialist")
    me = world.staff_a["dyadic_specialist"].pk
    day = timezone.localdate() + timedelta(days=7)
    with clinic_scope(world.a):
        plan = services.plan_open(actor=specialist, child=world.child_a, language="en", next_review_on=day)
        services.goal_add(actor=specialist, plan=plan, need="", text="", steps="", owner_id=me, review_on=day,
                          template="caregiver-mood")  # fmt: skip
        services.goal_add(actor=specialist, plan=plan, need="family-needs", text="Apply for WIC", steps="",
                          owner_id=me, review_on=day)  # fmt: skip
        with pytest.raises(ValidationError) as bad:
            services.goal_add(actor=specialist, plan=plan, need="astrology", text="x", steps="", owner_id=me,
                              review_on=day)  # fmt: skip
        assert "need" in bad.value.message_dict
        page = selectors.care_page(actor=staff_actor(world, role), child_id=world.child_a.pk)
        shown = {g.need: g.shown_text for g in page.goals}
        assert (shown["maternal-depression"].startswith("I will feel less down")) is depression
        assert (shown["family-needs"] == "Apply for WIC") is food
