"""Storage per table and per child of a demo network on PostgreSQL (table, its indexes, and
both with TOAST), the figures docs/scaling.md sizes a state network from.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dyadcare_bench_50k \
        .venv/bin/python bench/storage.py [--top 25]

Reads ``pg_relation_size``, ``pg_indexes_size`` and ``pg_total_relation_size`` of every table
of the public schema after a ``VACUUM ANALYZE`` (live row counts from the statistics), and
divides by the number of children. On SQLite the same from the ``dbstat`` table (pages of
each table and its indexes; SQLite built with it, as Python's is). Prints a markdown table and
one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from demodb import database_url

MB = 1024 * 1024

POSTGRES = """
SELECT c.relname, c.reltuples::bigint, pg_relation_size(c.oid), pg_indexes_size(c.oid),
       pg_total_relation_size(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname = 'public'
ORDER BY pg_total_relation_size(c.oid) DESC
"""


def _postgres(cursor: Any) -> list[dict[str, Any]]:
    cursor.execute("VACUUM ANALYZE")
    cursor.execute(POSTGRES)
    return [
        {"table": name, "rows": max(rows, 0), "table_bytes": heap, "index_bytes": index, "total_bytes": total}
        for name, rows, heap, index, total in cursor.fetchall()
    ]


SQLITE = """
SELECT m.tbl_name, sum(CASE WHEN m.type = 'table' THEN d.pgsize ELSE 0 END),
       sum(CASE WHEN m.type = 'index' THEN d.pgsize ELSE 0 END), sum(d.pgsize)
FROM dbstat d JOIN sqlite_master m ON m.name = d.name
GROUP BY m.tbl_name ORDER BY 4 DESC
"""


def _sqlite(cursor: Any) -> list[dict[str, Any]]:
    """Per table from SQLite's ``dbstat`` table (its indexes attributed to it)."""
    cursor.execute(SQLITE)
    tables = [
        {"table": name, "rows": None, "table_bytes": heap, "index_bytes": index, "total_bytes": total}
        for name, heap, index, total in cursor.fetchall()
    ]
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table["table"]}"')
        table["rows"] = cursor.fetchone()[0]
    return tables


def _clinic_keys() -> dict[str, str]:
    """Each model's table: "scoped" when the model is a ClinicScopedModel (a required clinic
    key, every query filtered by it), "clinic" when it has another clinic key, "no" else."""
    from django.apps import apps

    from dyadcare.tenancy.scope import ClinicScopedModel

    keys = {}
    for model in apps.get_models(include_auto_created=True):
        has = any(f.name == "clinic" and f.is_relation for f in model._meta.concrete_fields)
        keys[model._meta.db_table] = (
            "scoped" if issubclass(model, ClinicScopedModel) else "clinic" if has else "no"
        )
    return keys


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="var/bench-50000.sqlite3", help="SQLite file if no DATABASE_URL")
    parser.add_argument("--top", type=int, default=25, help="tables listed (the total counts them all)")
    args = parser.parse_args()
    os.environ.update({"DYADCARE_DEMO": "1", "DATABASE_URL": database_url(args.db)})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dyadcare.settings")
    import django

    django.setup()
    from django.db import connection

    from dyadcare.families.models import Child
    from dyadcare.tenancy.scope import unscoped

    with unscoped("benchmark: counting"):
        children = Child.objects.count()
    with connection.cursor() as cursor:
        tables = _postgres(cursor) if connection.vendor == "postgresql" else _sqlite(cursor)
    keys = _clinic_keys()
    for table in tables:
        table["clinic_key"] = keys.get(table["table"], "")
    total = {k: sum(t[k] for t in tables) for k in ("table_bytes", "index_bytes", "total_bytes")}
    print(f"{connection.vendor}, {children:,} children\n")
    print(
        "| table | clinic key | rows | rows per child | table MB | indexes MB | total MB | bytes per child |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for t in [*tables[: args.top], {"table": "all tables", "rows": None, "clinic_key": "", **total}]:
        rows = "" if t["rows"] is None else f"{t['rows']:,}"
        per = "" if t["rows"] is None else f"{t['rows'] / children:.2f}"
        print(
            f"| {t['table']} | {t['clinic_key']} | {rows} | {per} | {t['table_bytes'] / MB:,.1f} "
            f"| {t['index_bytes'] / MB:,.1f} | {t['total_bytes'] / MB:,.1f} "
            f"| {t['total_bytes'] / children:,.0f} |"
        )
    print()
    print(json.dumps({"benchmark": "storage", "vendor": connection.vendor, "children": children,
                      "total": total, "tables": tables}))  # fmt: skip


if __name__ == "__main__":
    main()
