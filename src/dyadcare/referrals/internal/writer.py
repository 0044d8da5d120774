"""Checking staged rows' references and writing them in bulk.

References are checked table by table, parents first, against the rows staged in this run
and the rows already in the network's directory; a row that points at an unknown record is
turned away, and so, in turn, are the rows that pointed at it. The rest are upserted with one
``INSERT … ON CONFLICT`` per batch: keys are derived from the HSDS ids
(:func:`~dyadcare.referrals.internal.keys.row_key`), so importing again updates, never
duplicates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

from dyadcare.referrals import models as m
from dyadcare.referrals.internal.keys import row_key
from dyadcare.referrals.internal.staging import TABLES, Row, Staged
from dyadcare.tenancy.models import Network

MODELS: dict[str, type[m.DirectoryRow]] = {
    "taxonomy": m.Taxonomy,
    "taxonomy_term": m.TaxonomyTerm,
    "organization": m.Organization,
    "location": m.Location,
    "address": m.Address,
    "service": m.Service,
    "service_at_location": m.ServiceAtLocation,
    "phone": m.Phone,
    "language": m.Language,
    "schedule": m.Schedule,
    "service_area": m.ServiceArea,
    "attribute": m.Attribute,
}
# Table -> its references: (column, table referred to, required).
REFS: dict[str, list[tuple[str, str, bool]]] = {
    "taxonomy_term": [("taxonomy_id", "taxonomy", False)],
    "location": [("organization_id", "organization", False)],
    "address": [("location_id", "location", True)],
    "service": [("organization_id", "organization", False)],
    "service_at_location": [("service_id", "service", True), ("location_id", "location", True)],
    "phone": [
        ("service_id", "service", False),
        ("location_id", "location", False),
        ("organization_id", "organization", False),
        ("service_at_location_id", "service_at_location", False),
    ],
    "language": [
        ("service_id", "service", False),
        ("location_id", "location", False),
        ("phone_id", "phone", False),
    ],
    "schedule": [
        ("service_id", "service", False),
        ("location_id", "location", False),
        ("service_at_location_id", "service_at_location", False),
    ],
    "service_area": [("service_id", "service", True)],
    "attribute": [("taxonomy_term_id", "taxonomy_term", True)],
}
# HSDS columns stored under another name.
RENAMED = {"taxonomy_term": {"taxonomy": "taxonomy_name", "parent_id": "parent_hsds_id"}}
BATCH = 1000
# Local fields an import never overwrites (kept by the network, not in HSDS).
LOCAL_FIELDS = frozenset(
    {"id", "network", "translations", "accepts_referrals_via", "referral_contact", "last_verified_at"}
)


def link_entity(row: Row) -> str:
    """What an attribute tags: the record it was nested in, else its ``link_entity``."""
    return str(row.get("_link") or row.get("link_entity") or "")


def _in_directory(network: Network, table: str, ids: set[str]) -> set[str]:
    found: set[str] = set()
    manager = MODELS[table].objects
    listed = sorted(ids)
    for start in range(0, len(listed), 900):
        chunk = listed[start : start + 900]
        found.update(manager.filter(network=network, hsds_id__in=chunk).values_list("hsds_id", flat=True))
    return found


def check_references(staged: Staged, network: Network) -> None:
    """Turn away every staged row that refers to a record neither staged nor in the directory."""
    for table in TABLES:
        rows = staged.tables[table]
        refs = list(REFS.get(table, []))
        if table == "attribute":
            refs += [("link_id", entity, False) for entity in ("service", "organization", "location")]
        wanted: dict[str, set[str]] = {}
        for row in rows.values():
            for column, target, _ in refs:
                value = row.get(column)
                relevant = table != "attribute" or column != "link_id" or link_entity(row) == target
                if value and value not in staged.tables[target] and relevant:
                    wanted.setdefault(target, set()).add(value)
        stored = {t: _in_directory(network, t, ids) for t, ids in wanted.items()}
        for hsds_id, row in list(rows.items()):
            problem = _missing(table, row, refs, staged, stored)
            if problem:
                staged.drop(table, hsds_id, problem)


def _missing(
    table: str, row: Row, refs: list[tuple[str, str, bool]], staged: Staged, stored: dict[str, set[str]]
) -> str | None:
    for column, target, required in refs:
        value = row.get(column)
        if table == "attribute" and column == "link_id" and link_entity(row) != target:
            continue
        if not value:
            if required:
                return f"{column} is missing"
            continue
        if value not in staged.tables[target] and value not in stored.get(target, set()):
            return f"{column} refers to an unknown {target} {value}"
    return None


def _value(field: models.Field[Any, Any], value: Any) -> Any:
    if isinstance(field, (models.CharField, models.TextField)):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)[: field.max_length] if isinstance(field, models.CharField) else str(value)
    if value is None:
        return None
    if isinstance(field, models.FloatField):
        return float(value)
    if isinstance(field, models.TimeField):
        return time.fromisoformat(str(value))
    if isinstance(field, models.DateField):
        return date.fromisoformat(str(value)[:10])
    return value


def _instance(table: str, row: Row, network: Network) -> dict[str, Any]:
    """The column values (by attname) of a staged HSDS row; raises ValueError on a malformed
    value."""
    model = MODELS[table]
    fields = _fields(model)
    renamed = RENAMED.get(table, {})
    values: dict[str, Any] = {"id": row_key(network.pk, table, row["id"]), "network_id": network.pk}
    extra: dict[str, Any] = {}
    refs = {column: target for column, target, _ in REFS.get(table, [])}
    for key, value in row.items():
        name = renamed.get(key, key)
        if key == "id":
            values["hsds_id"] = value
        elif key in refs:
            values[key] = row_key(network.pk, refs[key], value) if value else None
        elif name in fields and name not in ("network", "extra", "hsds_id", "id"):
            try:
                values[name] = _value(fields[name], value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{key} is malformed ({value!r})") from exc
        else:
            extra[key] = value
    values["extra"] = extra
    if table == "attribute" and link_entity(row) == "service":
        values["service_id"] = row_key(network.pk, "service", row["link_id"])
    return values


def _fields(model: type[m.DirectoryRow]) -> dict[str, models.Field[Any, Any]]:
    return {f.name: f for f in model._meta.concrete_fields}


def write(staged: Staged, network: Network, progress: Callable[[str, int], None] | None = None) -> None:
    """Turn away malformed rows and rows with unknown references, then upsert the rest,
    parents first."""
    prepared: dict[str, dict[str, dict[str, Any]]] = {}
    for table in TABLES:
        prepared[table] = {}
        for hsds_id, row in list(staged.tables[table].items()):
            try:
                prepared[table][hsds_id] = _instance(table, row, network)
            except ValueError as exc:
                staged.drop(table, hsds_id, str(exc))
    check_references(staged, network)
    for table in TABLES:
        kept = staged.tables[table]
        rows = [values for hsds_id, values in prepared[table].items() if hsds_id in kept]
        _upsert(MODELS[table], rows, table, progress)


def _upsert(
    model: type[m.DirectoryRow],
    rows: list[dict[str, Any]],
    table: str,
    progress: Callable[[str, int], None] | None,
) -> None:
    """``INSERT … ON CONFLICT (id) DO UPDATE`` in batches (SQLite and PostgreSQL alike): values
    converted once per column, local fields written on insert only."""
    connection = connections[router.db_for_write(model)]
    columns = list(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(f.column)) for f in columns)
    updates = ", ".join(
        f"{quote(str(f.column))} = excluded.{quote(str(f.column))}"
        for f in columns
        if f.name not in LOCAL_FIELDS
    )
    # Table and column names come from the models, never from the input.
    holes = ", ".join(["%s"] * len(columns))
    table_name = quote(model._meta.db_table)
    sql = f"INSERT INTO {table_name} ({names}) VALUES ({holes}) ON CONFLICT (id) DO UPDATE SET {updates}"  # noqa: S608
    now = timezone.now()
    defaults = {f.attname: f.get_default() for f in columns}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            params = []
            for values in batch:
                values.setdefault("updated_at", now)
                params.append(
                    [
                        f.get_db_prep_save(values.get(f.attname, defaults[f.attname]), connection)
                        for f in columns
                    ]
                )
            cursor.executemany(sql, params)
            if progress:
                progress(f"writing {table}", len(batch))
