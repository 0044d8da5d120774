"""A database trigger that refuses UPDATE on the audit log, whatever code runs the statement.

(DELETE is refused by the model and its queryset; the test database's flush between tests
needs to empty the table, and retention is an operator's decision outside the app.)
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER tenancy_auditevent_no_update BEFORE UPDATE ON tenancy_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS tenancy_auditevent_no_update;"

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION tenancy_auditevent_refuse_update() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tenancy_auditevent_no_update BEFORE UPDATE ON tenancy_auditevent
FOR EACH ROW EXECUTE FUNCTION tenancy_auditevent_refuse_update();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS tenancy_auditevent_no_update ON tenancy_auditevent;
DROP FUNCTION IF EXISTS tenancy_auditevent_refuse_update();
"""


def _run(statements: dict[str, str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        sql = statements.get(schema_editor.connection.vendor)
        if sql is None:
            raise RuntimeError(f"no append-only trigger for {schema_editor.connection.vendor}")
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(sql.strip())
        else:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
