"""Bad input gets a clear message at its field and nothing is saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dyadcare.families.models import Caregiver, Child
from dyadcare.families.services import child_save
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.scope import clinic_scope
from tests.factories import ClinicWorld


def _child(world: ClinicWorld, **fields: object) -> Child:
    values: dict[str, object] = {
        "given_name": "Luz",
        "family_name": "Ochoa",
        "date_of_birth": date(2025, 5, 1),
        "sex": "F",
        "mrn": "X-1",
    }
    values.update(fields)
    return Child(clinic=world.a, **values)


def _errors(world: ClinicWorld, child: Child) -> dict[str, list[str]]:
    actor = Actor.for_staff(world.staff_a["front_desk"], clinic=world.a, roles=("front_desk",))
    with clinic_scope(world.a):
        before = Child.objects.count()
        with pytest.raises(ValidationError) as caught:
            child_save(actor=actor, child=child)
        assert Child.objects.count() == before, "nothing is saved"
    return caught.value.message_dict


def test_birth_date_in_the_future(world: ClinicWorld) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert "date_of_birth" in _errors(world, _child(world, date_of_birth=tomorrow))


@pytest.mark.parametrize("days", [22 * 7 - 1, 45 * 7])
def test_gestational_age_outside_22_0_to_44_6(world: ClinicWorld, days: int) -> None:
    assert "gestational_age_days" in _errors(world, _child(world, gestational_age_days=days))


def test_malformed_medi_cal_id(world: ClinicWorld) -> None:
    assert "medi_cal_id" in _errors(world, _child(world, medi_cal_id="12345"))


def test_duplicate_mrn_in_the_clinic(world: ClinicWorld) -> None:
    assert world.child_a
    assert "mrn" in _errors(world, _child(world, mrn=world.child_a.mrn))


def test_the_same_mrn_in_another_clinic_is_fine(world: ClinicWorld) -> None:
    assert world.child_b
    actor = Actor.for_staff(world.staff_a["front_desk"], clinic=world.a, roles=("front_desk",))
    with clinic_scope(world.a):
        saved = child_save(actor=actor, child=_child(world, mrn=world.child_b.mrn, medi_cal_id="9123 4567 b"))
    assert saved.medi_cal_id == "91234567B"
    assert saved.household_id is not None, "a new child gets a household"
    assert saved.search_name == "ochoa luz"


def test_duplicate_medi_cal_id_in_the_clinic(world: ClinicWorld) -> None:
    actor = Actor.for_staff(world.staff_a["front_desk"], clinic=world.a, roles=("front_desk",))
    with clinic_scope(world.a):
        child_save(actor=actor, child=_child(world, mrn="Y-1", medi_cal_id="91234567C"))
    assert "medi_cal_id" in _errors(world, _child(world, mrn="Y-2", medi_cal_id="91234567c"))


def test_declined_cannot_be_combined(world: ClinicWorld) -> None:
    assert "race_ethnicity" in _errors(world, _child(world, race_ethnicity=["declined", "white"]))
    assert "race_ethnicity" in _errors(world, _child(world, race_ethnicity=["martian"]))


def test_a_role_without_edit_permission_cannot_save(world: ClinicWorld) -> None:
    from django.core.exceptions import PermissionDenied

    actor = Actor.for_staff(world.staff_a["billing"], clinic=world.a, roles=("billing",))
    with clinic_scope(world.a), pytest.raises(PermissionDenied):
        child_save(actor=actor, child=_child(world))


def test_caregiver_consent_needs_a_way_to_reach_them(world: ClinicWorld) -> None:
    caregiver = Caregiver(
        clinic=world.a, given_name="A", family_name="B", consent_sms=True, consent_email=True
    )
    with clinic_scope(world.a), pytest.raises(ValidationError) as caught:
        caregiver.full_clean()
    assert {"consent_sms", "consent_email"} <= caught.value.message_dict.keys()
