"""The name search on an index: FTS5 tables kept by triggers on SQLite, trigram (pg_trgm) GIN
indexes on PostgreSQL. Chosen by the connection's vendor; see families/internal/search.py."""

from django.db import migrations

SQLITE = [
    # Children: the search name and the MRN; caregivers: the search name. External-content
    # tables (the rows stay in the model's table), kept in step by triggers.
    """CREATE VIRTUAL TABLE families_child_fts USING fts5(
        search_name, mrn, content='families_child', content_rowid='rowid', tokenize='unicode61')""",
    """CREATE TRIGGER families_child_fts_ai AFTER INSERT ON families_child BEGIN
        INSERT INTO families_child_fts(rowid, search_name, mrn) VALUES (new.rowid, new.search_name, new.mrn);
    END""",
    """CREATE TRIGGER families_child_fts_ad AFTER DELETE ON families_child BEGIN
        INSERT INTO families_child_fts(families_child_fts, rowid, search_name, mrn)
        VALUES ('delete', old.rowid, old.search_name, old.mrn);
    END""",
    """CREATE TRIGGER families_child_fts_au AFTER UPDATE OF search_name, mrn ON families_child BEGIN
        INSERT INTO families_child_fts(families_child_fts, rowid, search_name, mrn)
        VALUES ('delete', old.rowid, old.search_name, old.mrn);
        INSERT INTO families_child_fts(rowid, search_name, mrn) VALUES (new.rowid, new.search_name, new.mrn);
    END""",
    "INSERT INTO families_child_fts(families_child_fts) VALUES ('rebuild')",
    """CREATE VIRTUAL TABLE families_caregiver_fts USING fts5(
        search_name, content='families_caregiver', content_rowid='rowid', tokenize='unicode61')""",
    """CREATE TRIGGER families_caregiver_fts_ai AFTER INSERT ON families_caregiver BEGIN
        INSERT INTO families_caregiver_fts(rowid, search_name) VALUES (new.rowid, new.search_name);
    END""",
    """CREATE TRIGGER families_caregiver_fts_ad AFTER DELETE ON families_caregiver BEGIN
        INSERT INTO families_caregiver_fts(families_caregiver_fts, rowid, search_name)
        VALUES ('delete', old.rowid, old.search_name);
    END""",
    """CREATE TRIGGER families_caregiver_fts_au AFTER UPDATE OF search_name ON families_caregiver BEGIN
        INSERT INTO families_caregiver_fts(families_caregiver_fts, rowid, search_name)
        VALUES ('delete', old.rowid, old.search_name);
        INSERT INTO families_caregiver_fts(rowid, search_name) VALUES (new.rowid, new.search_name);
    END""",
    "INSERT INTO families_caregiver_fts(families_caregiver_fts) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS families_child_fts_ai",
    "DROP TRIGGER IF EXISTS families_child_fts_ad",
    "DROP TRIGGER IF EXISTS families_child_fts_au",
    "DROP TABLE IF EXISTS families_child_fts",
    "DROP TRIGGER IF EXISTS families_caregiver_fts_ai",
    "DROP TRIGGER IF EXISTS families_caregiver_fts_ad",
    "DROP TRIGGER IF EXISTS families_caregiver_fts_au",
    "DROP TABLE IF EXISTS families_caregiver_fts",
]
POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX families_child_name_trgm ON families_child USING gin (search_name gin_trgm_ops)",
    # A search compares the MRN case-insensitively (Django's iexact: UPPER(mrn::text)).
    "CREATE INDEX families_child_mrn_upper ON families_child (UPPER(mrn::text))",
    "CREATE INDEX families_caregiver_name_trgm ON families_caregiver USING gin (search_name gin_trgm_ops)",
    "CREATE INDEX families_caregiver_phone_trgm ON families_caregiver USING gin (phone gin_trgm_ops)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS families_child_name_trgm",
    "DROP INDEX IF EXISTS families_child_mrn_upper",
    "DROP INDEX IF EXISTS families_caregiver_name_trgm",
    "DROP INDEX IF EXISTS families_caregiver_phone_trgm",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0003_search_covering_indexes"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
