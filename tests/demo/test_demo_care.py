"""The demo's care coordination: tiers, open suggestions, care plans, tasks, services and
referrals from the screening history, so the care pages, my work and the huddle have data on
the first day."""

from __future__ import annotations

import io
import itertools
from collections import Counter

from django.core.management import call_command

from dyadcare.care.models import CarePlan, Goal, ServiceEntry, Task, TierAssignment, TierSuggestion
from dyadcare.referrals import workflow
from dyadcare.referrals.models_referral import Referral
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
        referral_count = Referral.objects.count()
        assert Referral.objects.filter(need="food", result__positive=True).exists()
    again = io.StringIO()
    call_command("demo", children=1500, seed=5, quiet=True, stdout=again)
    assert "0 care tiers" in again.getvalue()
    with unscoped("check"):
        assert counts == [
            m.objects.count() for m in (TierAssignment, TierSuggestion, CarePlan, Goal, Task, ServiceEntry)
        ]
        referrals = list(Referral.objects.select_related("consent"))
        assert "0 referrals" in again.getvalue() and len(referrals) == referral_count
        statuses = Counter(r.status for r in referrals)
        assert statuses["completed"] and statuses["requested"], "closed loops and some still waiting"
        for referral in referrals:  # each as the workflow leaves it: consent first, every move a row
            assert referral.consent.consented_on <= referral.sent_at.date()
            moves = list(referral.events.order_by("at").values_list("from_status", "to_status"))
            assert moves[0] == ("requested", "requested") and moves[-1][1] == referral.status
            for (_was, now), (then, _next) in itertools.pairwise(moves):
                assert then == now
            assert workflow.is_final(referral.status) == (referral.due_on is None)
