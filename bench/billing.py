"""Benchmark: deriving a month of claim lines for a clinic of about 2,000 children, and
exporting them.

    .venv/bin/python bench/billing.py [--db var/bench-billing.sqlite3] [--children 6000] [--runs 3]

Builds the demo network in the SQLite file the first time (reused after). In the clinic whose
child count is nearest 2,000, takes the children screened or served in the last 30 days (the
demo's month) and measures, each inside a transaction that is rolled back:

- ``evaluate (new)``: billing's ``lines_refresh`` over those children with their lines deleted
  first, so every line is created (the engine plus the writes);
- ``evaluate (new, demo insert)``: the same with the demo generator's raw insert for the new
  lines and their change rows (billing's derivation as ``demo/billing.py`` calls it);
- ``evaluate (again)``: the same over the lines as they are (the work a fix or a setting
  change triggers: read, evaluate, compare, write only what changed);
- ``floor``: a plain scan of the same source rows (the children's screening results and
  logged services, every column the evaluator reads), measured in the same run;
- ``export``: the month's ready lines released (billing's ``lines_release``, timed apart) and
  exported as one 837P through the export service (build, pyx12's check, the batch kept),
  and the pyx12 check alone on the same file.

Reports lines per second, the ratio of each step to the floor and the query count of each.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timedelta
from typing import Any

from demodb import ROOT, open_demo


def _timed(run: Any, runs: int) -> tuple[float, int, Any]:
    """The best of ``runs`` calls in seconds, the queries of the last, and its result."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    best, queries, result = float("inf"), 0, None
    for _ in range(runs):
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = run()
            best = min(best, time.perf_counter() - started)
            transaction.set_rollback(True)
        queries = len(captured)
    return best, queries, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=str(ROOT / "var" / "bench-billing.sqlite3"))
    parser.add_argument("--children", type=int, default=6000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    open_demo(args.db, args.children)

    from django.db.models import Count
    from django.utils import timezone

    from dyadcare.billing import services
    from dyadcare.billing.export import batches, validate
    from dyadcare.billing.internal.derive import derive
    from dyadcare.billing.models import ClaimLine, ClaimLineChange
    from dyadcare.care.models import ServiceEntry
    from dyadcare.demo.fastinsert import fast_insert_objects
    from dyadcare.demo.models import DemoNetwork
    from dyadcare.families.models import Child
    from dyadcare.screening.models import ScreeningResult
    from dyadcare.tenancy.actor import Actor
    from dyadcare.tenancy.models import Clinic, User
    from dyadcare.tenancy.scope import clinic_scope, unscoped

    with unscoped("benchmark set-up: the clinic nearest 2,000 children"):
        sizes = list(Child.objects.values("clinic").annotate(n=Count("pk")))
        anchor = DemoNetwork.objects.get().anchor_date
    size = min(sizes, key=lambda row: abs(row["n"] - 2000))
    clinic = Clinic.objects.get(pk=size["clinic"])
    since = anchor - timedelta(days=30)
    start = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    billing_user = User.objects.get(username=f"billing.{clinic.slug}")
    actor = Actor.for_staff(billing_user, clinic=clinic, roles=("billing",), ip="127.0.0.1")

    with clinic_scope(clinic):
        screened = ScreeningResult.objects.filter(visit__scheduled_for__gte=start).values_list(
            "child_id", flat=True
        )
        served = ServiceEntry.objects.filter(delivered_on__gte=since).values_list("child_id", flat=True)
        children = sorted(set(screened.distinct()) | set(served.distinct()))

        def scan() -> int:
            results = ScreeningResult.objects.filter(child_id__in=children).values_list(
                "id", "child_id", "instrument_id", "respondent", "positive", "total", "entered_by_id",
                "visit__scheduled_for", "visit__clinician_id",
            )  # fmt: skip
            services_rows = ServiceEntry.objects.filter(child_id__in=children).values_list(
                "id", "child_id", "service_type", "delivered_on", "minutes", "delivered_by_id",
                "child_present", "voided_at",
            )  # fmt: skip
            return len(list(results)) + len(list(services_rows))

        def fresh() -> int:
            mine = ClaimLine.objects.filter(child_id__in=children)
            ClaimLineChange.objects.filter(line__in=mine).delete()
            mine.delete()
            return services.lines_refresh(actor=actor, child_ids=children).created

        def fresh_demo_insert() -> int:
            mine = ClaimLine.objects.filter(child_id__in=children)
            ClaimLineChange.objects.filter(line__in=mine).delete()
            mine.delete()
            return derive(clinic=clinic, child_ids=children, insert=fast_insert_objects).created

        def again() -> Any:
            return services.lines_refresh(actor=actor, child_ids=children)

        def export() -> Any:
            month = ClaimLine.objects.filter(child_id__in=children, service_date__gte=since)
            ready = list(month.filter(status="ready").values_list("pk", flat=True))
            started = time.perf_counter()
            services.lines_release(actor=actor, line_ids=ready)
            released = time.perf_counter() - started
            batch = batches.batch_export(actor=actor, fmt="837p", date_from=since)
            return batch, batches.batch_file(actor=actor, batch_id=batch.pk).content.decode("ascii"), released

        floor_s, floor_q, source_rows = _timed(scan, args.runs)
        new_s, new_q, created = _timed(fresh, args.runs)
        demo_s, demo_q, demo_created = _timed(fresh_demo_insert, args.runs)
        again_s, again_q, outcome = _timed(again, args.runs)
        export_s, export_q, (batch, text, release_s) = _timed(export, 1)
        started = time.perf_counter()
        found = validate.problems(text)
        check_s = time.perf_counter() - started

    report = {
        "benchmark": "billing",
        "clinic_children": size["n"],
        "children_with_work_in_the_month": len(children),
        "source_rows": source_rows,
        "floor_scan": {"seconds": round(floor_s, 3), "queries": floor_q},
        "evaluate_new": {
            "lines": created,
            "seconds": round(new_s, 3),
            "lines_per_second": round(created / new_s),
            "ratio_to_floor": round(new_s / floor_s, 1),
            "queries": new_q,
        },
        "evaluate_new_demo_insert": {
            "lines": demo_created,
            "seconds": round(demo_s, 3),
            "lines_per_second": round(demo_created / demo_s),
            "ratio_to_floor": round(demo_s / floor_s, 1),
            "queries": demo_q,
        },
        "evaluate_again": {
            "lines": created,
            "changed": outcome.updated,
            "seconds": round(again_s, 3),
            "lines_per_second": round(created / again_s),
            "ratio_to_floor": round(again_s / floor_s, 1),
            "queries": again_q,
        },
        "export_837p": {
            "lines": batch.line_count,
            "claims": text.count("~\nCLM*"),
            "seconds_release_and_export": round(export_s, 3),
            "seconds_of_which_release": round(release_s, 3),
            "export_lines_per_second": round(batch.line_count / (export_s - release_s)),
            "queries": export_q,
            "pyx12_check_seconds": round(check_s, 3),
            "pyx12_problems": len(found),
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
