"""The migration from ticked categories to evidence: ticks a result proves need nothing, the
others are kept as recorded (shown, never counted), and no evidence is invented."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("touchpoints", "0001_visits_and_schedule_rules"), ("screening", "0003_result_parameters")]


def _leaves(executor: MigrationExecutor) -> list[tuple[str, str]]:
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_ticks_without_a_result_are_kept_apart_and_counted_as_nothing() -> None:
    executor = MigrationExecutor(connection)
    leaves = _leaves(executor)
    executor.migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        ids = _old_records(old)
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
    finally:
        MigrationExecutor(connection).migrate(leaves)
    from dyadcare.tenancy.scope import unscoped
    from dyadcare.touchpoints.models import Visit

    with unscoped("read the migrated visits"):
        ticked = dict(Visit.objects.values_list("pk", "ticked_without_evidence"))
        assert ticked[ids["proved"]] == ["developmental"], "the result proves maternal depression only"
        assert ticked[ids["untouched"]] == []
        assert ticked[ids["incomplete"]] == ["maternal-depression"], "an incomplete negative proves nothing"
        from dyadcare.screening.models import DoneElsewhere, ScreeningResult

        assert ScreeningResult.objects.count() == 2 and not DoneElsewhere.objects.exists(), "nothing invented"


def _old_records(apps: object) -> dict[str, uuid.UUID]:
    """A clinic, a child and three closed visits as the old code left them."""
    get = apps.get_model  # type: ignore[attr-defined]
    network = get("tenancy", "Network").objects.create(name="N", slug="n-mig")
    clinic = get("tenancy", "Clinic").objects.create(network=network, name="C", slug="c-mig")
    household = get("families", "Household").objects.create(clinic=clinic, name="H")
    child = get("families", "Child").objects.create(
        clinic=clinic,
        household=household,
        given_name="A",
        family_name="B",
        search_name="b a",
        date_of_birth=date(2025, 1, 1),
        sex="F",
        mrn="MIG-1",
    )
    Visit = get("touchpoints", "Visit")
    Result = get("screening", "ScreeningResult")
    when = timezone.make_aware(datetime.combine(date(2025, 3, 3), time(9)))
    ids = {}
    for name, ticks in (
        ("proved", ["developmental", "maternal-depression"]),
        ("untouched", []),
        ("incomplete", ["maternal-depression"]),
    ):
        visit = Visit.objects.create(
            clinic=clinic, child=child, scheduled_for=when, status="completed", completed_categories=ticks
        )
        ids[name] = visit.pk
        when = when.replace(day=when.day + 1)
    for name, complete in (("proved", True), ("incomplete", False)):
        Result.objects.create(
            clinic=clinic,
            visit_id=ids[name],
            child=child,
            instrument_id="epds",
            category="maternal-depression",
            respondent="caregiver-self",
            answers=[],
            complete=complete,
            positive=False,
            scored_at=when,
        )
    return ids
