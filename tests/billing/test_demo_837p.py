"""Must show: a demo clinic's month of claim lines, exported as an X12 837P, passes pyx12 with
no error. The demo's lines come from billing's own engine over the generated screenings and
services; the export goes through the same service the billing pages use."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count

from dyadcare.billing import services
from dyadcare.billing.export import batches
from dyadcare.billing.export.validate import problems
from dyadcare.billing.models import ClaimBatch, ClaimLine
from dyadcare.demo.models import DemoNetwork
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.models import Clinic, User
from dyadcare.tenancy.scope import clinic_scope, unscoped

pytestmark = pytest.mark.django_db


def test_a_demo_clinics_month_exports_as_an_837p_pyx12_accepts() -> None:
    call_command("demo", children=400, seed=1, quiet=True, stdout=io.StringIO())
    with unscoped("the test picks the demo clinic with the most ready lines"):
        anchor = DemoNetwork.objects.get().anchor_date
        busiest = (
            ClaimLine.objects.filter(status="ready")
            .values("clinic")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        assert busiest is not None, "the demo derives ready lines"
        clinic = Clinic.objects.get(pk=busiest["clinic"])
        held = set(
            ClaimLine.objects.filter(clinic=clinic, status="held").values_list("reason_codes", flat=True)
        )
    assert any("no-medi-cal-id" in r for r in held), "some demo lines are held for a missing CIN"
    user = User.objects.get(username=f"billing.{clinic.slug}")
    actor = Actor.for_staff(user, clinic=clinic, roles=("billing",), ip="127.0.0.1")
    month = anchor - timedelta(days=30)
    with clinic_scope(clinic):
        ready = list(
            ClaimLine.objects.filter(status="ready", service_date__gte=month).values_list("pk", flat=True)
        )
        assert len(ready) >= 5
        services.lines_release(actor=actor, line_ids=ready)
        batch = batches.batch_export(actor=actor, fmt="837p", date_from=month)
        text = batches.batch_file(actor=actor, batch_id=batch.pk).content.decode("ascii")
        assert ClaimBatch.objects.filter(format="csv").exists(), "the months before are a history batch"
    assert batch.line_count == len(ready)
    assert problems(text) == []
    assert text.count("~\nLX*") == len(ready)
    assert "NM1*85*2*" in text and f"*XX*{clinic.billing_npi}~" in text
