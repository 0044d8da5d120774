"""Possible duplicates at registration, and merging two records of one child (and undoing it)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dyadcare.families import selectors, services
from dyadcare.families.models import Caregiver, CareRelationship, Child, ChildMerge, DuplicateOverride
from dyadcare.screening.models import Flag, ScreeningResult, ScreeningSession
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints.models import Visit
from tests import factories
from tests.factories import ClinicWorld, staff_actor


def _new(world: ClinicWorld, **fields: object) -> Child:
    assert world.child_a
    values: dict[str, object] = {
        "given_name": "ANA",
        "family_name": "Ramirez",  # no accent, upper case: the same name as Ana Ramírez
        "date_of_birth": world.child_a.date_of_birth,
        "sex": "F",
        "mrn": "NEW-77",
    }
    values.update(fields)
    return Child(clinic=world.a, **values)


def test_the_same_child_typed_differently_is_a_possible_duplicate(world: ClinicWorld) -> None:
    actor = staff_actor(world, "front_desk")
    with clinic_scope(world.a):
        with pytest.raises(services.PossibleDuplicates) as caught:
            services.child_save(actor=actor, child=_new(world))
        assert [d.record for d in caught.value.duplicates] == [world.child_a]
        assert Child.objects.count() == 1, "nothing is saved without a reason"
        # Names swapped (first and last) are the same name too.
        with pytest.raises(services.PossibleDuplicates):
            services.child_save(actor=actor, child=_new(world, given_name="Ramírez", family_name="ana"))


def test_a_reason_registers_anyway_and_is_recorded_and_audited(world: ClinicWorld) -> None:
    actor = staff_actor(world, "front_desk")
    with clinic_scope(world.a):
        saved = services.child_save(
            actor=actor, child=_new(world), duplicate_reason="  Twin sister, same name  "
        )
        override = DuplicateOverride.objects.get(child=saved)
        assert override.reason == "Twin sister, same name"
        assert override.possible_duplicates == [str(world.child_a.pk)]  # type: ignore[union-attr]
        assert override.recorded_by == world.staff_a["front_desk"]
        entry = AuditEvent.objects.get(action="families.duplicate_overridden", object_id=str(saved.pk))
        assert str(world.child_a.pk) in entry.summary  # type: ignore[union-attr]


def test_other_children_are_not_duplicates(world: ClinicWorld) -> None:
    actor = staff_actor(world, "front_desk")
    with clinic_scope(world.a):
        # Same birthday, nothing else in common; same name in another clinic: not a duplicate.
        services.child_save(actor=actor, child=_new(world, given_name="Zoe", family_name="Wu", mrn="N-1"))
        assert world.child_b
        bea = _new(
            world, given_name="Bea", family_name="Brown", mrn="N-2", date_of_birth=world.child_b.date_of_birth
        )
        services.child_save(actor=actor, child=bea)
        assert not DuplicateOverride.objects.exists()


def test_same_birth_date_and_caregiver_is_a_possible_duplicate(world: ClinicWorld) -> None:
    assert world.caregiver_a and world.child_a
    actor = staff_actor(world, "front_desk")
    with clinic_scope(world.a):
        sibling = _new(world, given_name="Sol", family_name="Vega")
        with pytest.raises(services.PossibleDuplicates) as caught:
            services.sibling_register(
                actor=actor, child=sibling, sibling_of=world.child_a, caregiver_ids=[world.caregiver_a.pk]
            )
        assert "caregiver" in str(caught.value.duplicates[0].reasons[0])
        # A sibling born on another day, with the same caregiver, is no duplicate.
        later = _new(world, given_name="Sol", family_name="Vega", date_of_birth=date(2026, 1, 2))
        services.sibling_register(
            actor=actor, child=later, sibling_of=world.child_a, caregiver_ids=[world.caregiver_a.pk]
        )
        assert not DuplicateOverride.objects.exists()


def test_a_caregiver_with_a_known_phone_is_a_possible_duplicate(world: ClinicWorld) -> None:
    assert world.caregiver_a
    actor = staff_actor(world, "front_desk")
    with clinic_scope(world.a):
        other = Caregiver(clinic=world.a, given_name="Rosa", family_name="Luna", phone="(510) 555-0123")
        with pytest.raises(services.PossibleDuplicates) as caught:
            services.caregiver_save(actor=actor, caregiver=other)
        assert world.caregiver_a in [d.record for d in caught.value.duplicates]
        fresh = Caregiver(clinic=world.a, given_name="Rosa", family_name="Luna", phone="(510) 555-0999")
        services.caregiver_save(actor=actor, caregiver=fresh)
        assert fresh.pk is not None


def _rows(child: Child) -> dict[str, int]:
    return {
        "visits": Visit.objects.filter(child=child).count(),
        "sessions": ScreeningSession.objects.filter(child=child).count(),
        "results": ScreeningResult.objects.filter(child=child).count(),
        "flags": Flag.objects.filter(child=child).count(),
        "links": CareRelationship.objects.filter(child=child).count(),
    }


def test_merge_moves_everything_and_undo_puts_it_back(world: ClinicWorld) -> None:
    assert world.child_a and world.caregiver_a
    keep = factories.child(
        world.a, given_name="Ana", family_name="Ramírez", date_of_birth=world.child_a.date_of_birth
    )
    shared = factories.caregiver(world.a, given_name="Otra", family_name="Persona", phone="+15105550999")
    with clinic_scope(world.a):
        CareRelationship.objects.create(
            clinic=world.a, child=keep, caregiver=world.caregiver_a, relationship="mother"
        )
        CareRelationship.objects.create(clinic=world.a, child=keep, caregiver=shared, relationship="aunt")
        before = _rows(world.child_a)
        assert before["visits"] and before["results"] and before["flags"] and before["sessions"]
        admin = staff_actor(world, "clinic_admin")
        assert [d.record for d in selectors.child_possible_duplicates(actor=admin, child=keep)] == [
            world.child_a
        ]
        merge = services.child_merge(
            actor=admin, survivor=keep, retired=world.child_a, reason="Same baby, two MRNs"
        )
        moved = _rows(keep)
        # The mother was linked to both: her link to the retired record stays there.
        assert moved == {**before, "links": 3}
        assert _rows(world.child_a) == {"visits": 0, "sessions": 0, "results": 0, "flags": 0, "links": 1}
        assert list(selectors.child_search(actor=admin, query="ramirez")) == [keep]
        assert AuditEvent.objects.filter(action="families.merged", object_id=str(merge.pk)).exists()

        services.child_merge_undo(actor=admin, merge_id=merge.pk)
        assert _rows(world.child_a) == before
        assert _rows(keep)["visits"] == 0 and _rows(keep)["links"] == 2
        world.child_a.refresh_from_db()
        assert world.child_a.merged_into_id is None
        assert len(list(selectors.child_search(actor=admin, query="ramirez"))) == 2
        assert AuditEvent.objects.filter(action="families.merge_undone", object_id=str(merge.pk)).exists()
        with pytest.raises(ValidationError, match="undone already"):
            services.child_merge_undo(actor=admin, merge_id=merge.pk)


def test_undo_ends_with_its_period(world: ClinicWorld) -> None:
    assert world.child_a
    keep = factories.child(world.a, given_name="Ana", family_name="Ramírez")
    admin = staff_actor(world, "clinic_admin")
    with clinic_scope(world.a):
        merge = services.child_merge(actor=admin, survivor=keep, retired=world.child_a, reason="Same child")
        assert merge.undo_until - timezone.now() > timedelta(days=29)
        ChildMerge.objects.filter(pk=merge.pk).update(undo_until=timezone.now() - timedelta(seconds=1))
        with pytest.raises(ValidationError, match="period has ended"):
            services.child_merge_undo(actor=admin, merge_id=merge.pk)
        assert Visit.objects.filter(child=keep).exists()


def test_only_a_clinic_administrator_merges_and_a_reason_is_needed(world: ClinicWorld) -> None:
    assert world.child_a
    keep = factories.child(world.a, given_name="Ana", family_name="Ramírez")
    with clinic_scope(world.a):
        with pytest.raises(PermissionDenied):
            services.child_merge(
                actor=staff_actor(world, "dyadic_specialist"),
                survivor=keep,
                retired=world.child_a,
                reason="x",
            )
        admin = staff_actor(world, "clinic_admin")
        with pytest.raises(ValidationError) as caught:
            services.child_merge(actor=admin, survivor=keep, retired=world.child_a, reason="   ")
        assert "reason" in caught.value.message_dict
        with pytest.raises(ValidationError):
            services.child_merge(actor=admin, survivor=keep, retired=keep, reason="same")
        assert Visit.objects.filter(child=world.child_a).exists()


def test_a_merged_record_takes_no_new_visit_and_its_mrn_books_on_the_record_kept(world: ClinicWorld) -> None:
    from dyadcare.touchpoints.services import appointments_import, visit_schedule

    assert world.child_a
    keep = factories.child(world.a, given_name="Ana", family_name="Ramírez")
    admin = staff_actor(world, "clinic_admin")
    with clinic_scope(world.a):
        services.child_merge(actor=admin, survivor=keep, retired=world.child_a, reason="Same child")
        when = timezone.now() + timedelta(days=3)
        with pytest.raises(ValidationError, match="merged into another record"):
            visit_schedule(actor=admin, child=world.child_a, scheduled_for=when)
        day = (timezone.localdate() + timedelta(days=4)).isoformat()
        result = appointments_import(
            actor=admin, clinic=world.a, text=f"date,time,mrn\n{day},09:00,{world.child_a.mrn}\n"
        )
        assert [v.child_id for v in result.created] == [keep.pk]
