"""Sensitivity governs every surface derived from a result: a viewer without the label's
permission reads "a screen needs a clinician's follow-up", never the item, the domain, the
instrument of a labelled result or the acknowledgement note, on any page of the visit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from dyadcare.tenancy.roles import CLINIC_ROLES
from dyadcare.tenancy.scope import clinic_scope
from tests.factories import SENSITIVE_NOTE, ClinicWorld, flagged_visit, login

PHQ9_REASON = "critical answer on item 9"
TAPS_REASON = "TAPS-1 substance use screen: positive screen"
HVS_REASON = "Hunger Vital Sign (HVS): positive screen"
GENERIC = "A screen needs a clinician&#x27;s follow-up."

# Which of the visit's sensitive details each role may read.
SEES = {
    "pediatric_clinician": {PHQ9_REASON, TAPS_REASON, HVS_REASON, SENSITIVE_NOTE},
    "dyadic_specialist": {PHQ9_REASON, TAPS_REASON, HVS_REASON, SENSITIVE_NOTE},
    "family_partner": {HVS_REASON},
    "front_desk": set(),
    "billing": set(),
    "clinic_admin": set(),
}


def visit_pages(world: ClinicWorld, visit: object) -> list[str]:
    """Every page that shows something of the flagged visit."""
    base = f"/c/{world.a.slug}"
    child = visit.child  # type: ignore[attr-defined]
    return [
        f"{base}/visits/{visit.pk}/",  # type: ignore[attr-defined]
        f"{base}/visits/{visit.pk}/screening/",  # type: ignore[attr-defined]
        f"{base}/visits/{visit.pk}/summary/",  # type: ignore[attr-defined]
        f"{base}/children/{child.pk}/",
        f"{base}/children/?q={child.family_name}",
        f"{base}/alerts/",
        f"{base}/alerts/banner/",
        f"{base}/huddle/?day={timezone.localdate().isoformat()}",
    ]


@pytest.mark.parametrize("role", sorted(CLINIC_ROLES))
def test_each_role_reads_only_what_its_labels_allow(world: ClinicWorld, client: Client, role: str) -> None:
    visit = flagged_visit(world)
    login(client, world.staff_a[role])
    bodies = {}
    for url in visit_pages(world, visit):
        response = client.get(url)
        if response.status_code == 403:
            continue
        assert response.status_code == 200, url
        bodies[url] = response.content.decode()
    everything = "\n".join(bodies.values())
    for detail in (PHQ9_REASON, TAPS_REASON, HVS_REASON, SENSITIVE_NOTE):
        assert (detail in everything) == (detail in SEES[role]), (role, detail)
    screening = bodies[visit_pages(world, visit)[1]]
    if SEES[role] != {PHQ9_REASON, TAPS_REASON, HVS_REASON, SENSITIVE_NOTE}:
        assert GENERIC in screening, "the flags they may not read say a clinician must follow up"
        for label in ("PSY", "ETH"):
            assert f">{label}<" not in screening, f"{role} sees the {label} badge"


def test_the_plan_says_why_a_follow_on_was_added_only_to_those_who_may_see_why(
    world: ClinicWorld, client: Client
) -> None:
    """A positive PHQ-2 (PSY) adds the PHQ-9 to the plan (the fallback's follow-on): the note
    "after a positive PHQ-2" is for those who may see the PHQ-2 in full."""
    from dyadcare.instruments.internal import registry
    from dyadcare.screening import selectors
    from dyadcare.screening.internal.scoring import score_and_store
    from tests.factories import mother, staff_actor, two_month_visit

    visit = two_month_visit(world)
    with clinic_scope(world.a):
        score_and_store(
            instrument=registry.get("phq2", clinic=world.a),
            answers=[3, 3],
            visit=visit,
            caregiver=mother(visit),
            language="en",
            category="maternal-depression",
            scored_at=timezone.now(),
        )
        for role, expected in (("dyadic_specialist", True), ("front_desk", False), ("family_partner", False)):
            plan = selectors.visit_screening(actor=staff_actor(world, role), visit=visit, language="en").plan
            phq9 = next(p for p in plan if p.id == "phq9")
            assert ("PHQ-2" in phq9.note) is expected, (role, phq9.note)
