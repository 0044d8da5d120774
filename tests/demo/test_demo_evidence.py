"""The demo's screening is recorded the way the demo clinics can give it: no visit carries
ticks, licensed instruments are paper forms entered by staff, and maternal depression is
screened end to end both by the service model's fallback (the PHQ-2 on the family's link, the
PHQ-9 after a positive PHQ-2) and on the clinic's paper EPDS."""

from __future__ import annotations

import io
from collections import defaultdict

from django.core.management import call_command

from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.scope import unscoped
from dyadcare.touchpoints.models import Visit


def test_the_demo_records_screening_by_evidence_only(db: None) -> None:
    call_command("demo", children=600, seed=7, quiet=True, stdout=io.StringIO())
    with unscoped("check the demo history"):
        assert not Visit.objects.exclude(ticked_without_evidence=[]).exists()
        results = list(ScreeningResult.objects.select_related("entered_by"))
    depression = [r for r in results if r.category == "maternal-depression"]
    by_form = defaultdict(list)
    for result in depression:
        by_form[(result.instrument_id, result.entered_by is not None)].append(result)
    assert set(by_form) == {("phq2", False), ("phq9", False), ("epds", True)}, set(by_form)
    assert all(r.caregiver_id for r in depression), "every caregiver screen names who answered"
    phq2_by_visit = {r.visit_id: r for r in by_form[("phq2", False)]}
    for phq9 in by_form[("phq9", False)]:
        assert phq2_by_visit[phq9.visit_id].positive, "the PHQ-9 follows a positive PHQ-2 only"
    positives = [r for r in by_form[("phq2", False)] if r.positive]
    assert positives and all(
        any(p.visit_id == r.visit_id for p in by_form[("phq9", False)]) for r in positives
    )
    assert {r.entered_by.username for r in by_form[("epds", True)]} <= {
        "specialist.fruitvale",
        "specialist.valley",
        "specialist.eastside",
        "specialist.float",
    }
    licensed = [
        r for r in results if r.instrument_id in {"swyc-bpsc", "mchat-r", "hits", "pearls-child", "asq3"}
    ]
    assert licensed and all(r.entered_by is not None for r in licensed), "paper forms, entered by staff"
    bundled = [r for r in results if r.instrument_id in {"ahc-hrsn", "taps1", "phq2"}]
    assert bundled and all(r.entered_by is None for r in bundled), "answered by the family"
