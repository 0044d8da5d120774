"""Benchmark: importing a 10,000-service HSDS 3.0 tabular package, and directory search over
those 10,000 services.

    .venv/bin/python bench/directory.py [--services 10000] [--requests 50] [--db var/bench-directory.sqlite3]

Starts from a new SQLite file with one network and clinic, writes a tabular package (organizations,
services, locations, addresses, service_at_location, phones, languages, schedules, taxonomy
terms and attributes: 10 CSV files, about nine rows per service) spread over California's ZIP
codes, then times:

* ``dyadcare directory import`` of the package (frictionless validation, reference checks
  and the bulk upsert), as services per second, and the same import again (every row
  updated);
* ``dyadcare directory export`` of the whole directory;
* the search selector (``referrals.selectors.search_services``, as a family partner: access
  check, filters, ranking, one page of rows with their hours, phones, languages and notes)
  for several searches, p50/p95, beside a floor measured in the same run: one plain scan of
  the same service rows (``SELECT count(*) FROM referrals_service WHERE network_id = ? AND
  description LIKE '%zzqx%'``, raw SQL), the least any search reading every service costs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from demodb import ROOT, timed

NEEDS = ("1130", "1137", "1138", "1173", "1124", "1157", "1280", "1195", "1232", "1135")


def _write(folder: Path, name: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def build_package(folder: Path, services: int, zips: list[tuple[str, float, float]]) -> None:
    rng = random.Random(7)
    ids = lambda kind, i: str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench:{kind}:{i}"))  # noqa: E731
    terms = [
        {"id": ids("term", c), "code": c, "name": f"Term {c}", "description": "Open Eligibility"}
        for c in NEEDS
    ]
    orgs, svcs, locs, addrs, sals, phones, langs, scheds, attrs = ([] for _ in range(9))
    for i in range(services):
        zip_code, lat, lon = rng.choice(zips)
        org = ids("org", i // 2)
        if i % 2 == 0:
            orgs.append(
                {"id": org, "name": f"Organization {i // 2}", "description": "A community organization"}
            )
        svc, loc = ids("svc", i), ids("loc", i)
        svcs.append(
            {
                "id": svc,
                "organization_id": org,
                "name": f"Service {i}",
                "description": "Help for families",
                "status": "active",
                "minimum_age": "" if i % 3 else 0,
                "maximum_age": "" if i % 3 else 5,
            }
        )
        locs.append(
            {
                "id": loc,
                "organization_id": org,
                "location_type": "physical",
                "latitude": round(lat + rng.uniform(-0.02, 0.02), 5),
                "longitude": round(lon + rng.uniform(-0.02, 0.02), 5),
            }
        )
        addrs.append(
            {
                "id": ids("addr", i),
                "location_id": loc,
                "address_1": f"{i} Main St",
                "city": "Town",
                "state_province": "CA",
                "postal_code": zip_code,
                "country": "US",
                "address_type": "physical",
            }
        )
        sals.append({"id": ids("sal", i), "service_id": svc, "location_id": loc})
        phones.append({"id": ids("phone", i), "service_id": svc, "number": f"(555) 010-{i % 10000:04d}"})
        for code in ("en", "es") if i % 2 else ("en",):
            langs.append({"id": ids(f"lang-{code}", i), "service_id": svc, "code": code})
        scheds.append(
            {
                "id": ids("sched", i),
                "service_id": svc,
                "freq": "WEEKLY",
                "byday": rng.choice(["MO,TU,WE,TH,FR", "SA,SU", "MO,WE,FR"]),
                "opens_at": "09:00:00",
                "closes_at": "17:00:00",
            }
        )
        attrs.append(
            {
                "id": ids("attr", i),
                "link_id": svc,
                "link_entity": "service",
                "link_type": "",
                "taxonomy_term_id": ids("term", NEEDS[i % len(NEEDS)]),
            }
        )
    from dyadcare.referrals.internal.hsds_schema import datapackage

    resources = {r["name"]: r for r in datapackage()["resources"]}
    for name, rows in (
        ("taxonomy_term", terms),
        ("organization", orgs),
        ("service", svcs),
        ("location", locs),
        ("address", addrs),
        ("service_at_location", sals),
        ("phone", phones),
        ("language", langs),
        ("schedule", scheds),
        ("attribute", attrs),
    ):
        resource = resources[name]
        _write(folder, resource["path"], [f["name"] for f in resource["schema"]["fields"]], rows)
    (folder / "datapackage.json").write_text(json.dumps({"name": "bench"}), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=str(ROOT / "var" / "bench-directory.sqlite3"))
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    Path(args.db).unlink(missing_ok=True)
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    os.environ.update({"DYADCARE_DEMO": "1", "DATABASE_URL": f"sqlite:///{Path(args.db).resolve()}"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dyadcare.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from dyadcare.referrals import rules, selectors
    from dyadcare.referrals.models import Service
    from dyadcare.referrals.services import import_directory
    from dyadcare.tenancy.actor import Actor
    from dyadcare.tenancy.models import Clinic, Network
    from dyadcare.tenancy.roles import permissions_for
    from dyadcare.tenancy.scope import clinic_scope

    network = Network.objects.create(name="Bench", slug="bench")
    clinic = Clinic.objects.create(
        network=network, name="Bench clinic", slug="bench-clinic", service_model="other"
    )
    importer = Actor(
        label="system:bench", network=network, permissions=frozenset({"referrals.directory_import"})
    )
    zips = [(z, lat, lon) for z, (lat, lon) in sorted(rules.zip_centroids().items())]
    figures: dict[str, Any] = {"services": args.services}
    with tempfile.TemporaryDirectory() as folder:
        build_package(Path(folder), args.services, zips)
        for run in ("import", "import again"):
            started = time.perf_counter()
            result = import_directory(importer, network=network, path=Path(folder))
            seconds = time.perf_counter() - started
            assert not result.rejected and result.services == args.services, result.rejected[:3]
            figures[run] = {
                "seconds": round(seconds, 2),
                "services_per_second": round(args.services / seconds),
            }
    started = time.perf_counter()
    exported = selectors.export_services(
        Actor(label="bench", network=network, permissions=frozenset({"referrals.directory_view"}))
    )
    figures["export"] = {"seconds": round(time.perf_counter() - started, 2), "records": len(exported)}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    actor = Actor(
        label="bench",
        clinic=clinic,
        network=network,
        roles=("family_partner",),
        permissions=permissions_for(["family_partner"]),
    )
    searches = {
        "first page, no filter": {},
        "need food": {"need": "food"},
        "need + ZIP 95050 (25 mi)": {"need": "food", "zip_code": "95050"},
        "need + ZIP + Spanish + 14 months": {
            "need": "food",
            "zip_code": "95050",
            "language": "es",
            "child_age_months": 14,
        },
        "ZIP + open now": {"zip_code": "90001", "open_now": True},
        "words in the name": {"text": "Service 12"},
    }
    results = {}
    with clinic_scope(clinic):
        for label, filters in searches.items():
            page = selectors.search_services(actor, **filters)
            results[label] = {
                "matches": page.total,
                **timed(lambda f=filters: selectors.search_services(actor, **f), args.requests),
            }
    network_id = Service._meta.get_field("network").get_db_prep_value(network.pk, connection)
    with connection.cursor() as cursor:

        def scan() -> None:
            cursor.execute(
                "SELECT count(*) FROM referrals_service WHERE network_id = %s AND description LIKE %s",
                [network_id, "%zzqx%"],
            )
            cursor.fetchone()

        floor = timed(scan, args.requests)
    for row in results.values():
        row["p95_over_floor"] = round(row["p95_ms"] / max(floor["p95_ms"], 0.1), 1)
    figures["plain_scan_floor"] = floor
    figures["searches"] = results
    print(json.dumps({"benchmark": "directory", **figures}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
