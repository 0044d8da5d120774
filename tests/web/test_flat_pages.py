"""Staff pages cost the same number of queries whatever the size of the clinic and the network:
each page is measured at two sizes (more children, siblings, results, clinics) and must read
the same number of queries at both. (The huddle, the alerts worklist, the child list, my work,
the caseload and the outreach list have theirs beside their other tests.)"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dyadcare.families.models import CareRelationship
from dyadcare.instruments.internal import registry
from dyadcare.screening.internal.scoring import score_and_store
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints.models import Visit
from tests import factories
from tests.factories import ClinicWorld, login

# Instruments with answers that score (one of each kind a visit page shows).
RESULTS = (
    ("cdc-milestones-2m", [0] * 11),
    ("phq9", [2, 2, 1, 1, 1, 1, 1, 1, 1]),
    ("hvs", [0, 2]),
    ("gad7", [1] * 7),
    ("epds", [1] * 10),
    ("phq2", [1, 1]),
)


def _queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in captured.captured_queries]


def _more_children(world: ClinicWorld, n: int) -> None:
    for i in range(n):
        kid = factories.child(world.a, given_name=f"Extra{i}")
        factories.caregiver(world.a, for_child=kid)


def _results(world: ClinicWorld, visit: Visit, first: int, last: int) -> None:
    with clinic_scope(world.a):
        caregiver = CareRelationship.objects.filter(child=visit.child).first()
        assert caregiver is not None
        for instrument_id, answers in RESULTS[first:last]:
            score_and_store(
                instrument=registry.get(instrument_id, clinic=world.a),
                answers=answers,
                visit=visit,
                caregiver=caregiver.caregiver,
                language="en",
                category="",
                scored_at=timezone.now(),
            )


def test_the_child_page_reads_the_same_queries_for_any_clinic_or_family_size(
    world: ClinicWorld, client: Client
) -> None:
    assert world.child_a is not None
    login(client, world.staff_a["pediatric_clinician"])
    url = f"/c/{world.a.slug}/children/{world.child_a.pk}/"
    small = _queries(client, url)
    _more_children(world, 30)
    with clinic_scope(world.a):
        links = list(CareRelationship.objects.filter(child=world.child_a))
        for i in range(4):  # four brothers and sisters sharing the caregivers
            sibling = factories.child(world.a, given_name=f"Sib{i}", family_name="Ramírez")
            for link in links:
                CareRelationship.objects.create(
                    clinic=world.a, child=sibling, caregiver=link.caregiver, relationship=link.relationship
                )
    large = _queries(client, url)
    assert len(large) == len(small), (len(small), len(large))
    body = client.get(url).content.decode()
    assert all(f"Sib{i}" in body for i in range(4))


def test_the_siblings_are_two_indexed_lookups_not_a_join(world: ClinicWorld, client: Client) -> None:
    assert world.child_a is not None
    login(client, world.staff_a["pediatric_clinician"])
    sql = _queries(client, f"/c/{world.a.slug}/children/{world.child_a.pk}/")
    child_reads = [q for q in sql if q.startswith("SELECT") and 'FROM "families_child"' in q]
    assert not any(" OR " in q and "JOIN" in q for q in child_reads), child_reads


def test_the_visit_screening_page_and_family_summary_do_not_grow_with_the_results(
    world: ClinicWorld, client: Client
) -> None:
    visit = world.visit_a
    assert visit is not None
    login(client, world.staff_a["pediatric_clinician"])
    screening = f"/c/{world.a.slug}/visits/{visit.pk}/screening/"
    summary = f"/c/{world.a.slug}/visits/{visit.pk}/summary/"
    _results(world, visit, 0, 1)  # a result about the child, which the summary shows
    one = (_queries(client, screening), _queries(client, summary))
    _results(world, visit, 1, len(RESULTS))
    six = (_queries(client, screening), _queries(client, summary))
    assert [len(q) for q in six] == [len(q) for q in one], ([len(q) for q in one], [len(q) for q in six])


def test_the_network_home_does_not_grow_with_the_clinics_or_children(
    world: ClinicWorld, client: Client
) -> None:
    login(client, world.network_staff["network_coach"])
    url = f"/n/{world.network.slug}/"
    small = _queries(client, url)
    for i in range(3):
        extra = factories.clinic(world.network, slug=f"more-{i}")
        for j in range(2):
            factories.child(extra, given_name=f"K{j}")
    _more_children(world, 12)
    large = _queries(client, url)
    assert len(large) == len(small), (len(small), len(large))


def test_the_child_list_counts_no_further_than_its_cap(
    world: ClinicWorld, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dyadcare.web.paging import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 5)
    login(client, world.staff_a["front_desk"])
    url = f"/c/{world.a.slug}/children/"
    _more_children(world, 2)
    page = client.get(url)
    assert "3 children" in page.content.decode() and not page.context["page"].paginator.capped
    _more_children(world, 10)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    assert page.context["page"].paginator.capped and page.context["page"].paginator.count == 5
    assert "More than 5 children" in page.content.decode()
    count = next(q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"])
    assert "LIMIT 6" in count, count


def test_list_pages_leave_the_stored_fhir_json_unread(world: ClinicWorld, client: Client) -> None:
    visit = world.visit_a
    assert visit is not None
    _results(world, visit, 0, len(RESULTS))
    login(client, world.staff_a["pediatric_clinician"])
    for url in (
        f"/c/{world.a.slug}/alerts/",
        f"/c/{world.a.slug}/visits/{visit.pk}/screening/",
        f"/c/{world.a.slug}/visits/{visit.pk}/summary/",
    ):
        read = [q for q in _queries(client, url) if q.startswith("SELECT")]
        assert not any('"questionnaire_response"' in q or '"observations"' in q for q in read), url
