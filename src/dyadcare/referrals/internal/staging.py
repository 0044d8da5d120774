"""HSDS records staged as flat tables before they are written.

Both import formats end here: a JSON record (an organization or a service with everything
nested) is flattened into the tabular shape, one row per HSDS object with its parent's id in
the foreign-key column (``service_id``, ``location_id``…), exactly as the Tabular Data Package
has it. Objects the directory does not keep as rows (contacts, programs, funding, cost
options, accessibility, required documents, metadata…) stay nested as HSDS JSON on their
owner, under the owner's ``extra``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]

# Object type -> {key holding nested objects: (their type, the foreign key they get)}.
# A None foreign key means the parent points at the child instead (``service.organization``).
_NESTED: dict[str, dict[str, tuple[str, str | None]]] = {
    "organization": {
        "locations": ("location", "organization_id"),
        "phones": ("phone", "organization_id"),
        "services": ("service", "organization_id"),
    },
    "service": {
        "organization": ("organization", None),
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "languages": ("language", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
    },
    "location": {
        "addresses": ("address", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
        "languages": ("language", "location_id"),
    },
    "service_at_location": {
        "service": ("service", None),
        "location": ("location", None),
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
    },
    "phone": {"languages": ("language", "phone_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", None)},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", None)},
}
# The tables kept as rows, in the order they are checked and written (parents first).
TABLES = (
    "taxonomy",
    "taxonomy_term",
    "organization",
    "location",
    "address",
    "service",
    "service_at_location",
    "phone",
    "language",
    "schedule",
    "service_area",
    "attribute",
)
# Tables that can carry attributes (HSDS `attributes` nested, or `link_entity` in CSV).
ATTRIBUTE_OWNERS = frozenset(TABLES) - {"attribute", "taxonomy", "taxonomy_term"}


@dataclass
class Staged:
    """Rows by table and HSDS id, where each came from, and what was turned away."""

    tables: dict[str, dict[str, Row]] = field(default_factory=lambda: {t: {} for t in TABLES})
    origin: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, file: str, row: int | None, reason: str) -> None:
        self.rejected.append({"file": file, "row": row, "reason": reason})

    # JSON records are kept or turned away whole (with everything nested in them); a
    # package's rows one by one.
    whole_records: bool = False

    def add(self, table: str, row: Row, file: str, number: int) -> bool:
        """Stage one row; a second row with the same id in this run is turned away."""
        hsds_id = row.get("id")
        if not isinstance(hsds_id, str) or not hsds_id:
            self.reject(file, number, f"{table}: the id is missing")
            return False
        if hsds_id in self.tables[table]:
            first = self.origin[(table, hsds_id)]
            if first != (file, number):
                self.reject(file, number, f"{table} {hsds_id}: duplicate id")
                return False
        self.tables[table][hsds_id] = row
        self.origin[(table, hsds_id)] = (file, number)
        return True

    def drop(self, table: str, hsds_id: str, reason: str) -> None:
        """Turn away a staged row (a reference to an unknown record)."""
        origin = self.origin.pop((table, hsds_id))
        del self.tables[table][hsds_id]
        self.reject(*origin, f"{table} {hsds_id}: {reason}")
        if self.whole_records:
            for key in [k for k, o in self.origin.items() if o == origin]:
                del self.origin[key]
                del self.tables[key[0]][key[1]]


def flatten(staged: Staged, kind: str, record: Row, file: str, number: int) -> None:
    """Stage a valid JSON record and every object nested in it. A record whose id was staged
    already is a duplicate; an object nested in several records (their organization, say)
    is staged once, from the first."""
    if (kind, record.get("id")) in staged.origin:
        staged.reject(file, number, f"{kind} {record.get('id')}: duplicate id")
        return
    rows: list[tuple[str, Row]] = []
    _collect(kind, record, rows, parent=None)
    for table, row in rows:
        if (table, row.get("id")) not in staged.origin:
            staged.add(table, row, file, number)


def _collect(kind: str, obj: Row, out: list[tuple[str, Row]], parent: tuple[str, str] | None) -> None:
    row: Row = {}
    nested = _NESTED.get(kind, {})
    for key, value in obj.items():
        if key in nested:
            child_kind, fk = nested[key]
            children = value if isinstance(value, list) else [value]
            for child in children:
                if not isinstance(child, dict):
                    continue
                if fk is None:
                    row[f"{child_kind}_id"] = child.get("id")
                    _collect(child_kind, child, out, parent=None)
                else:
                    _collect(child_kind, {**child, fk: obj.get("id")}, out, parent=(kind, obj["id"]))
        elif key == "attributes" and kind in ATTRIBUTE_OWNERS:
            for attribute in value or []:
                if isinstance(attribute, dict):
                    # `_link` names the owner it was nested in, whatever its link_entity says.
                    linked = {"link_id": obj.get("id"), "link_entity": kind, **attribute, "_link": kind}
                    _collect("attribute", linked, out, parent=(kind, obj["id"]))
        else:
            row[key] = value
    out.append((kind, row))
