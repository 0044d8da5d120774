"""The data migration that gives results scored before results kept their parameter values
the values the record proves, and leaves the others unknown (null)."""

from __future__ import annotations

import importlib
import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from dyadcare.instruments import services
from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope, unscoped
from dyadcare.touchpoints.models import Visit
from tests.factories import ClinicWorld, staff_actor


def _set(world: ClinicWorld, instrument_id: str, **values: object) -> None:
    with clinic_scope(world.a):
        services.parameters_set(
            actor=staff_actor(world, "clinic_admin"), instrument_id=instrument_id, values=dict(values)
        )


def _result(
    world: ClinicWorld, clinic: str, instrument_id: str, scored_at: datetime, version: str = "1.0.0"
) -> uuid.UUID:
    target = world.a if clinic == "a" else world.b
    child = world.child_a if clinic == "a" else world.child_b
    with unscoped("test data"):
        visit = Visit.objects.filter(child=child).first() or Visit.objects.create(
            clinic=target, child=child, scheduled_for=timezone.now()
        )
        return ScreeningResult.objects.create(
            clinic=target,
            visit=visit,
            child=child,
            instrument_id=instrument_id,
            instrument_version=version,
            respondent="caregiver-self",
            answers=[],
            scored_at=scored_at,
        ).pk


def test_the_migration_backfills_only_what_the_record_proves(world: ClinicWorld) -> None:
    """Results scored before results kept their parameter values get the values the record
    proves (no change since, same instrument version); the others stay unknown (null)."""
    migration = importlib.import_module("dyadcare.screening.migrations.0003_result_parameters")
    now = timezone.now()
    earlier, later = now - timedelta(days=30), now + timedelta(minutes=5)
    before_change = _result(world, "a", "swyc-ppsc", earlier)
    _set(world, "swyc-ppsc", positive_at_least=10)  # a row and an audit entry, now
    after_change = _result(world, "a", "swyc-ppsc", later)
    no_parameters = _result(world, "a", "phq9", earlier)
    other_version = _result(world, "a", "phq2", later, version="0.9")
    never_changed = _result(world, "b", "swyc-ppsc", earlier)
    # Clinic B once changed and reset its EPDS cut-off: the old code deleted the row, only the
    # audit entry tells when.
    with unscoped("test data"):
        AuditEvent.objects.create(
            actor_label="admin",
            clinic=world.b,
            action="update",
            object_type="instruments.clinicparameter",
            object_id="epds",
            summary="changed: positive_at_least",
            at=now - timedelta(days=10),
        )
    epds_before_reset = _result(world, "b", "epds", earlier)
    epds_after_reset = _result(world, "b", "epds", later)
    with unscoped("run the data migration"):
        migration.backfill(_Apps(), None)
        stored = dict(ScreeningResult.objects.values_list("pk", "parameters"))
    assert stored[before_change] is None, "scored before the last change: not provable"
    assert stored[after_change] == {"positive_at_least": 10}
    assert stored[no_parameters] == {}
    assert stored[other_version] is None, "another version of the instrument"
    assert stored[never_changed] == {"positive_at_least": 9}
    assert stored[epds_before_reset] is None
    assert stored[epds_after_reset] == {
        "positive_at_least": 10,
        "positive_at_least_es": 10,
        "probable_at_least": 13,
    }


class _Apps:
    """The app registry as a data migration sees it (today's models, same fields)."""

    def get_model(self, app: str, name: str) -> type:
        from django.apps import apps

        return apps.get_model(app, name)
