"""``dyadcare directory import``: an HSDS 3.0 JSON file or tabular package into a network's
directory. Every record is validated against the HSDS schema (``jsonschema`` for JSON,
``frictionless`` for a package); good records are kept, bad ones reported with their file,
row and reason."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from dyadcare.referrals.internal.hsds_schema import RECORD_TYPES, _schemas, first_error
from dyadcare.referrals.internal.staging import Staged, flatten
from dyadcare.referrals.internal.tabular import read_package, tabular_json_to_folder
from dyadcare.referrals.internal.writer import write
from dyadcare.tenancy.models import Network

Progress = Callable[[str, int], None]


class UnreadableInput(Exception):
    """The path is missing, or is neither JSON nor a tabular package."""


@dataclass(frozen=True)
class ImportResult:
    organizations: int
    services: int
    locations: int
    rejected: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "organizations": self.organizations,
            "services": self.services,
            "locations": self.locations,
            "rejected": self.rejected,
        }


def stage(path: Path, progress: Progress | None = None) -> Staged:
    """Read and validate ``path`` (a JSON file or a package folder) into staged rows."""
    staged = Staged()
    if path.is_dir():
        if not (path / "datapackage.json").is_file():
            raise UnreadableInput(f"{path}: a folder must hold an HSDS datapackage.json")
        read_package(path, staged, progress)
        return staged
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UnreadableInput(f"{path}: no such file or folder") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableInput(f"{path}: cannot be read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise UnreadableInput(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from exc
    staged.whole_records = True
    _stage_document(document, path.name, staged, progress)
    return staged


def _stage_document(document: Any, file: str, staged: Staged, progress: Progress | None) -> None:
    if isinstance(document, dict) and document and all(k.endswith(".csv") for k in document):
        staged.whole_records = False
        with tempfile.TemporaryDirectory() as folder:
            tabular_json_to_folder(document, Path(folder))
            read_package(Path(folder), staged, progress)
        return
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        records = document["contents"]  # a page of an HSDS API list
    elif isinstance(document, dict) and "id" not in document and "openapi_url" in document:
        records = []  # the API's root document: it names the version, it holds no records
    else:
        records = document if isinstance(document, list) else [document]
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            staged.reject(file, number, "not an HSDS record (a JSON object)")
            continue
        kind = record_kind(record)
        problem = first_error(kind, record)
        if problem:
            staged.reject(file, number, f"{kind}: {problem}")
        else:
            flatten(staged, kind, record, file, number)
        if progress and number % 500 == 0:
            progress("checking records", 500)


@cache
def _distinctive() -> dict[str, frozenset[str]]:
    """Each record type's properties that no other top-level record type has."""
    props = {t: set(_schemas()[f"{t}.json"]["properties"]) for t in RECORD_TYPES}
    return {
        t: frozenset(p - set().union(*(props[o] for o in RECORD_TYPES if o != t))) for t, p in props.items()
    }


def record_kind(record: dict[str, Any]) -> str:
    """Which HSDS object a JSON record is, by the fields only that object has; a record with
    nothing distinctive (just an id, a name and a description) is an organization."""
    keys = set(record)
    scores = {t: len(keys & d) for t, d in _distinctive().items()}
    best = max(RECORD_TYPES, key=lambda t: scores[t])
    return best if scores[best] else "organization"


def import_into(network: Network, path: Path, progress: Progress | None = None) -> ImportResult:
    """Stage, check and write; the caller holds the transaction."""
    staged = stage(path, progress)
    write(staged, network, progress)
    return ImportResult(
        organizations=len(staged.tables["organization"]),
        services=len(staged.tables["service"]),
        locations=len(staged.tables["location"]),
        rejected=staged.rejected,
    )
