"""What every page benchmark shares: a demo network in a SQLite file (built the first time,
migrated to the current schema every time), Django set up to serve it through the test
client, and p50/p95 timings of a request."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def open_demo(db: str, children: int) -> None:
    """Point Django at ``db`` (building a demo network of ``children`` children there if the
    file is missing), migrate it, set Django up, collect the static files."""
    os.environ.update({"DYADCARE_DEMO": "1", "DATABASE_URL": f"sqlite:///{Path(db).resolve()}"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dyadcare.settings")
    dyadcare = str(Path(sys.executable).with_name("dyadcare"))
    built = Path(db).exists()
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([dyadcare, "migrate", "-v", "0"], check=True)  # a file from older code
    if not built:
        subprocess.run(
            [dyadcare, "demo", "--children", str(children), "--quiet"], check=True, stdout=subprocess.DEVNULL
        )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("collectstatic", interactive=False, verbosity=0)


def timed(run: Callable[[], Any], requests: int) -> dict[str, float]:
    """``run`` called ``requests`` times: the median and 95th percentile in milliseconds."""
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
    }
