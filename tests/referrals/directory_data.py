"""Small HSDS 3.0 directories for the tests: service records in the service_full shape and a
tabular package writer."""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path
from typing import Any

from dyadcare.referrals.internal.hsds_schema import datapackage

NS = uuid.UUID("0f3a8c1e-2222-4b7a-9a11-5c3b2d1e0f00")


def hid(*parts: object) -> str:
    return str(uuid.uuid5(NS, ":".join(str(p) for p in parts)))


def service(
    key: str,
    *,
    name: str | None = None,
    codes: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
    lat: float | None = None,
    lon: float | None = None,
    min_age: float | None = None,
    max_age: float | None = None,
    byday: str = "MO,TU,WE,TH,FR",
    hours: tuple[str, str] = ("09:00:00", "17:00:00"),
    status: str = "active",
) -> dict[str, Any]:
    """A service with its organization, one location (if placed), phone, schedule, languages
    and Open Eligibility attributes."""
    record: dict[str, Any] = {
        "id": hid("svc", key),
        "name": name or f"Service {key}",
        "description": f"What {key} does",
        "status": status,
        "organization": {"id": hid("org", key), "name": f"Org {key}", "description": "An organization"},
        "phones": [{"id": hid("phone", key), "number": "(555) 010-0000"}],
        "schedules": [
            {
                "id": hid("sched", key),
                "freq": "WEEKLY",
                "byday": byday,
                "opens_at": hours[0],
                "closes_at": hours[1],
            }
        ],
        "languages": [{"id": hid("lang", key, c), "code": c} for c in languages],
        "attributes": [
            {
                "id": hid("attr", key, c),
                "taxonomy_term_id": hid("term", c),
                "taxonomy_term": {
                    "id": hid("term", c),
                    "code": c,
                    "name": f"Term {c}",
                    "description": "term",
                },
            }
            for c in codes
        ],
    }
    if min_age is not None:
        record["minimum_age"] = min_age
    if max_age is not None:
        record["maximum_age"] = max_age
    if lat is not None and lon is not None:
        location = {
            "id": hid("loc", key),
            "location_type": "physical",
            "latitude": lat,
            "longitude": lon,
            "addresses": [
                {
                    "id": hid("addr", key),
                    "address_1": "1 Main St",
                    "city": "Town",
                    "state_province": "CA",
                    "postal_code": "95050",
                    "country": "US",
                    "address_type": "physical",
                }
            ],
        }
        record["service_at_locations"] = [{"id": hid("sal", key), "location": location}]
    return record


def write_json(path: Path, records: Any) -> Path:
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def write_package(folder: Path, tables: dict[str, list[dict[str, Any]]]) -> Path:
    """A tabular package: CSV files with every HSDS column of their table, and a descriptor."""
    folder.mkdir(parents=True, exist_ok=True)
    resources = {r["name"]: r for r in datapackage()["resources"]}
    for name, rows in tables.items():
        resource = resources[name]
        columns = [f["name"] for f in resource["schema"]["fields"]]
        with (folder / resource["path"]).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})
    (folder / "datapackage.json").write_text(json.dumps({"name": "test", "resources": []}), encoding="utf-8")
    return folder
