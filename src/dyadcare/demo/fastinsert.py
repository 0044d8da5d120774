"""Insert many demo rows quickly: values are converted once per column type instead of per
field per row (Django's bulk_create spends most of its time there), then written with one
executemany per batch (on PostgreSQL, with COPY). Existing rows (same primary key) are skipped, as in
``bulk_create(ignore_conflicts=True)``. For generated demo data only: no model validation,
no signals."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC
from itertools import islice
from typing import Any

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

Converter = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _converter(field: models.Field[Any, Any], connection: BaseDatabaseWrapper) -> Converter:
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    sqlite = connection.vendor == "sqlite"
    if isinstance(target, models.UUIDField):
        return (lambda v: v.hex if isinstance(v, uuid.UUID) else v) if sqlite else _identity
    if isinstance(target, models.DateTimeField):
        if sqlite:
            return lambda v: None if v is None else v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        return _identity
    if isinstance(target, models.DateField):
        return (lambda v: None if v is None else v.isoformat()) if sqlite else _identity
    if isinstance(target, models.JSONField):
        return lambda v: json.dumps(v)
    return _identity


def _checked(
    rows: Iterable[Sequence[Any]], width: int, model: type[models.Model], converters: list[Converter]
) -> Iterator[list[Any]]:
    needed = [(i, c) for i, c in enumerate(converters) if c is not _identity]
    for row in rows:
        values = list(row)
        if len(values) != width:
            raise ValueError(f"{model.__name__}: {width} values per row, not {len(values)}")
        for i, convert in needed:
            values[i] = convert(values[i])
        yield values


def _copy_insert(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    table: str,
    quoted: str,
    rows: Iterator[list[Any]],
) -> None:
    """PostgreSQL: stream the rows with COPY into a temporary table shaped like the model's,
    then move them across in one statement that skips the rows already there."""
    staging = connection.ops.quote_name(f"fastinsert_{model._meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} (LIKE {table} INCLUDING DEFAULTS)")
        with cursor.cursor.copy(f"COPY {staging} ({quoted}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for values in rows:
                copy.write_row(values)
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM {staging} ON CONFLICT DO NOTHING"  # noqa: S608
        )
        cursor.execute(f"DROP TABLE {staging}")


def fast_insert(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = 5000
) -> None:
    connection = connections[model.objects.db]  # type: ignore[attr-defined]
    fields = [model._meta.get_field(name) for name in columns]
    converters = [_converter(f, connection) for f in fields]  # type: ignore[arg-type]
    quoted = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)  # type: ignore[union-attr]
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        _copy_insert(connection, model, table, quoted, _checked(rows, len(fields), model, converters))
        return
    sql = f"INSERT OR IGNORE INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608 (names from the model)
    # Convert only the columns that need it (UUIDs, datetimes, JSON on SQLite), in place.
    iterator = _checked(rows, len(fields), model, converters)
    with connection.cursor() as cursor:
        while chunk := list(islice(iterator, batch)):
            cursor.executemany(sql, chunk)


def fast_insert_objects(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """``fast_insert`` for unsaved model instances (every concrete column; auto_now and
    auto_now_add fields are stamped now)."""
    from django.utils import timezone

    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.generated]  # the database computes those
    stamped = {
        f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    names = [f.name for f in fields]
    attnames = [f.attname for f in fields]
    rows = ([now if a in stamped else getattr(o, a) for a in attnames] for o in objects)
    fast_insert(model, names, rows)


__all__ = ["fast_insert", "fast_insert_objects"]
