"""Billing's surfaces read a labelled result at the summary level the sensitivity rule gives
every viewer (which screen, when, positive or not: what a claim needs). A billing user sees
that a maternal depression screen was positive, as G8431 says, and never its score, its flag's
reason or the clinician's follow-up note: not on the worklist, the line page or the exported
file."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dyadcare.billing import services
from dyadcare.billing.export import batches
from dyadcare.billing.models import ClaimLine
from dyadcare.screening import services as screening
from dyadcare.screening.events import ResultRecorded
from dyadcare.screening.models import Flag, ScreeningResult
from dyadcare.tenancy.events import emit
from dyadcare.tenancy.models import Credential
from dyadcare.tenancy.scope import clinic_scope, unscoped
from tests import factories
from tests.factories import ClinicWorld, login, staff_actor

pytestmark = pytest.mark.django_db
FLAG_REASON = "EPDS total 19, item 10 answered"
FOLLOW_UP_NOTE = "Spoke about thoughts of self-harm; safety plan made"


def _positive_epds_with_its_follow_up(world: ClinicWorld, commit: Any) -> ClaimLine:
    assert world.child_a and world.caregiver_a
    Credential.objects.filter(user=world.staff_a["pediatric_clinician"]).update(
        licence_type="md", npi="1234567893"
    )
    with unscoped("test data"):
        world.child_a.date_of_birth = timezone.localdate() - timedelta(days=60)
        world.child_a.medi_cal_id = "91234567A"
        world.child_a.save(update_fields=["date_of_birth", "medi_cal_id"])
        visit = factories.visit(world.a, world.child_a, clinician=world.staff_a["pediatric_clinician"])
        result = ScreeningResult.objects.create(
            clinic=world.a, visit=visit, child=world.child_a, caregiver=world.caregiver_a,
            instrument_id="epds", respondent="caregiver-self", answers=[], total=19, positive=True,
            scored_at=timezone.now(), sensitivity=["PSY"],
        )  # fmt: skip
        flag = Flag.objects.create(
            clinic=world.a, result=result, visit=visit, child=world.child_a,
            severity=Flag.Severity.FOLLOW_UP, reason=FLAG_REASON, raised_at=timezone.now(),
        )  # fmt: skip
    with clinic_scope(world.a):
        with commit(execute=True):
            emit(
                ResultRecorded(
                    clinic_id=world.a.pk, result_id=result.pk, child_id=result.child_id, visit_id=visit.pk,
                    instrument_id="epds", category="maternal-depression", positive=True,
                )
            )  # fmt: skip
            screening.flag_resolve(
                actor=staff_actor(world, "pediatric_clinician"), flag=flag, note=FOLLOW_UP_NOTE
            )
        return ClaimLine.objects.get(source_id=result.pk)


def test_billing_pages_and_files_show_the_code_and_not_the_result(
    world: ClinicWorld, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    line = _positive_epds_with_its_follow_up(world, django_capture_on_commit_callbacks)
    assert (line.code, line.status) == ("G8431", "ready")
    login(client, world.staff_a["billing"])
    base = f"/c/{world.a.slug}/billing"
    pages = [client.get(f"{base}/?status=ready"), client.get(f"{base}/lines/{line.pk}/")]
    assert [page.status_code for page in pages] == [200, 200]
    with clinic_scope(world.a):
        billing = staff_actor(world, "billing")
        services.lines_release(actor=billing, line_ids=[line.pk])
        batch = batches.batch_export(actor=billing, fmt="csv")
        exported = batches.batch_file(actor=billing, batch_id=batch.pk).content.decode()
    (row,) = csv.DictReader(io.StringIO(exported))
    assert row["code"] == "G8431" and row["modifiers"] == "HD"
    for surface in [*(page.content.decode() for page in pages), exported]:
        assert "G8431" in surface
        for detail in (FLAG_REASON, FOLLOW_UP_NOTE, "item 10", "self-harm", "EPDS", "PSY"):
            assert detail not in surface, detail
