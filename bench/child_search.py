"""Benchmark: the child list's search on the largest clinic of the 200,000-child demo network.

    .venv/bin/python bench/child_search.py [--db var/bench-200000.sqlite3] [--requests 50]

Builds the demo network in the SQLite file the first time (reused after; the same file as
bench/pages.py), then, as Fruitvale's front desk through Django's test client (access
check, queries, audit entry, template), searches the child list by: nothing (the first
page), a child's last name, a part of two names, an MRN, a date of birth, a caregiver's full
name and a caregiver's mobile phone. For each it reports the number of queries of one request
and the p50 and p95 latency, beside a floor: one plain scan of the clinic's children
(``SELECT count(*) ... WHERE clinic_id = ? AND search_name LIKE '%x%'``, raw SQL, no Django),
the least any search that reads every name of the clinic can cost, and the same over a column
no index holds (every row of the clinic read from the table).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from demodb import ROOT, open_demo, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=str(ROOT / "var" / "bench-200000.sqlite3"))
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    open_demo(args.db, args.children)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from dyadcare.families.models import CareRelationship, Child
    from dyadcare.families.phones import format_us_phone
    from dyadcare.tenancy.models import Clinic, User
    from dyadcare.tenancy.scope import clinic_scope

    setup_test_environment()  # the response's context (the match count) is recorded
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics for indexes a migration added since the build
    clinic = Clinic.objects.get(slug="fruitvale")
    with clinic_scope(clinic):
        clinic_children = Child.objects.count()
        link = CareRelationship.objects.select_related("caregiver", "child").exclude(caregiver__phone="")[
            1000
        ]
    child, caregiver = link.child, link.caregiver
    queries = {
        "first page": "",
        "child's last name": child.family_name,
        "parts of two names": f"{child.family_name[:3]} {child.given_name[:2]}",
        "MRN": child.mrn,
        "date of birth": child.date_of_birth.isoformat(),
        "caregiver's full name": caregiver.full_name,
        "caregiver's mobile phone": format_us_phone(caregiver.phone),
    }
    client = Client()
    client.force_login(User.objects.get(username="frontdesk.fruitvale"))
    url = "/c/fruitvale/children/"
    results: dict[str, Any] = {}
    for label, text in queries.items():

        def get(text: str = text) -> Any:
            response = client.get(url, {"q": text} if text else {})
            assert response.status_code == 200
            return response

        with CaptureQueriesContext(connection) as captured:
            found = get().context["page"].paginator.count
        results[label] = {"matches": found, "queries": len(captured), **timed(get, args.requests)}
    clinic_id = Child._meta.get_field("clinic").get_db_prep_value(clinic.pk, connection)
    floors = {}
    with connection.cursor() as cursor:
        # Two floors: every name of the clinic read from the search index, and every row of
        # the clinic read from the table (a column no index holds).
        for floor, column in (
            ("names_from_index", "search_name"),
            ("rows_from_table", "race_ethnicity_detail"),
        ):

            def scan(column: str = column) -> None:
                cursor.execute(
                    f"SELECT count(*) FROM families_child WHERE clinic_id = %s AND {column} LIKE %s",
                    [clinic_id, "%zzqx%"],
                )
                cursor.fetchone()

            floors[floor] = timed(scan, args.requests)
    print(
        json.dumps(
            {
                "benchmark": "child_search",
                "clinic_children": clinic_children,
                "requests": args.requests,
                "plain_scan_floors": floors,
                "searches": results,
            },
            indent=1,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
