"""Benchmark: the outreach list against the floor (``bench/floor.py``), on the demo network's
largest clinic, as its front desk: the first page, the missed tab, the not-tried filter and
page 10, each interleaved with floor requests (``pages.measure``); then, once, the clinic's
full refresh (``adherence.needs.needs_refresh``, what the worker does daily and the list does
inline when the worker has not run that day).

    .venv/bin/python bench/outreach.py [--children 20000] [--requests 15] [--db var/bench-20000.sqlite3]

The database is ``DATABASE_URL`` when set, else the SQLite file ``--db``; the demo network
of ``--children`` children is built there the first time and reused after.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from demodb import ROOT, clock, open_demo
from pages import CLINIC, Page, measure


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--db", default="", help="SQLite file when DATABASE_URL is unset")
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--no-refresh", action="store_true", help="skip timing the clinic's full refresh")
    args = parser.parse_args()
    children = open_demo(args.db or str(ROOT / "var" / f"bench-{args.children}.sqlite3"), args.children)

    from django.db.models import Count

    from dyadcare.families.models import Child
    from dyadcare.tenancy.models import Clinic
    from dyadcare.tenancy.scope import clinic_scope

    clinic = Clinic.objects.select_related("network").get(slug=CLINIC)
    with clinic_scope(clinic):
        clinic_children = Child.objects.aggregate(n=Count("pk"))["n"]
    c, desk = f"/c/{clinic.slug}/outreach/", f"frontdesk.{clinic.slug}"
    pages = [
        Page("outreach list", c, desk, "first page"),
        Page("outreach list", f"{c}?reason=missed", desk, "missed a visit"),
        Page("outreach list", f"{c}?contact=none", desk, "not tried yet"),
        Page("outreach list", f"{c}?page=10", desk, "page 10"),
    ]
    rows = measure(pages, f"/c/{clinic.slug}/bench-floor/", args.requests, 60.0, 2)
    print(
        f"{children:,} children, {clinic_children:,} in {clinic.slug}, {datetime.now(UTC):%Y-%m-%d %H:%M UTC}"
    )
    print("| page | what | queries | p50 / p95 ms (requests) | × floor p50 / p95 |")
    print("| --- | --- | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['page']} | {row['note']} | {row['queries']} | {row['p50_ms']:,} / {row['p95_ms']:,}"
            f" ({row['requests']}) | {row['ratio_p50']}× / {row['ratio_p95']}× |"
        )
    if not args.no_refresh:
        try:
            from dyadcare.adherence.needs import needs_refresh
        except ImportError:  # code from before the stored needs
            return
        with clinic_scope(clinic):
            listed: list[int | None] = []
            ms = clock(lambda: listed.append(needs_refresh(clinic=clinic)))
        print(
            f"full refresh of {clinic.slug}: {ms:,.0f} ms, {listed[0]:,} children on the list",
            file=sys.stderr,
        )
        print(f"\nfull refresh of {clinic.slug}: {ms:,.0f} ms ({listed[0]:,} children on the list)")
    print(f"\n`.venv/bin/python bench/outreach.py {' '.join(sys.argv[1:])}`")


if __name__ == "__main__":
    main()
