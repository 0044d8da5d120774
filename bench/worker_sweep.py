"""Benchmark: the worker's every-minute sweep (safety-alert escalation and visit reminders,
every clinic) on a demo network, the figure docs/scaling.md sizes the worker from.

    .venv/bin/python bench/worker_sweep.py [--children 50000] [--sweeps 5]
    DATABASE_URL=postgres://… .venv/bin/python bench/worker_sweep.py

The database is ``DATABASE_URL`` when set, else ``var/bench-<children>.sqlite3`` (built as
``bench/pages.py`` builds it). The first sweep does the work due (escalations and reminders
that have waited since the demo was built: it writes, so run it after the page benchmark);
the sweeps after it are the steady state, a minute's sweep with nothing new due. Prints one
JSON line with the seconds of each sweep, per clinic.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import time

from demodb import ROOT, open_demo


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--sweeps", type=int, default=5)
    args = parser.parse_args()
    children = open_demo(str(ROOT / "var" / f"bench-{args.children}.sqlite3"), args.children)

    from django.db import connection

    from dyadcare.adherence.tasks import sweep_every_clinic as send_reminders
    from dyadcare.screening.tasks import sweep_every_clinic as escalate
    from dyadcare.tenancy.selectors import all_clinic_ids

    clinics = len(list(all_clinic_ids()))
    sweeps = []
    for _ in range(args.sweeps):
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # the demo's text messages go to stdout
            escalated = escalate()
            reminded = send_reminders()
        seconds = time.perf_counter() - started
        sweeps.append({"seconds": round(seconds, 3), "escalated": escalated, "reminders": reminded})
    steady = sorted(s["seconds"] for s in sweeps[1:]) or [sweeps[0]["seconds"]]
    print(
        json.dumps(
            {
                "benchmark": "worker_sweep",
                "database": connection.vendor,
                "children": children,
                "clinics": clinics,
                "sweeps": sweeps,
                "steady_median_ms_per_clinic": round(steady[len(steady) // 2] / clinics * 1000, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
