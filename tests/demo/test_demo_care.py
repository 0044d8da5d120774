"""The demo's care coordination: tiers, open suggestions, care plans, tasks and services from
the screening history, so the care pages, my work and the huddle have data on the first day."""

from __future__ import annotations

import io
from collections import Counter

from django.core.management import call_command

from dyadcare.care.models import CarePlan, Goal, ServiceEntry, Task, TierAssignment, TierSuggestion
from dyadcare.screening.models import Flag, ScreeningResult
from dyadcare.tenancy.models import User
from dyadcare.tenancy.scope import unscoped


def test_the_demo_has_tiers_plans_tasks_and_services_from_its_screens(db: None) -> None:
    call_command("demo", children=1500, seed=5, quiet=True, stdout=io.StringIO())
    with unscoped("check the demo care"):
        tiers = Counter(TierAssignment.objects.values_list("tier", flat=True))
        assert tiers[2] > 0 and tiers[3] > 0
        # Every tier a person set names a suggestion that a positive result raised.
        assert not TierAssignment.objects.filter(suggestion__isnull=True).exists()
        assert not TierSuggestion.objects.exclude(result__positive=True).exists()
        assert TierSuggestion.objects.filter(status="open").exists(), "recent suggestions wait for a person"
        positives = ScreeningResult.objects.filter(positive=True).values("child_id").distinct().count()
        assert TierAssignment.objects.count() < positives
        assert CarePlan.objects.exists() and Goal.objects.filter(language="es").exists()
        assert Task.objects.filter(status="open").exists()
        # The specialist who logs in to the demo has a caseload and open alerts of their own.
        specialist = User.objects.get(username="specialist.fruitvale")
        assert Goal.objects.filter(owner=specialist).exists()
        assert Task.objects.filter(owner=specialist, status="open").exists()
        assert Flag.objects.filter(owner=specialist, resolved_at__isnull=True).exists()
        entries = list(ServiceEntry.objects.all())
        assert entries and all(e.minutes and e.caregiver_ids for e in entries)
        counts = [
            m.objects.count() for m in (TierAssignment, TierSuggestion, CarePlan, Goal, Task, ServiceEntry)
        ]
    again = io.StringIO()
    call_command("demo", children=1500, seed=5, quiet=True, stdout=again)
    assert "0 care tiers" in again.getvalue()
    with unscoped("check"):
        assert counts == [
            m.objects.count() for m in (TierAssignment, TierSuggestion, CarePlan, Goal, Task, ServiceEntry)
        ]
