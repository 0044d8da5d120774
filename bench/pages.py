"""Benchmark: every staff page against the floor (an empty clinic page, ``bench/floor.py``),
measured in the same run and interleaved, on the demo network's largest clinic.

    .venv/bin/python bench/pages.py [--children 50000] [--requests 30] [--db var/bench-50000.sqlite3]
    .venv/bin/python bench/pages.py --children 20000 --only alert   # the pages whose name holds "alert"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dyadcare_bench_50k .venv/bin/python bench/pages.py

The database is ``DATABASE_URL`` when set (a PostgreSQL database is created if missing),
else the SQLite file ``--db``; the demo network of ``--children`` children is built there the
first time and reused after. Every page is requested through Django's test client as the
staff member who uses it (access check, middleware, queries, audit entries, template; network
time not included): one warm-up request, one whose queries are counted, then ``--requests``
rounds of one floor request followed by one page request. Each page's ratio divides its p50
and p95 by those of the floor requests interleaved with it, so a noisy, shared machine moves
both alike. Writes a markdown table to ``var/bench/<children>-<vendor>.md`` and stdout and the
figures as JSON beside it.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from demodb import ROOT, clock, open_demo, percentiles

CLINIC = "fruitvale"  # the demo's largest clinic


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    user: str  # a demo login
    note: str = ""


def _targets(clinic: Any) -> dict[str, Any]:
    """The records the pages show: a 60-visit day and one of its visits, the child with the
    most screening results, a visit with a submitted screening."""
    from django.db.models import Count
    from django.utils import timezone

    from dyadcare.screening.models import ScreeningResult
    from dyadcare.tenancy.scope import clinic_scope
    from dyadcare.touchpoints.models import Visit
    from dyadcare.touchpoints.selectors import busiest_day, day_bounds

    with clinic_scope(clinic):
        day = busiest_day(clinic=clinic, start=timezone.localdate(), days=28)
        assert day is not None, "the demo network has no visits in the next four weeks"
        start, end = day_bounds(day)
        day_visits = Visit.objects.filter(scheduled_for__gte=start, scheduled_for__lt=end)
        visit = day_visits.exclude(touchpoint="").select_related("child").order_by("scheduled_for").first()
        assert visit is not None
        most = ScreeningResult.objects.values("child").annotate(n=Count("pk")).order_by("-n", "child").first()
        assert most is not None, "the demo network has no screening results"
        report = ScreeningResult.objects.filter(child=most["child"]).order_by("-visit__scheduled_for").first()
        latest = ScreeningResult.objects.order_by("-visit__scheduled_for", "pk").first()
        assert report is not None and latest is not None
        return {
            "day": day,
            "day_visits": day_visits.count(),
            "visit": visit,
            "history_child": most["child"],
            "history_results": most["n"],
            "report_visit": report.visit_id,
            "summary_visit": latest.visit_id,
        }


def staff_pages(clinic: Any) -> tuple[list[Page], dict[str, Any]]:
    """The staff pages measured, each with its URL and who requests it."""
    from dyadcare.tenancy.models import User

    t = _targets(clinic)
    c = f"/c/{clinic.slug}"
    specialist = f"specialist.{clinic.slug}"
    visit, child = t["visit"], t["visit"].child
    owner = User.objects.get(username=specialist)
    pages = [
        Page("huddle", f"{c}/huddle/?day={t['day'].isoformat()}", specialist, f"{t['day_visits']} visits"),
        Page("child page", f"{c}/children/{child.pk}/", specialist, "a child of the huddle day"),
        Page("child search", f"{c}/children/?{urlencode({'q': child.family_name})}", specialist, "last name"),
        Page("child list", f"{c}/children/", specialist, "first page"),
        Page("alerts worklist", f"{c}/alerts/", specialist, "first page"),
        Page("alerts worklist, filtered", f"{c}/alerts/?kind=follow_up", specialist, "follow-ups only"),
        Page("alert banner", f"{c}/alerts/banner/", specialist, "polled by every staff page"),
        Page("network home", f"/n/{clinic.network.slug}/", f"coach.{clinic.network.slug}", "network coach"),
        Page("visit screening", f"{c}/visits/{visit.pk}/screening/", specialist, "a visit of the huddle day"),
        Page("family summary", f"{c}/visits/{t['summary_visit']}/summary/", specialist, "latest results"),
        Page("my work", f"{c}/my-work/", specialist, "the clinic's specialist"),
        Page("caseload", f"{c}/caseload/?person={owner.pk}", specialist, "the specialist's families"),
        Page("outreach list", f"{c}/outreach/", f"frontdesk.{clinic.slug}", "first page, front desk"),
        Page(
            "results over time",
            f"{c}/children/{t['history_child']}/",
            specialist,
            f"child with the most results ({t['history_results']})",
        ),
        Page("visit report", f"{c}/visits/{t['report_visit']}/report/", specialist, "that child's last"),
    ]
    return pages, t


def _client(username: str) -> Any:
    from django.test import Client

    from dyadcare.tenancy.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _get(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"


def _queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return len(captured)


def measure(
    pages: list[Page], floor_url: str, requests: int, budget_s: float = 120.0, least: int = 3
) -> list[dict[str, Any]]:
    """Every page interleaved with the floor: one floor request, one page request, repeated
    ``requests`` times, or fewer (``least`` at least) once a page has taken ``budget_s``
    seconds: a page of many seconds is measured a few times rather than holding the run for an
    hour."""
    clients: dict[str, Any] = {}
    floor_client = _client(pages[0].user)
    rows: list[dict[str, Any]] = []
    all_floor: list[float] = []
    floor_queries = _queries(floor_client, floor_url)
    for page in pages:
        client = clients.setdefault(page.user, _client(page.user))
        _get(client, page.url)  # warm-up (template and library caches)
        queries = _queries(client, page.url)
        floor_ms: list[float] = []
        page_ms: list[float] = []
        while len(page_ms) < requests and (len(page_ms) < least or sum(page_ms) < budget_s * 1000):
            floor_ms.append(clock(lambda: _get(floor_client, floor_url)))
            page_ms.append(clock(lambda page=page, client=client: _get(client, page.url)))
        all_floor += floor_ms
        got, floor = percentiles(page_ms), percentiles(floor_ms)
        rows.append(
            {
                "page": page.name,
                "note": page.note,
                "queries": queries,
                "requests": len(page_ms),
                **got,
                "floor_p50_ms": floor["p50_ms"],
                "floor_p95_ms": floor["p95_ms"],
                "ratio_p50": round(got["p50_ms"] / floor["p50_ms"], 1),
                "ratio_p95": round(got["p95_ms"] / floor["p95_ms"], 1),
            }
        )
        print(f"  {page.name}: {got['p50_ms']} / {got['p95_ms']} ms", file=sys.stderr)
    floor = percentiles(all_floor)
    rows.insert(
        0,
        {"page": "floor", "note": "empty clinic page", "queries": floor_queries,
         "requests": len(all_floor), **floor,
         "floor_p50_ms": floor["p50_ms"], "floor_p95_ms": floor["p95_ms"],
         "ratio_p50": 1.0, "ratio_p95": 1.0},
    )  # fmt: skip
    return rows


def table(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The figures as a markdown table with what was measured and how."""
    lines = [
        f"Staff pages, {meta['children']:,} children ({meta['clinic_children']:,} in {meta['clinic']}), "
        f"{meta['vendor']}, up to {meta['requests']} requests a page, each after a floor request, "
        f"{meta['date']}",
        "",
        f"`{meta['command']}`",
        "",
        "| page | what | queries | requests | p50 ms | p95 ms | floor p50 / p95 ms (same rounds) "
        "| p50 / floor | p95 / floor |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['page']} | {r['note']} | {r['queries']} | {r['requests']} | {r['p50_ms']:,} "
            f"| {r['p95_ms']:,} | "
            f"{r['floor_p50_ms']:,} / {r['floor_p95_ms']:,} | {r['ratio_p50']}× | {r['ratio_p95']}× |"
        )
    worst = max(rows, key=lambda r: max(r["ratio_p50"], r["ratio_p95"]))
    lines += [
        "",
        f"Worst ratio: {worst['page']}, {max(worst['ratio_p50'], worst['ratio_p95'])}× the floor "
        f"(aim: every page within 5×).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--db", default="", help="SQLite file when DATABASE_URL is unset")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--budget", type=float, default=120.0, help="seconds a page may take")
    parser.add_argument("--least", type=int, default=3, help="requests a page at least, whatever its time")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench"))
    parser.add_argument("--only", default="", help="measure only the pages whose name holds this")
    args = parser.parse_args()
    children = open_demo(args.db or str(ROOT / "var" / f"bench-{args.children}.sqlite3"), args.children)

    from django.db import connection
    from django.db.models import Count

    from dyadcare.families.models import Child
    from dyadcare.tenancy.models import Clinic
    from dyadcare.tenancy.scope import clinic_scope

    clinic = Clinic.objects.select_related("network").get(slug=CLINIC)
    with clinic_scope(clinic):
        clinic_children = Child.objects.aggregate(n=Count("pk"))["n"]
    pages, _ = staff_pages(clinic)
    pages = [page for page in pages if args.only in page.name]
    rows = measure(pages, f"/c/{clinic.slug}/bench-floor/", args.requests, args.budget, args.least)
    vendor = "postgresql" if connection.vendor == "postgresql" else connection.vendor
    meta = {
        "children": children,
        "clinic": clinic.slug,
        "clinic_children": clinic_children,
        "vendor": vendor,
        "requests": args.requests,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": ("DATABASE_URL=postgres://… " if vendor != "sqlite" else "")
        + " ".join([".venv/bin/python bench/pages.py", *sys.argv[1:]]),
    }
    text = table(rows, meta)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f"{args.children}-{vendor}" + (f"-{args.only.replace(' ', '_')}" if args.only else "")
    (out / f"{name}.md").write_text(text)
    (out / f"{name}.json").write_text(json.dumps({**meta, "pages": rows}, indent=1))
    print(text)


if __name__ == "__main__":
    main()
