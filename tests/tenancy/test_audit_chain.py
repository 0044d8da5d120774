"""The audit log is tamper-evident on the database itself (SQLite and PostgreSQL alike): the
triggers refuse UPDATE and DELETE, and ``dyadcare audit verify`` names the first broken entry
of a chain after a row is deleted, inserted or edited behind the triggers' back, or when a
trigger is gone."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record
from dyadcare.tenancy.audit_triggers import create_statements, drop_statements
from dyadcare.tenancy.auditchain import GENESIS, digest
from dyadcare.tenancy.models import AuditEvent
from tests.conftest import PgDatabases
from tests.factories import ClinicWorld

DYADCARE = str(Path(sys.executable).with_name("dyadcare"))


def _verify() -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    code = 0
    try:
        call_command("audit", "verify", stdout=out)
    except SystemExit as exc:
        code = int(exc.code or 0)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    return code, json.loads(lines[0])


def _sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _without_triggers(statement: str, params: list[Any] | None = None) -> None:
    """What someone with direct database access does: lift the triggers, write, put them back."""
    for drop in drop_statements(connection.vendor):
        _sql(drop)
    _sql(statement, params)
    for create in create_statements(connection.vendor):
        _sql(create.strip())


@pytest.fixture
def entries(world: ClinicWorld) -> list[AuditEvent]:
    actor = Actor.for_staff(
        world.staff_a["clinic_admin"], clinic=world.a, roles=("clinic_admin",), ip="10.0.0.5"
    )
    return [audit_record(actor=actor, action="view", obj=world.child_a, summary=f"n{i}") for i in range(4)]


def _problems(report: dict[str, Any]) -> list[tuple[Any, Any]]:
    return [(p["chain"], p["entry"]) for p in report["problems"]]


def test_an_untouched_log_verifies(entries: list[AuditEvent]) -> None:
    code, report = _verify()
    assert code == 0
    assert report["ok"] is True and report["problems"] == []
    assert report["entries"] >= 4 and report["chains"] >= 1
    assert set(report) == {"entries", "chains", "ok", "problems"}


def test_entries_of_a_clinic_follow_each_other(entries: list[AuditEvent]) -> None:
    chain = entries[0].chain
    assert chain == f"clinic:{entries[0].clinic_id}"
    seqs = [e.seq for e in entries]
    assert seqs == list(range(seqs[0], seqs[0] + 4))
    first = AuditEvent._base_manager.get(chain=chain, seq=1)
    assert first.hash == digest(GENESIS, first)
    assert entries[1].hash == digest(entries[0].hash, entries[1])


def test_the_database_refuses_delete(entries: list[AuditEvent]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql("DELETE FROM tenancy_auditevent WHERE id = %s", [entries[1].pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql("UPDATE tenancy_auditevent SET summary = 'x' WHERE id = %s", [entries[1].pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent._base_manager.filter(pk=entries[1].pk)._raw_delete(connection.alias)  # type: ignore[attr-defined]


def test_verify_names_the_entry_after_a_deleted_one(entries: list[AuditEvent]) -> None:
    _without_triggers("DELETE FROM tenancy_auditevent WHERE id = %s", [entries[1].pk])
    code, report = _verify()
    assert code == 1 and report["ok"] is False
    assert _problems(report) == [(entries[2].chain, entries[2].pk)]
    assert "missing" in report["problems"][0]["reason"]


def test_verify_notices_the_last_entry_deleted(entries: list[AuditEvent]) -> None:
    _without_triggers("DELETE FROM tenancy_auditevent WHERE id = %s", [entries[3].pk])
    code, report = _verify()
    assert code == 1
    assert _problems(report) == [(entries[3].chain, entries[2].pk)]


def test_verify_names_an_edited_entry(entries: list[AuditEvent]) -> None:
    _without_triggers(
        "UPDATE tenancy_auditevent SET summary = 'nothing to see' WHERE id = %s", [entries[1].pk]
    )
    code, report = _verify()
    assert code == 1
    assert _problems(report) == [(entries[1].chain, entries[1].pk)]
    assert "hash" in report["problems"][0]["reason"]


def test_verify_names_a_back_dated_edit(entries: list[AuditEvent]) -> None:
    _without_triggers("UPDATE tenancy_auditevent SET at = %s WHERE id = %s", [entries[0].at, entries[2].pk])
    code, report = _verify()
    assert code == 1
    assert _problems(report) == [(entries[2].chain, entries[2].pk)]


def _insert(world: ClinicWorld, **columns: Any) -> int:
    row = {
        "at": columns.pop("at", None) or AuditEvent._base_manager.get(pk=columns.pop("like")).at,
        "actor_label": "intruder",
        "roles": "",
        "clinic_id": world.a.pk,
        "action": "view",
        "object_type": "",
        "object_id": "",
        "summary": "",
        "user_agent": "",
        "path": "",
        "chain": "",
        "hash": "",
        **columns,
    }
    names = ", ".join(row)
    marks = ", ".join(["%s"] * len(row))
    values = [AuditEvent._meta.get_field(k).get_db_prep_value(v, connection) for k, v in row.items()]
    _sql(f"INSERT INTO tenancy_auditevent ({names}) VALUES ({marks})", values)
    return int(AuditEvent._base_manager.order_by("-id").values_list("id", flat=True)[0])


def test_verify_names_a_back_dated_row_inserted_without_a_chain(
    world: ClinicWorld, entries: list[AuditEvent]
) -> None:
    inserted = _insert(world, like=entries[0].pk)
    code, report = _verify()
    assert code == 1
    assert _problems(report) == [(entries[0].chain, inserted)]
    assert "not in any chain" in report["problems"][0]["reason"]


def test_verify_names_a_row_inserted_with_a_forged_link(
    world: ClinicWorld, entries: list[AuditEvent]
) -> None:
    last = entries[-1]
    inserted = _insert(world, like=last.pk, chain=last.chain, seq=(last.seq or 0) + 1, hash="f" * 64)
    code, report = _verify()
    assert code == 1
    assert _problems(report) == [(last.chain, inserted)]


def test_verify_names_a_dropped_trigger(entries: list[AuditEvent]) -> None:
    for drop in drop_statements(connection.vendor):
        if "no_delete" in drop:
            _sql(drop)
    code, report = _verify()
    assert code == 1
    assert [(p["chain"], p["entry"]) for p in report["problems"]] == [(None, None)]
    assert "tenancy_auditevent_no_delete" in report["problems"][0]["reason"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a disabled trigger is PostgreSQL's")
def test_verify_names_a_disabled_trigger(entries: list[AuditEvent]) -> None:
    _sql("SET CONSTRAINTS ALL IMMEDIATE")  # the test's inserts leave checks pending, which ALTER refuses
    _sql("ALTER TABLE tenancy_auditevent DISABLE TRIGGER tenancy_auditevent_no_update")
    code, report = _verify()
    assert code == 1
    assert "tenancy_auditevent_no_update" in report["problems"][0]["reason"]


OLD_ENTRIES = """
from django.db import connection
with connection.cursor() as cursor:
    for at in ("2026-01-02 10:00:00", "2026-01-01 09:00:00", "2026-01-03 08:00:00"):
        cursor.execute(
            "INSERT INTO tenancy_auditevent (at, actor_label, roles, action, object_type, object_id,"
            " summary, ip, user_agent, path)"
            " VALUES (%s, 'before', '', 'login', '', '', '', '10.0.0.1', '', '/')",
            [at],
        )
"""


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_the_migration_chains_the_entries_written_before(
    tmp_path: Path, vendor: str, pg_databases: PgDatabases
) -> None:
    url = f"sqlite:///{tmp_path}/old.sqlite3" if vendor == "sqlite" else pg_databases(1)[0]
    environ = {**os.environ, "DYADCARE_DEMO": "1", "DATABASE_URL": url, "DYADCARE_HOME": str(tmp_path)}
    environ.pop("DYADCARE_SECRET_KEY", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([DYADCARE, *args], env=environ, capture_output=True, text=True, check=False)

    assert run("migrate", "tenancy", "0003", "-v", "0").returncode == 0
    assert run("shell", "-c", OLD_ENTRIES).returncode == 0
    assert run("migrate", "-v", "0").returncode == 0
    verified = run("audit", "verify")
    assert verified.returncode == 0, verified.stdout
    assert json.loads(verified.stdout) == {"entries": 3, "chains": 1, "ok": True, "problems": []}
