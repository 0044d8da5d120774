"""Claim lines derived in the app on a real database: they follow their source (one line per
source and slot, updated or voided, never doubled), the fixes release held lines, and the
worklist says why each is held and what releases it."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dyadcare.billing import selectors, services
from dyadcare.billing.export import batches
from dyadcare.billing.models import ClaimLine, ClaimLineChange
from dyadcare.billing.selectors import Filters
from dyadcare.care import services as care
from dyadcare.care.models import ServiceEntry
from dyadcare.screening import services as screening
from dyadcare.screening.events import ResultRecorded
from dyadcare.screening.models import Flag, ScreeningResult
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import AuditEvent
from dyadcare.tenancy.events import emit
from dyadcare.tenancy.models import Credential
from dyadcare.tenancy.scope import clinic_scope, unscoped
from tests import factories
from tests.factories import ClinicWorld, staff_actor

pytestmark = pytest.mark.django_db
NPI = "1234567893"


@pytest.fixture
def billing_world(world: ClinicWorld) -> ClinicWorld:
    """Clinic A's dyadic specialist is an LCSW with an NPI; the child has a Medi-Cal ID."""
    Credential.objects.filter(user=world.staff_a["dyadic_specialist"]).update(licence_type="lcsw", npi=NPI)
    Credential.objects.filter(user=world.staff_a["pediatric_clinician"]).update(licence_type="md", npi=NPI)
    with unscoped("test data"):
        assert world.child_a is not None
        world.child_a.medi_cal_id = "91234567A"
        world.child_a.save(update_fields=["medi_cal_id"])
    return world


def _log(world: ClinicWorld, commit: Any, **changes: object) -> ServiceEntry:
    assert world.child_a and world.caregiver_a
    values: dict[str, object] = {
        "service_type": "family-training",
        "delivered_on": timezone.localdate() - timedelta(days=3),
        "minutes": 7,
        "place": "clinic",
        "delivered_by_id": world.staff_a["dyadic_specialist"].pk,
        "child_present": True,
        "caregiver_ids": [world.caregiver_a.pk],
    }
    values.update(changes)
    with commit(execute=True):
        return care.service_log(actor=staff_actor(world, "dyadic_specialist"), child=world.child_a, **values)  # type: ignore[arg-type]


def _lines_of(source_id: object) -> list[ClaimLine]:
    return list(ClaimLine.objects.filter(source_id=source_id))


def test_a_services_line_follows_its_minutes_and_its_void(
    billing_world: ClinicWorld, django_capture_on_commit_callbacks: Any
) -> None:
    world, commit = billing_world, django_capture_on_commit_callbacks
    specialist = staff_actor(world, "dyadic_specialist")
    with clinic_scope(world.a):
        entry = _log(world, commit)
        (line,) = _lines_of(entry.pk)
        assert (line.code, line.units, line.status) == ("T1027", 0, "held")
        assert line.reasons == [{"code": "under-minimum-minutes", "params": {"minutes": 7, "needed": 8}}]
        with commit(execute=True):
            entry = care.service_change(
                actor=specialist, entry=entry, reason="It was 8", changes={"minutes": 8}
            )
        (same,) = _lines_of(entry.pk)
        assert (same.pk, same.units, same.status, same.reasons) == (line.pk, 1, "ready", [])
        with commit(execute=True):
            entry = care.service_change(
                actor=specialist, entry=entry, reason="It was 23", changes={"minutes": 23}
            )
        (same,) = _lines_of(entry.pk)
        assert (same.pk, same.units) == (line.pk, 2)
        with commit(execute=True):
            care.service_void(actor=specialist, entry=entry, reason="Wrong child")
        (same,) = _lines_of(entry.pk)
        assert (same.pk, same.status) == (line.pk, "voided")
        whys = list(
            ClaimLineChange.objects.filter(line=line)
            .order_by("created_at", "id")
            .values_list("why", flat=True)
        )
        assert whys == ["evaluated", "source-changed", "source-changed", "source-voided"]


def test_evaluating_again_never_doubles_a_line(
    billing_world: ClinicWorld, django_capture_on_commit_callbacks: Any
) -> None:
    world = billing_world
    admin = staff_actor(world, "clinic_admin")
    with clinic_scope(world.a):
        entry = _log(world, django_capture_on_commit_callbacks, minutes=30)
        services.lines_refresh(actor=admin)
        outcome = services.lines_refresh(actor=admin)
        assert outcome.created == 0 and len(_lines_of(entry.pk)) == 1


def test_a_community_health_worker_as_renderer_is_held(
    billing_world: ClinicWorld, django_capture_on_commit_callbacks: Any
) -> None:
    world = billing_world
    Credential.objects.filter(user=world.staff_a["family_partner"]).update(licence_type="chw", npi=NPI)
    with clinic_scope(world.a):
        entry = _log(
            world,
            django_capture_on_commit_callbacks,
            service_type="community-supports",
            minutes=30,
            delivered_by_id=world.staff_a["family_partner"].pk,
        )
        (line,) = _lines_of(entry.pk)
        assert (line.code, line.status, [r["code"] for r in line.reasons]) == (
            "H2015",
            "held",
            ["renderer-not-eligible"],
        )


def test_a_child_without_a_cin_is_held_until_billing_adds_it(
    billing_world: ClinicWorld, django_capture_on_commit_callbacks: Any
) -> None:
    world = billing_world
    billing = staff_actor(world, "billing")
    with unscoped("test data"):
        assert world.child_a is not None
        world.child_a.medi_cal_id = ""
        world.child_a.save(update_fields=["medi_cal_id"])
    with clinic_scope(world.a):
        entry = _log(world, django_capture_on_commit_callbacks, minutes=30)
        (line,) = _lines_of(entry.pk)
        assert [r["code"] for r in line.reasons] == ["no-medi-cal-id"]
        row = selectors.worklist(actor=billing, filters=Filters(reason="no-medi-cal-id")).rows[0]
        assert row.reasons[0].fix_kind == "coverage" and "Medi-Cal ID" in row.reasons[0].fix
        with pytest.raises(ValidationError):
            services.coverage_set(actor=billing, child_id=world.child_a.pk, medi_cal_id="12345")
        services.coverage_set(actor=billing, child_id=world.child_a.pk, medi_cal_id="91234567a")
        line.refresh_from_db()
        assert (line.status, line.medi_cal_id) == ("ready", "91234567A")
        services.coverage_set(
            actor=billing, child_id=world.child_a.pk, medi_cal_id="91234567A", enrolled=False
        )
        line.refresh_from_db()
        assert (line.status, [r["code"] for r in line.reasons]) == ("held", ["child-not-enrolled"])


def _pearls(world: ClinicWorld, commit: Any, *, score: int, by: str) -> ScreeningResult:
    assert world.visit_a and world.child_a
    with unscoped("test data"):
        result = ScreeningResult.objects.create(
            clinic=world.a,
            visit=world.visit_a,
            child=world.child_a,
            instrument_id="pearls-child",
            respondent="caregiver-about-child",
            answers=[],
            total=score,
            positive=score >= 4,
            entered_by=world.staff_a[by],
            scored_at=timezone.now(),
        )
    with commit(execute=True):
        emit(
            ResultRecorded(
                clinic_id=world.a.pk,
                result_id=result.pk,
                child_id=result.child_id,
                visit_id=result.visit_id,
                instrument_id="pearls-child",
                category="aces",
                positive=result.positive,
            )
        )
    return result


def test_an_unattested_provider_holds_the_ace_line_until_the_attestation_is_recorded(
    billing_world: ClinicWorld, django_capture_on_commit_callbacks: Any
) -> None:
    world = billing_world
    billing = staff_actor(world, "billing")
    with clinic_scope(world.a):
        result = _pearls(world, django_capture_on_commit_callbacks, score=5, by="pediatric_clinician")
        (line,) = _lines_of(result.pk)
        assert (line.code, line.status, [r["code"] for r in line.reasons]) == (
            "G9919",
            "held",
            ["provider-not-aces-attested"],
        )
        services.provider_set(
            actor=billing,
            user_id=world.staff_a["pediatric_clinician"].pk,
            aces_aware_attested_on=date(2024, 5, 1),
        )
        line.refresh_from_db()
        assert line.status == "ready"
        with pytest.raises(ValidationError):
            services.provider_set(actor=billing, user_id=world.staff_a["pediatric_clinician"].pk, npi="123")


def test_a_positive_maternal_screen_waits_for_its_follow_up_plan(
    billing_world: ClinicWorld, django_capture_on_commit_callbacks: Any
) -> None:
    world, commit = billing_world, django_capture_on_commit_callbacks
    assert world.child_a and world.caregiver_a
    with unscoped("test data"):
        world.child_a.date_of_birth = timezone.localdate() - timedelta(days=60)
        world.child_a.save(update_fields=["date_of_birth"])
        visit = factories.visit(world.a, world.child_a, clinician=world.staff_a["pediatric_clinician"])
        result = ScreeningResult.objects.create(
            clinic=world.a,
            visit=visit,
            child=world.child_a,
            caregiver=world.caregiver_a,
            instrument_id="epds",
            respondent="caregiver-self",
            answers=[],
            total=14,
            positive=True,
            scored_at=timezone.now(),
        )
        flag = Flag.objects.create(
            clinic=world.a,
            result=result,
            visit=visit,
            child=world.child_a,
            severity=Flag.Severity.FOLLOW_UP,
            reason="EPDS 14",
            raised_at=timezone.now(),
        )
    with clinic_scope(world.a):
        with commit(execute=True):
            emit(
                ResultRecorded(
                    clinic_id=world.a.pk,
                    result_id=result.pk,
                    child_id=result.child_id,
                    visit_id=visit.pk,
                    instrument_id="epds",
                    category="maternal-depression",
                    positive=True,
                )
            )
        (line,) = _lines_of(result.pk)
        assert (line.code, line.modifiers, line.status) == ("G8431", ["HD"], "held")
        assert line.rendering_id == world.staff_a["pediatric_clinician"].pk
        with commit(execute=True):
            screening.flag_resolve(
                actor=staff_actor(world, "pediatric_clinician"),
                flag=flag,
                note="Referred to the dyadic specialist; call in a week",
            )
        line.refresh_from_db()
        assert line.status == "ready"


def test_release_void_and_export_and_what_re_evaluation_leaves_alone(
    billing_world: ClinicWorld, django_capture_on_commit_callbacks: Any
) -> None:
    world, commit = billing_world, django_capture_on_commit_callbacks
    billing = staff_actor(world, "billing")
    specialist = staff_actor(world, "dyadic_specialist")
    with clinic_scope(world.a):
        held_entry = _log(world, commit, minutes=7)
        ready_entry = _log(world, commit, minutes=30, service_type="psychoeducation")
        (held,) = _lines_of(held_entry.pk)
        (ready,) = _lines_of(ready_entry.pk)
        with pytest.raises(ValidationError):
            services.lines_release(actor=billing, line_ids=[held.pk])
        services.lines_release(actor=billing, line_ids=[ready.pk])
        services.lines_refresh(actor=billing)
        ready.refresh_from_db()
        assert ready.status == "released"
        services.line_void(actor=billing, line_id=held.pk, reason="Not billable: 7 minutes")
        with commit(execute=True):
            care.service_change(actor=specialist, entry=held_entry, reason="typo", changes={"minutes": 9})
        held.refresh_from_db()
        assert (held.status, held.units) == ("voided", 0)  # a person voided it: it stays void
        batch = services.batch_record(
            actor=billing, format="csv", line_ids=[ready.pk], file_name="a.csv", file_sha256="0" * 64
        )
        with commit(execute=True):
            care.service_change(actor=specialist, entry=ready_entry, reason="longer", changes={"minutes": 45})
        ready.refresh_from_db()
        assert (ready.status, ready.units, ready.batch_id) == ("exported", 2, batch.pk)
        with commit(execute=True):
            care.service_void(actor=specialist, entry=ready_entry, reason="wrong")
        ready.refresh_from_db()
        assert ready.status == "exported" and {"code": "source-voided-after-export"} in ready.notes
        history = selectors.line_history(actor=billing, line_id=ready.pk)
        assert [c.why for c in history.changes] == [
            "evaluated",
            "released",
            "exported",
            "source-voided-after-export",
        ]
        assert AuditEvent.objects.filter(action="billing.lines_exported").count() == 1


def test_a_fqhc_clinic_notes_its_dyadic_lines(
    billing_world: ClinicWorld, django_capture_on_commit_callbacks: Any
) -> None:
    world = billing_world
    with clinic_scope(world.a):
        entry = _log(world, django_capture_on_commit_callbacks, minutes=30)
        with pytest.raises(PermissionDenied):
            services.settings_set(actor=staff_actor(world, "billing"), clinic_type="fqhc")
        services.settings_set(actor=staff_actor(world, "clinic_admin"), clinic_type="fqhc")
        (line,) = _lines_of(entry.pk)
        assert {"code": "fqhc.dyadic-ffs", "params": {"clinic_type": "fqhc"}} in line.notes
        assert line.status == "ready"


def test_an_inferred_rule_may_be_turned_off_and_a_verified_one_may_not(
    billing_world: ClinicWorld, django_capture_on_commit_callbacks: Any
) -> None:
    world = billing_world
    admin = staff_actor(world, "clinic_admin")
    with clinic_scope(world.a):
        entry = _log(world, django_capture_on_commit_callbacks, minutes=30)
        with pytest.raises(ValidationError):
            services.rule_override_set(actor=admin, rule_id="ace-high", enabled=False, reason="x")
        services.rule_override_set(
            actor=admin, rule_id="family-training", enabled=False, reason="Plan bills T1027 differently"
        )
        (line,) = _lines_of(entry.pk)
        assert line.status == "voided"
        assert any(c.id == "family-training" for c in selectors.overridable_rules(actor=admin))


def test_the_worklist_is_billings_and_another_clinics_line_is_not_found(
    billing_world: ClinicWorld, django_capture_on_commit_callbacks: Any
) -> None:
    world = billing_world
    with clinic_scope(world.a):
        entry = _log(world, django_capture_on_commit_callbacks, minutes=7)
        (line,) = _lines_of(entry.pk)
        page = selectors.worklist(actor=staff_actor(world, "billing"))
        # The world's PHQ-9 of the 22-month-old's father is a maternal screen after the first year.
        assert page.counts["held"] == 2 and page.total == 2
        rows = {row.line.code: row for row in page.rows}
        assert "first birthday" in rows["G8510"].reasons[0].text
        assert "7 minutes" in rows["T1027"].reasons[0].text
        assert any("unverified" in note for note in rows["T1027"].notes)
        assert (
            selectors.worklist(actor=staff_actor(world, "billing"), filters=Filters(code="t1027")).total == 1
        )
        with pytest.raises(PermissionDenied):
            selectors.worklist(actor=staff_actor(world, "front_desk"))
    assert world.admin_b is not None
    other = Actor.for_staff(world.admin_b, clinic=world.b, roles=("billing",))
    with clinic_scope(world.b):
        with pytest.raises(ClaimLine.DoesNotExist):
            selectors.line_history(actor=other, line_id=line.pk)
        with pytest.raises(ClaimLine.DoesNotExist):
            services.line_void(actor=other, line_id=line.pk, reason="x")
        assert selectors.worklist(actor=other).total == 0


def _families_with_services(world: ClinicWorld, count: int) -> None:
    with unscoped("test data"):
        for _n in range(count):
            kid = factories.child(
                world.a, date_of_birth=timezone.localdate() - timedelta(days=200), medi_cal_id=""
            )
            ServiceEntry.objects.create(
                clinic=world.a,
                child=kid,
                service_type="psychoeducation",
                delivered_on=timezone.localdate(),
                minutes=30,
                place="clinic",
                delivered_by=world.staff_a["dyadic_specialist"],
                recorded_by=world.staff_a["dyadic_specialist"],
            )


def test_refreshing_reads_a_fixed_number_of_queries_whatever_the_families(
    billing_world: ClinicWorld,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = billing_world
    admin = staff_actor(world, "clinic_admin")
    counts = []
    with clinic_scope(world.a):
        for more in (1, 3, 12):  # the first run warms what is read once per process
            _families_with_services(world, more)
            ClaimLine.objects.all().delete()
            with CaptureQueriesContext(connection) as queries:
                services.lines_refresh(actor=admin)
            counts.append(len(queries))
        assert ClaimLine.objects.filter(code="H2027").count() == 16
    assert counts[1] == counts[2], counts


def test_export_lines_carry_the_npi_and_the_diagnosis_the_clinic_chose(
    billing_world: ClinicWorld, django_capture_on_commit_callbacks: Any
) -> None:
    world = billing_world
    billing, admin = staff_actor(world, "billing"), staff_actor(world, "clinic_admin")
    with clinic_scope(world.a):
        entry = _log(world, django_capture_on_commit_callbacks, minutes=30)
        (line,) = _lines_of(entry.pk)
        assert line.diagnosis_codes == ["Z63.8"]  # the rule set's unverified default for T1027
        services.settings_set(actor=admin, z_codes={"T1027": ["Z65.9", "Z63.8"]})
        line.refresh_from_db()
        assert line.diagnosis_codes == ["Z65.9", "Z63.8"]
        services.lines_release(actor=billing, line_ids=[line.pk])
        batch = batches.batch_export(actor=billing, fmt="csv")
        download = batches.batch_file(actor=billing, batch_id=batch.pk)
    (row,) = csv.DictReader(io.StringIO(download.content.decode()))
    assert (row["line_id"], row["code"], row["rendering_npi"]) == (str(line.pk), "T1027", NPI)
    assert row["diagnosis_codes"] == "Z65.9 Z63.8"
