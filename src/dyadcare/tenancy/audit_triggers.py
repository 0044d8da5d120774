"""The database triggers that make the audit log append-only, for SQLite and PostgreSQL.

The database itself refuses UPDATE and DELETE on ``tenancy_auditevent`` (and, on PostgreSQL,
TRUNCATE), whatever code runs the statement. ``dyadcare audit verify`` checks that every
trigger below is present, enabled and still refuses (a trigger whose function was replaced by
one that lets the statement through counts as missing).

Pure SQL and plain functions of a connection: no model is imported, so the test plugin can use
it before Django is set up.
"""

from __future__ import annotations

from typing import Any

TABLE = "tenancy_auditevent"

# name -> statement it refuses
TRIGGERS: dict[str, dict[str, str]] = {
    "sqlite": {
        "tenancy_auditevent_no_update": "UPDATE",
        "tenancy_auditevent_no_delete": "DELETE",
    },
    "postgresql": {
        "tenancy_auditevent_no_update": "UPDATE",
        "tenancy_auditevent_no_delete": "DELETE",
        "tenancy_auditevent_no_truncate": "TRUNCATE",
    },
}

PG_FUNCTION = "tenancy_auditevent_refuse_update"

_PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END;
$$ LANGUAGE plpgsql
"""


def _sqlite_create(name: str, statement: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {statement} ON {TABLE} "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )


def _pg_create(name: str, statement: str) -> list[str]:
    each = "STATEMENT" if statement == "TRUNCATE" else "ROW"
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {TABLE}",
        f"CREATE TRIGGER {name} BEFORE {statement} ON {TABLE} "
        f"FOR EACH {each} EXECUTE FUNCTION {PG_FUNCTION}()",
    ]


def create_statements(vendor: str) -> list[str]:
    """Statements that install every trigger (idempotent)."""
    if vendor == "sqlite":
        return [_sqlite_create(name, what) for name, what in TRIGGERS["sqlite"].items()]
    if vendor == "postgresql":
        return [_PG_FUNCTION_SQL] + [s for n, w in TRIGGERS["postgresql"].items() for s in _pg_create(n, w)]
    raise RuntimeError(f"no append-only triggers for {vendor}")


def drop_statements(vendor: str) -> list[str]:
    """Statements that remove every trigger (migrations that rewrite the table; the test
    suite's flush between tests)."""
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS["sqlite"]]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {TABLE}" for name in TRIGGERS["postgresql"]]
    raise RuntimeError(f"no append-only triggers for {vendor}")


def refusing_triggers(connection: Any) -> set[str]:
    """The names of the triggers on the audit table that are enabled and refuse."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
            return {name for name, sql in cursor.fetchall() if "RAISE(ABORT" in (sql or "").upper()}
        cursor.execute(
            """
            SELECT t.tgname, p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal AND t.tgenabled <> 'D'
            """,
            [TABLE],
        )
        return {name for name, source in cursor.fetchall() if "RAISE EXCEPTION" in source.upper()}


def missing_triggers(connection: Any) -> list[str]:
    """Expected triggers that are absent, disabled or no longer refuse, as "name (STATEMENT)"."""
    present = refusing_triggers(connection)
    expected = TRIGGERS.get(connection.vendor, {})
    return [f"{name} ({what})" for name, what in expected.items() if name not in present]
