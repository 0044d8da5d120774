"""The HSDS 3.0 schemas shipped in ``referrals/hsds/``: a ``jsonschema`` validator per record
type (references between the schema files resolved by file name) and the tabular package
descriptor for ``frictionless``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HSDS_DIR = Path(__file__).resolve().parent.parent / "hsds"

# HSDS objects a JSON file may hold at its top level.
RECORD_TYPES = ("organization", "service", "location", "service_at_location", "taxonomy", "taxonomy_term")


@cache
def _schemas() -> dict[str, dict[str, Any]]:
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in HSDS_DIR.glob("*.json")
        if path.name != "datapackage.json"
    }


@cache
def _registry() -> Registry:
    return Registry().with_resources(
        (name, Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in _schemas().items()
    )


@cache
def validator(record_type: str) -> Draft202012Validator:
    schema = _schemas()[f"{record_type}.json"]
    return Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())


def first_error(record_type: str, record: Any) -> str | None:
    """The most relevant schema error of ``record`` in words, or None when it is valid."""
    error: ValidationError | None = best_match(validator(record_type).iter_errors(record))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


@cache
def datapackage() -> dict[str, Any]:
    """The HSDS tabular package descriptor: resource name -> its resource (path, schema)."""
    descriptor: dict[str, Any] = json.loads((HSDS_DIR / "datapackage.json").read_text(encoding="utf-8"))
    return descriptor
