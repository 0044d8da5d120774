"""Exporting released lines: a batch with its file, the lines marked, the same bytes again."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from dyadcare.billing.export import batches
from dyadcare.billing.export.validate import problems
from dyadcare.billing.models import ClaimBatch, ClaimLine, ClaimLineChange
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope, unscoped
from tests import factories
from tests.billing import export_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> factories.ClinicWorld:
    world = factories.clinic_world()
    export_data.ready_clinic(world.a)
    return world


def _lines(world: factories.ClinicWorld) -> list[ClaimLine]:
    specialist, clinician = world.staff_a["dyadic_specialist"], world.staff_a["pediatric_clinician"]
    export_data.profile(world.a, specialist, export_data.NPIS[0])
    export_data.profile(world.a, clinician, export_data.NPIS[1], licence_type="md")
    maya = factories.child(world.a, given_name="Maya", medi_cal_id="91234567A")
    leo = factories.child(world.a, given_name="Leo", medi_cal_id="92345678B")
    return [
        export_data.line(world.a, maya, clinician),
        export_data.line(world.a, maya, specialist, code="H2015", modifiers=(), units=2),
        export_data.line(world.a, leo, clinician, code="G8510", day=date(2025, 11, 10)),
        export_data.line(world.a, leo, clinician, code="G8510", day=date(2025, 11, 11), status="held"),
    ]


def test_an_837p_batch_passes_pyx12_marks_its_lines_and_downloads_the_same_bytes(world) -> None:
    made = _lines(world)
    actor = factories.staff_actor(world, "billing")
    with clinic_scope(world.a):
        batch = batches.batch_export(actor=actor, fmt="837p")
        first = batches.batch_file(actor=actor, batch_id=batch.pk)
        again = batches.batch_file(actor=actor, batch_id=batch.pk)
        statuses = dict(ClaimLine.objects.values_list("pk", "status"))
        changes = ClaimLineChange.objects.filter(why="exported").count()
    text = first.content.decode("ascii")
    assert problems(text) == []
    assert first.content == again.content
    assert hashlib.sha256(first.content).hexdigest() == batch.file_sha256
    assert batch.line_count == 3 and batch.control_number == 1 and batch.made_by == world.staff_a["billing"]
    assert [statuses[line.pk] for line in made] == ["exported", "exported", "exported", "held"]
    assert changes == 3
    assert text.count("CLM*") == 2  # Maya on the 3rd (two lines), Leo on the 10th
    assert "NM1*IL*1*GARCIA*MAYA****MI*91234567A~" in text
    assert "HI*ABK:Z1331*ABF:Z00129~" in text
    with unscoped("test"):
        assert AuditEvent.objects.filter(action="billing.lines_exported", object_id=str(batch.pk)).exists()
    # nothing left to export: a second export is refused and writes nothing
    with clinic_scope(world.a), pytest.raises(ValidationError):
        batches.batch_export(actor=actor, fmt="csv")
    with clinic_scope(world.a):
        assert ClaimBatch.objects.count() == 1


def test_a_csv_batch_has_one_row_per_line(world) -> None:
    _lines(world)
    actor = factories.staff_actor(world, "billing")
    with clinic_scope(world.a):
        batch = batches.batch_export(actor=actor, fmt="csv", date_until=date(2025, 11, 5))
        rows = list(
            csv.DictReader(io.StringIO(batches.batch_file(actor=actor, batch_id=batch.pk).content.decode()))
        )
    assert batch.control_number is None
    assert sorted(r["code"] for r in rows) == ["G8431", "H2015"]
    g8431 = next(r for r in rows if r["code"] == "G8431")
    assert g8431["medi_cal_id"] == "91234567A" and g8431["modifiers"] == "HD"
    assert g8431["rendering_npi"] == export_data.NPIS[1] and g8431["billing_npi"] == "1003000126"
    assert g8431["diagnosis_codes"] == "Z13.31"


def test_an_837p_without_the_clinic_details_is_refused_with_what_is_missing(world) -> None:
    _lines(world)
    world.a.tax_id = ""
    world.a.save()
    actor = factories.staff_actor(world, "billing")
    with clinic_scope(world.a):
        with pytest.raises(ValidationError) as refused:
            batches.batch_export(actor=actor, fmt="837p")
        assert not ClaimBatch.objects.exists()
        assert ClaimLine.objects.filter(status="released").count() == 3
    assert "tax ID" in str(refused.value)


def test_only_billing_staff_export_and_another_clinics_batch_is_not_found(world) -> None:
    _lines(world)
    with clinic_scope(world.a), pytest.raises(PermissionDenied):
        batches.batch_export(actor=factories.staff_actor(world, "dyadic_specialist"), fmt="csv")
    with clinic_scope(world.a):
        batch = batches.batch_export(actor=factories.staff_actor(world, "billing"), fmt="csv")
    assert world.admin_b is not None
    other = Actor.for_staff(world.admin_b, clinic=world.b, roles=("clinic_admin",))
    with clinic_scope(world.b), pytest.raises(Http404):
        batches.batch_file(actor=other, batch_id=batch.pk)
