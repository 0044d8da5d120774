"""The TA center sees de-identified counts, never a person."""

from __future__ import annotations

from django.test import Client

from tests import factories
from tests.factories import ClinicWorld, login


def test_coach_sees_counts_with_small_cells_hidden(world: ClinicWorld, client: Client) -> None:
    for i in range(11):
        factories.child(world.a, given_name=f"Extra{i}", gestational_age_days=33 * 7)
    login(client, world.network_staff["network_coach"])
    response = client.get(f"/n/{world.network.slug}/")
    rows = {r.clinic.slug: r for r in response.context["rows"]}
    assert rows[world.a.slug].children == 12
    assert rows[world.a.slug].preterm == 11
    assert rows[world.b.slug].children is None, "a count of 1 is hidden"
    body = response.content.decode()
    assert "fewer than 11" in body
    assert "Ramírez" not in body and "Ana" not in body


def test_coach_cannot_open_a_clinic_page(world: ClinicWorld, client: Client) -> None:
    login(client, world.network_staff["network_coach"])
    assert world.child_a
    assert client.get(f"/c/{world.a.slug}/children/{world.child_a.pk}/").status_code == 404
    assert client.get("/")["Location"] == f"/n/{world.network.slug}/"


def test_the_counts_are_kept_until_a_child_or_caregiver_of_the_clinic_changes(
    world: ClinicWorld, client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, world.network_staff["network_coach"])
    url = f"/n/{world.network.slug}/"
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as again:
        rows = {r.clinic.slug: r for r in client.get(url).context["rows"]}
    assert rows[world.a.slug].children is None  # one child: a small cell
    counted = [q["sql"] for q in first.captured_queries if 'FROM "families_' in q["sql"]]
    assert len(counted) == 3 and not any('FROM "families_' in q["sql"] for q in again.captured_queries)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(11):
            factories.child(world.a, given_name=f"New{i}")
    rows = {r.clinic.slug: r for r in client.get(url).context["rows"]}
    assert rows[world.a.slug].children == 12
    assert rows[world.b.slug].children is None
