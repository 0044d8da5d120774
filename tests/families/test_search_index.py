"""The child search reads an index (FTS5 on SQLite, trigram GIN on PostgreSQL) and finds what
its rule says: each word starts a word of the child's or a caregiver's name, or the text is the
MRN (any case). The same test runs on both databases, against the rule written out in Python."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dyadcare.families import selectors
from dyadcare.families.models import Caregiver, CareRelationship, Child
from dyadcare.families.rules import search_key
from dyadcare.tenancy.scope import clinic_scope
from tests import factories
from tests.factories import ClinicWorld, staff_actor

NAMES = [
    ("José", "García-López", "Q-9"),
    ("Josefina", "Garza", "A100"),
    ("Anabel", "Ramírez", "a-100"),
    ("Juan José", "Peña", "77"),
    ("Mario", "De la Garza", "ZZ 12"),
    ("Zoë", "O'Brien", "ob-1"),
    ("Lucas", "Agarcia", "x"),
]
QUERIES = [
    "gar",
    "GARCIA",
    "garcia lo",
    "jo",
    "jose gar",
    "la",
    "garza de",
    "o brien",
    "obr",
    "zoe",
    "q-9",
    "Q-9",
    "a100",
    "a-100",
    "ZZ 12",
    "77",
    "peña",
    "arcia",
    "x",
    "nobody",
    "carla",
    "smith",
]


def _expected(query: str) -> set[str]:
    """The search rule, written out: each word starts a word of the child's name or of one of
    their caregivers' names, or the query is the MRN (ignoring case)."""
    words = search_key(query).split()
    found = set()
    for child in Child.objects.all():
        names = [child.search_name] + [
            link.caregiver.search_name for link in CareRelationship.objects.filter(child=child)
        ]
        by_name = words and any(
            all(any(w.startswith(word) for w in n.split()) for word in words) for n in names
        )
        if by_name or child.mrn.lower() == query.strip().lower():
            found.add(child.given_name)
    return found


@pytest.fixture
def named(world: ClinicWorld) -> ClinicWorld:
    for given, family, mrn in NAMES:
        kid = factories.child(world.a, given_name=given, family_name=family, mrn=mrn)
        if given == "Mario":
            factories.caregiver(world.a, for_child=kid, given_name="Carla", family_name="Smithers")
    factories.child(world.b, given_name="Gary", family_name="García", mrn="Q-9")  # another clinic
    return world


@pytest.mark.parametrize("query", QUERIES)
def test_the_search_finds_what_its_rule_says(named: ClinicWorld, query: str) -> None:
    actor = staff_actor(named, "front_desk")
    with clinic_scope(named.a):
        found = {c.given_name for c in selectors.child_search(actor=actor, query=query)}
        assert found == _expected(query), query
    assert "Gary" not in found


def test_the_search_reads_the_index(named: ClinicWorld) -> None:
    actor = staff_actor(named, "front_desk")
    with clinic_scope(named.a), CaptureQueriesContext(connection) as captured:
        list(selectors.child_search(actor=actor, query="garcia jo"))
    search = next(q["sql"] for q in captured.captured_queries if 'FROM "families_child"' in q["sql"])
    if connection.vendor == "sqlite":
        assert "families_child_fts" in search and "families_caregiver_fts" in search and "MATCH" in search
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname IN "
                "('families_child_name_trgm', 'families_caregiver_name_trgm', 'families_child_mrn_upper')"
            )
            assert len(cursor.fetchall()) == 3


def test_the_index_follows_renames_and_deletions(named: ClinicWorld) -> None:
    actor = staff_actor(named, "front_desk")
    with clinic_scope(named.a):
        anabel = Child.objects.get(given_name="Anabel")
        anabel.family_name = "Quintero"
        anabel.mrn = "NEW-1"
        anabel.save()
        assert {c.given_name for c in selectors.child_search(actor=actor, query="quin")} == {"Anabel"}
        assert not any(c.given_name == "Anabel" for c in selectors.child_search(actor=actor, query="ramirez"))
        assert {c.given_name for c in selectors.child_search(actor=actor, query="new-1")} == {"Anabel"}
        carla = Caregiver.objects.get(given_name="Carla")
        carla.given_name = "Marisol"
        carla.save()
        assert {c.given_name for c in selectors.child_search(actor=actor, query="marisol")} == {"Mario"}
        assert not list(selectors.child_search(actor=actor, query="carla"))
        CareRelationship.objects.filter(caregiver=carla).delete()
        carla.delete()
        assert not list(selectors.child_search(actor=actor, query="marisol"))
