"""Benchmark: the outreach list of the largest demo clinic, as its front desk.

    .venv/bin/python bench/outreach.py [--db var/bench-outreach.sqlite3] [--children 30000] [--requests 20]

Builds the demo network in the SQLite file the first time (reused after), then requests the
outreach list (first page, the missed-visit filter, a later page) through Django's test
client as a logged-in front desk user (access check, queries, audit entry, template) and
reports p50 and p95 latency, the query count of each request and how many children the list
holds, against a floor measured in the same run: the same page of the network's smallest
clinic, as its front desk. Network time between a browser and the server is not included.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from demodb import ROOT, open_demo, timed


def _page(client: Any, url: str, requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> None:
        assert client.get(url).status_code == 200

    with CaptureQueriesContext(connection) as captured:
        get()
    return {"queries": len(captured), **timed(get, requests)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=str(ROOT / "var" / "bench-outreach.sqlite3"))
    parser.add_argument("--children", type=int, default=30_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    open_demo(args.db, args.children)

    from django.db.models import Count
    from django.test import Client

    from dyadcare.adherence.outreach import outreach_list
    from dyadcare.families.models import Child
    from dyadcare.tenancy.actor import Actor
    from dyadcare.tenancy.models import Clinic, User
    from dyadcare.tenancy.scope import clinic_scope, unscoped

    with unscoped("benchmark set-up: the network's smallest clinic"):
        sizes = Child.objects.values("clinic").annotate(n=Count("pk")).order_by("n").first()
    assert sizes is not None
    smallest, clinic = Clinic.objects.get(pk=sizes["clinic"]), Clinic.objects.get(slug="fruitvale")
    with clinic_scope(clinic):
        children = Child.objects.count()
        listed = outreach_list(actor=Actor.system("bench", clinic=clinic))
    report: dict[str, object] = {
        "benchmark": "outreach",
        "clinic_children": children,
        "listed_overdue": listed.counts["overdue"],
        "listed_missed": listed.counts["missed"],
    }
    floor_client = Client()
    floor_client.force_login(User.objects.get(username=f"frontdesk.{smallest.slug}"))
    report["floor_smallest_clinic"] = {
        "clinic": smallest.slug,
        "children": sizes["n"],
        **_page(floor_client, f"/c/{smallest.slug}/outreach/", args.requests),
    }
    client = Client()
    client.force_login(User.objects.get(username="frontdesk.fruitvale"))
    for name, query in (("first_page", ""), ("missed", "?reason=missed"), ("page_5", "?page=5")):
        report[name] = _page(client, f"/c/fruitvale/outreach/{query}", args.requests)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
