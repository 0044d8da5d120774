"""Benchmark: the outreach list of the largest demo clinic, as its front desk.

    .venv/bin/python bench/outreach.py [--db var/bench-outreach.sqlite3] [--children 30000] [--requests 20]

Builds the demo network in the SQLite file the first time (reused after), then requests the
outreach list (first page, the missed-visit filter, a later page) through Django's test
client as a logged-in front desk user (access check, queries, audit entry, template) and
reports p50 and p95 latency, the query count of each request and how many children the list
holds. Network time between a browser and the server is not included.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=str(ROOT / "var" / "bench-outreach.sqlite3"))
    parser.add_argument("--children", type=int, default=30_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    os.environ.update({"DYADCARE_DEMO": "1", "DATABASE_URL": f"sqlite:///{Path(args.db).resolve()}"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dyadcare.settings")
    dyadcare = str(Path(sys.executable).with_name("dyadcare"))
    if not Path(args.db).exists():
        Path(args.db).parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([dyadcare, "migrate", "-v", "0"], check=True)
        subprocess.run(
            [dyadcare, "demo", "--children", str(args.children), "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from dyadcare.adherence.outreach import outreach_list
    from dyadcare.families.models import Child
    from dyadcare.tenancy.actor import Actor
    from dyadcare.tenancy.models import Clinic, User
    from dyadcare.tenancy.scope import clinic_scope

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("collectstatic", interactive=False, verbosity=0)
    clinic = Clinic.objects.get(slug="fruitvale")
    with clinic_scope(clinic):
        children = Child.objects.count()
        listed = outreach_list(actor=Actor.system("bench", clinic=clinic))
    client = Client()
    client.force_login(User.objects.get(username="frontdesk.fruitvale"))
    report: dict[str, object] = {
        "benchmark": "outreach",
        "clinic_children": children,
        "listed_overdue": listed.counts["overdue"],
        "listed_missed": listed.counts["missed"],
    }
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    for name, query in (("first_page", ""), ("missed", "?reason=missed"), ("page_5", "?page=5")):
        url = f"/c/fruitvale/outreach/{query}"
        executed.clear()
        with connection.execute_wrapper(count):
            assert client.get(url).status_code == 200
        queries = list(executed)
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            assert client.get(url).status_code == 200
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        report[name] = {
            "queries": len(queries),
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
