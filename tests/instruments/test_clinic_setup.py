"""A clinic's instrument set-up on a real database: parameter values as an append-only history
with effective dates, both models clinic-scoped, and the registry's batch read."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes.exceptions import ScopeError

from dyadcare.instruments import selectors, services
from dyadcare.instruments.engine import CONTRACT_IDS
from dyadcare.instruments.engine.textfile import ItemText
from dyadcare.instruments.internal import registry
from dyadcare.instruments.models import ClinicItemText, ClinicParameter
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope, clinics_scope, unscoped
from tests.factories import ClinicWorld, staff_actor

SCOPED = [ClinicItemText, ClinicParameter]


def _admin(world: ClinicWorld) -> Actor:
    return staff_actor(world, "clinic_admin")


def _set(world: ClinicWorld, instrument_id: str, reason: str = "", **values: object) -> list[str]:
    with clinic_scope(world.a):
        return services.parameters_set(
            actor=_admin(world), instrument_id=instrument_id, values=dict(values), reason=reason
        )


def _ppsc_cut_off(world: ClinicWorld, at: datetime | None = None) -> object:
    with clinic_scope(world.a):
        return registry.get("swyc-ppsc", clinic=world.a, at=at).parameter_value("positive_at_least")


def _load_epds_text(world: ClinicWorld, language: str, notice: str) -> None:
    with clinic_scope(world.a):
        services.item_text_load(
            actor=_admin(world),
            instrument_id="epds",
            language=language,
            items=[ItemText(number=n, text=f"Texto {n}", options=("A", "B", "C", "D")) for n in range(1, 11)],
            copyright_notice=notice,
        )


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_the_clinic_set_up_is_clinic_scoped(world: ClinicWorld, model: type) -> None:
    _set(world, "swyc-ppsc", positive_at_least=10)
    _load_epds_text(world, "es", "© RCPsych")
    for query in (
        lambda: list(model.objects.all()),  # type: ignore[attr-defined]
        lambda: model.objects.filter(instrument_id="epds").exists(),  # type: ignore[attr-defined]
        lambda: model.objects.count(),  # type: ignore[attr-defined]
    ):
        with pytest.raises(ScopeError):
            query()
    with clinic_scope(world.a):
        assert model.objects.count() == 1  # type: ignore[attr-defined]
    with clinic_scope(world.b):
        assert model.objects.count() == 0, "clinic B does not see clinic A's set-up"  # type: ignore[attr-defined]


def test_the_registry_reads_in_the_clinics_own_scope(world: ClinicWorld) -> None:
    _set(world, "swyc-ppsc", positive_at_least=10)
    with pytest.raises(ScopeError):
        registry.for_clinic(world.a, ids=["swyc-ppsc"])  # no scope open
    with clinic_scope(world.b), pytest.raises(ScopeError):
        registry.for_clinic(world.a, ids=["swyc-ppsc"])  # another clinic's scope
    with clinics_scope([world.a, world.b]):  # a network's scope that spans it: its own rows only
        assert registry.get("swyc-ppsc", clinic=world.a).parameter_value("positive_at_least") == 10
        assert registry.get("swyc-ppsc", clinic=world.b).parameter_value("positive_at_least") == 9
    with unscoped("an operator tool"):
        assert registry.get("swyc-ppsc", clinic=world.b).parameter_value("positive_at_least") == 9
    assert registry.get("swyc-ppsc").parameter_value("positive_at_least") == 9  # no clinic: the library


def test_parameter_history_rows_are_append_only(world: ClinicWorld) -> None:
    _set(world, "swyc-ppsc", positive_at_least=10)
    with clinic_scope(world.a):
        row = ClinicParameter.objects.get()
        row.value = 12
        with pytest.raises(PermissionError):
            row.save()
        with pytest.raises(PermissionError):
            row.delete()
        with pytest.raises(PermissionError):
            ClinicParameter.objects.filter(pk=row.pk).update(value=12)
        with pytest.raises(PermissionError):
            ClinicParameter.objects.all().delete()
        assert ClinicParameter.objects.get().value == 10


def test_the_value_in_force_at_a_past_time(world: ClinicWorld) -> None:
    before = timezone.now()
    _set(world, "swyc-ppsc", positive_at_least=10)
    after_first = timezone.now()
    _set(world, "swyc-ppsc", positive_at_least=11)
    after_second = timezone.now()
    _set(world, "swyc-ppsc", positive_at_least=None)
    assert _ppsc_cut_off(world, before - timedelta(days=365)) == 9  # before any change: the default
    assert _ppsc_cut_off(world, before) == 9
    assert _ppsc_cut_off(world, after_first) == 10
    assert _ppsc_cut_off(world, after_second) == 11
    assert _ppsc_cut_off(world) == 9  # now: reset to the default
    with clinic_scope(world.a):
        assert ClinicParameter.objects.count() == 3


def test_reset_writes_a_null_row_and_only_changes_are_written(world: ClinicWorld) -> None:
    assert _set(world, "swyc-ppsc", positive_at_least=9) == [], "the default: nothing to write"
    assert _set(world, "swyc-ppsc", positive_at_least=None) == [], "already the default"
    assert _set(world, "swyc-ppsc", reason="director", positive_at_least=10) == ["positive_at_least"]
    assert _set(world, "swyc-ppsc", positive_at_least=10) == [], "unchanged"
    assert _set(world, "swyc-ppsc", reason="back", positive_at_least=None) == ["positive_at_least"]
    assert _set(world, "swyc-ppsc", positive_at_least=None) == []
    # Setting the default value is a reset too.
    assert _set(world, "swyc-ppsc", positive_at_least=12) == ["positive_at_least"]
    assert _set(world, "swyc-ppsc", reason="default again", positive_at_least=9) == ["positive_at_least"]
    with clinic_scope(world.a):
        values = list(
            ClinicParameter.objects.order_by("effective_from", "id").values_list("value", flat=True)
        )
    assert values == [10, None, 12, None]
    with unscoped("read the audit log"):
        assert AuditEvent.objects.filter(action="instruments.parameters_changed").count() == 4
    with clinic_scope(world.a):
        history = selectors.parameter_history(actor=_admin(world), instrument_id="swyc-ppsc")
    assert [(c.value, c.reason, c.in_force) for c in history] == [
        (None, "default again", True),
        (12, "", False),
        (None, "back", False),
        (10, "director", False),
    ], "newest first, the latest marked in force"
    assert {c.changed_by for c in history} == {str(world.staff_a["clinic_admin"])}
    assert all(c.parameter is not None and c.parameter.name == "positive_at_least" for c in history)


def test_a_change_of_one_parameter_writes_one_row(world: ClinicWorld) -> None:
    """The BPSC and POSI forms send every parameter; only those that change are written."""
    assert _set(world, "epds", positive_at_least=11, positive_at_least_es=10, probable_at_least=13) == [
        "positive_at_least"
    ]
    with clinic_scope(world.a):
        assert list(ClinicParameter.objects.values_list("name", flat=True)) == ["positive_at_least"]
        epds = registry.get("epds", clinic=world.a)
    assert epds.parameter_value("positive_at_least") == 11
    assert epds.parameter_value("positive_at_least", "es") == 10


def test_the_batch_read_costs_two_queries_whatever_the_number_of_instruments(world: ClinicWorld) -> None:
    _load_epds_text(world, "es", "© RCPsych (es)")
    _set(world, "swyc-ppsc", positive_at_least=10)
    _set(world, "epds", positive_at_least=12)
    everything = [*CONTRACT_IDS, "cdc-milestones"]
    counts = {}
    with clinic_scope(world.a):
        for label, ids in (("one", ["phq9"]), ("two", ["epds", "swyc-ppsc"]), ("all", everything)):
            with CaptureQueriesContext(connection) as queries:
                instruments = registry.for_clinic(world.a, ids=ids)
            counts[label] = len(queries)
        with CaptureQueriesContext(connection) as queries:
            every = registry.for_clinic(world.a)
        counts["every"] = len(queries)
        with CaptureQueriesContext(connection) as queries:
            epds = instruments.get("epds")
            assert instruments.get("swyc-ppsc").parameter_value("positive_at_least") == 10
            assert instruments.get("cdc-milestones", age=9).id == "cdc-milestones-9m"
            assert instruments.copyright("epds", "es") == "© RCPsych (es)"
        assert len(queries) == 0, "reading from the set costs nothing more"
    assert counts == {"one": 2, "two": 2, "all": 2, "every": 2}
    assert len(instruments) == len(CONTRACT_IDS) + 10 and len(every) == len(instruments)
    assert epds.item(3).label("es") == "Texto 3" and epds.parameter_value("positive_at_least") == 12
    assert "phq9" in instruments and "nope" not in instruments
    with pytest.raises(KeyError):
        registry.for_clinic(None, ids=["phq9"]).get("epds")  # not read in this set


def test_the_copyright_notice_of_the_clinics_text_per_language(world: ClinicWorld) -> None:
    with clinic_scope(world.a):
        shipped = registry.get("epds").copyright
        assert registry.for_clinic(world.a, ids=["epds"]).copyright("epds", "es") == shipped
    _load_epds_text(world, "en", "© RCPsych, clinic copy (en)")
    with clinic_scope(world.a):
        instruments = registry.for_clinic(world.a, ids=["epds", "phq9"])
        assert instruments.copyright("epds", "en") == "© RCPsych, clinic copy (en)"
        assert instruments.copyright("epds", "es") == "© RCPsych, clinic copy (en)", "English as fallback"
        assert instruments.copyright("phq9", "es") == registry.get("phq9").copyright
    _load_epds_text(world, "es", "© RCPsych, copia de la clínica")
    with clinic_scope(world.a):
        assert registry.for_clinic(world.a, ids=["epds"]).copyright("epds", "es") == (
            "© RCPsych, copia de la clínica"
        )
    with clinic_scope(world.b):
        assert registry.for_clinic(world.b, ids=["epds"]).copyright("epds", "es") == shipped


def test_page_reads_check_the_permission(world: ClinicWorld) -> None:
    from django.core.exceptions import PermissionDenied

    nobody = Actor.for_staff(world.staff_a["front_desk"], clinic=world.a, roles=(), ip="127.0.0.1")
    with clinic_scope(world.a):
        for read in (
            lambda: selectors.library(actor=nobody),
            lambda: selectors.instrument(actor=nobody, instrument_id="phq9"),
            lambda: selectors.texts(actor=nobody, instrument_id="epds"),
            lambda: selectors.parameter_history(actor=nobody, instrument_id="epds"),
        ):
            with pytest.raises(PermissionDenied):
                read()
        front_desk = staff_actor(world, "front_desk")
        assert len(selectors.library(actor=front_desk)) == len(CONTRACT_IDS) + 10
        assert selectors.parameter_history(actor=front_desk, instrument_id="epds") == []
