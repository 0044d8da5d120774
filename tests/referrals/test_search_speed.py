"""Directory search stays flat as the directory grows: the same number of queries at 20 and
at 200 services, only a page read; and "open now" worked out in SQL agrees with
``rules.is_open``."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dyadcare.referrals import rules, selectors, services
from dyadcare.referrals.internal import open_now
from dyadcare.referrals.internal.importer import import_into
from dyadcare.referrals.models import Schedule, Service
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.scope import clinic_scope
from tests.factories import ClinicWorld, staff_actor
from tests.referrals.directory_data import service, write_json

pytestmark = pytest.mark.django_db

SANTA_CLARA = rules.centroid("95050")
assert SANTA_CLARA is not None
# A Wednesday at 10:00, local time.
WEDNESDAY_MORNING = timezone.make_aware(datetime(2026, 12, 2, 10, 0))
SEARCHES: list[dict[str, Any]] = [
    {},
    {"need": "food"},
    {"need": "food", "zip_code": "95050"},
    {"need": "food", "zip_code": "95050", "language": "es", "child_age_months": 14},
    {"zip_code": "95050", "open_now": True},
    {"text": "Service"},
    {"page": 2},
]


def directory(count: int) -> list[dict[str, Any]]:
    lat, lon = SANTA_CLARA
    return [
        service(
            f"s{i}",
            codes=("1130",) if i % 2 else ("1137",),
            languages=("es", "en") if i % 3 else ("en",),
            lat=lat + (i % 40) / 69.0,
            lon=lon,
            byday="WE" if i % 4 else "SA",
            min_age=0 if i % 5 else 3,
        )
        for i in range(count)
    ]


def query_counts(world: ClinicWorld, actor: Actor, tmp_path: Path, count: int) -> list[int]:
    records = directory(count)
    result = import_into(world.network, write_json(tmp_path / f"{count}.json", records))
    assert result.rejected == [] and result.services >= count
    starred = Service.objects.filter(network=world.network).order_by("name").first()
    assert starred is not None
    counts = []
    with clinic_scope(world.a):
        services.toggle_favourite(actor, service_id=starred.pk)
        for filters in SEARCHES:
            with CaptureQueriesContext(connection) as queries:
                page = selectors.search_services(actor, now=WEDNESDAY_MORNING, **filters)
            assert page.total > 0, filters
            counts.append(len(queries))
    return counts


def test_search_runs_the_same_number_of_queries_at_20_and_200_services(
    world: ClinicWorld, tmp_path: Path
) -> None:
    actor = staff_actor(world, "family_partner")
    small = query_counts(world, actor, tmp_path, 20)
    Service.objects.filter(network=world.network).delete()
    large = query_counts(world, actor, tmp_path, 200)
    assert small == large
    assert max(large) <= 12


@pytest.mark.parametrize(
    ("freq", "byday", "opens", "closes", "moment"),
    [
        ("MONTHLY", "1MO", time(9), time(12), datetime(2026, 12, 7, 10)),
        ("MONTHLY", "1MO", time(9), time(12), datetime(2026, 12, 14, 10)),
        ("MONTHLY", "-1FR", time(9), time(12), datetime(2026, 12, 25, 10)),
        ("MONTHLY", "-1FR", time(9), time(12), datetime(2026, 12, 18, 10)),
        ("WEEKLY", "", time(22), time(6), datetime(2026, 12, 2, 23)),
        ("WEEKLY", "", time(22), time(6), datetime(2026, 12, 2, 5)),
        ("WEEKLY", "", time(22), time(6), datetime(2026, 12, 2, 12)),
        ("weekly", "mo, we", time(9), time(17), datetime(2026, 12, 2, 9)),
        ("WEEKLY", "MO,WE", time(9), time(17), datetime(2026, 12, 2, 17)),
        ("WEEKLY", "SA", time(9), time(17), datetime(2026, 12, 2, 10)),
        ("DAILY", "", time(9), time(17), datetime(2026, 12, 2, 10)),
    ],
)
def test_open_now_in_sql_agrees_with_the_rule(
    world: ClinicWorld, tmp_path: Path, freq: str, byday: str, opens: time, closes: time, moment: datetime
) -> None:
    result = import_into(world.network, write_json(tmp_path / "one.json", [service("one")]))
    assert result.rejected == []
    Schedule.objects.update(freq=freq, byday=byday, opens_at=opens, closes_at=closes)
    expected = rules.is_open(rules.Hours(freq, byday, opens, closes), moment)
    found = Service.objects.filter(open_now.open_now(moment)).exists()
    assert found is expected
