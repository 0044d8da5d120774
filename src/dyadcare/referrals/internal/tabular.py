"""Reading an HSDS Tabular Data Package (a folder with ``datapackage.json`` and CSV files).

The package is checked with ``frictionless`` against the HSDS descriptor shipped in
``referrals/hsds/`` (not the folder's own, so a package cannot loosen the schema), trimmed to
the CSV files the folder holds, as upstream's own tooling does. A row with an error (a
missing required value, a malformed one, a duplicate id, a reference to a row the package
does not hold) is turned away with its file, row number and frictionless's note; the other
rows are read and staged."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from frictionless import Package

from dyadcare.referrals.internal.hsds_schema import datapackage
from dyadcare.referrals.internal.staging import TABLES, Row, Staged

# From this many bytes of CSV, frictionless validates the files in parallel processes.
PARALLEL_BYTES = 2_000_000
# Tables kept nested on their owner (first owner column found wins), under the owner's key.
_NESTED_ON_OWNER: dict[str, list[tuple[str, str, str]]] = {
    "contact": [
        ("service_at_location_id", "service_at_location", "contacts"),
        ("service_id", "service", "contacts"),
        ("location_id", "location", "contacts"),
        ("organization_id", "organization", "contacts"),
    ],
    "program": [("organization_id", "organization", "programs")],
    "funding": [("service_id", "service", "funding"), ("organization_id", "organization", "funding")],
    "required_document": [("service_id", "service", "required_documents")],
    "accessibility": [("location_id", "location", "accessibility")],
    "cost_option": [("service_id", "service", "cost_options")],
    "organization_identifier": [("organization_id", "organization", "organization_identifiers")],
}


def _resources(folder: Path) -> list[dict[str, Any]]:
    """The HSDS resources whose CSV file is in the folder, without their foreign keys: the
    importer checks references itself, against the package and the directory already there
    (a package may name a record imported before), and frictionless reading each referenced
    file again for every key was most of an import's time."""
    present = [r for r in datapackage()["resources"] if (folder / r["path"]).is_file()]
    return [{**r, "schema": {**r["schema"], "foreignKeys": []}} for r in present]


def _row_errors(folder: Path, resources: list[dict[str, Any]], staged: Staged) -> dict[tuple[str, int], str]:
    """Validate the package; return {(resource, row number): reason}. Errors not tied to a
    row (a missing column, say) are reported against row 1, the header."""
    descriptor = {"name": "hsds", "resources": resources}
    package = Package(descriptor, basepath=str(folder))
    # A big package's files are validated side by side in worker processes (frictionless's
    # own ``parallel``, possible because the foreign keys are checked here, not by it).
    size = sum((folder / r["path"]).stat().st_size for r in resources)
    report = package.validate(limit_errors=10**9, parallel=size >= PARALLEL_BYTES)
    bad: dict[tuple[str, int], str] = {}
    by_name = {r["name"]: r["path"] for r in resources}
    for task in report.tasks:
        name = task.name or ""
        for error in task.errors:
            number = getattr(error, "row_number", None)
            field_name = getattr(error, "field_name", None)
            reason = f"{field_name}: {error.note}" if field_name else error.note
            cell = getattr(error, "cell", None)
            reason = f"{error.title}: {reason}" + (f" (value {cell!r})" if cell else "")
            if number is None:
                staged.reject(by_name.get(name, name), 1, reason)
                bad[(name, 0)] = reason
            else:
                bad.setdefault((name, number), reason)
    return bad


def _convert(value: str, kind: str) -> Any:
    if value == "":
        return None
    if kind == "number":
        number = float(value)
        return int(number) if number.is_integer() else number
    return value


def read_package(folder: Path, staged: Staged, progress: Callable[[str, int], None] | None = None) -> None:
    """Validate the package in ``folder`` and stage its good rows."""
    resources = _resources(folder)
    bad = _row_errors(folder, resources, staged)
    nested: list[tuple[str, str, int, Row]] = []
    for resource in resources:
        name, path = resource["name"], resource["path"]
        if (name, 0) in bad:
            continue  # the file's header is wrong: none of its rows can be read
        kinds = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
        with (folder / path).open(encoding="utf-8-sig", newline="") as handle:
            for number, raw in enumerate(csv.DictReader(handle), start=2):
                if (name, number) in bad:
                    staged.reject(path, number, bad[(name, number)])
                    continue
                row = {k: _convert(v or "", kinds.get(k, "string")) for k, v in raw.items() if k}
                row = {k: v for k, v in row.items() if v is not None}
                if name in TABLES:
                    staged.add(name, row, path, number)
                elif name in _NESTED_ON_OWNER:
                    nested.append((name, path, number, row))
        if progress:
            progress(f"checked {path}", 0)
    for name, path, number, row in nested:
        _nest_on_owner(staged, name, path, number, row)


def _nest_on_owner(staged: Staged, name: str, path: str, number: int, row: Row) -> None:
    for column, table, key in _NESTED_ON_OWNER[name]:
        owner_id = row.get(column)
        if owner_id is None:
            continue
        owner = staged.tables[table].get(owner_id)
        if owner is None:
            staged.reject(path, number, f"{name} {row.get('id')}: unknown {table} {owner_id}")
        else:
            owner.setdefault(key, []).append(row)
        return
    staged.reject(path, number, f"{name} {row.get('id')}: it belongs to no record")


def tabular_json_to_folder(document: dict[str, list[Row]], folder: Path) -> None:
    """Write a tabular package given as JSON ({"services.csv": [rows]}, as HSDS's own
    example has it) out as CSV files with a descriptor, to read like any package."""
    known = {r["path"]: r for r in datapackage()["resources"]}
    for path, rows in document.items():
        resource = known.get(path)
        if resource is None or not isinstance(rows, list):
            continue
        columns = [f["name"] for f in resource["schema"]["fields"]]
        with (folder / path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: _cell(v) for k, v in row.items()})
    (folder / "datapackage.json").write_text(json.dumps({"name": "hsds"}), encoding="utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
