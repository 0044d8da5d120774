"""The network's counts live in the database's cache table, which every process of the site
reads: a change in one worker drops the counts for all, not only in its own memory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection

from dyadcare.families.aggregates import network_clinic_counts
from tests import factories
from tests.factories import ClinicWorld

pytestmark = pytest.mark.django_db


def _cached_keys() -> set[str]:
    table = connection.ops.quote_name(settings.CACHE_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")
        return {row[0] for row in cursor.fetchall()}


def _children(world: ClinicWorld) -> int:
    return next(c.children or 0 for c in network_clinic_counts(network=world.network) if c.clinic == world.a)


def test_a_change_drops_the_counts_for_every_process(
    world: ClinicWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _children(world)
    key = f"dyadcare:clinic-counts:{world.a.pk}"
    assert cache.make_key(key) in _cached_keys()  # in the table, not in this process's memory
    # Another worker: a cache object of its own, reading the same table.
    other = caches.create_connection("default")
    assert other is not cache and other.get(key) is not None
    with django_capture_on_commit_callbacks(execute=True):
        factories.child(world.a, given_name="Newborn")
    assert cache.make_key(key) not in _cached_keys()
    assert other.get(key) is None


def test_the_counts_of_many_clinics_are_written_in_a_fixed_number_of_queries(world: ClinicWorld) -> None:
    from django.test.utils import CaptureQueriesContext

    writes = []
    for n in (1, 6):
        for i in range(n):
            factories.clinic(world.network, slug=f"more-{n}-{i}")
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            network_clinic_counts(network=world.network)
        writes.append([q["sql"] for q in captured.captured_queries if settings.CACHE_TABLE in q["sql"]])
    assert len(writes[0]) == len(writes[1]), writes
