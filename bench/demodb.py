"""What every page benchmark shares: a demo network in the database ``DATABASE_URL`` names
(PostgreSQL or SQLite) or, when it is unset, in the benchmark's own SQLite file; the
database created and the demo built the first time (reused after), migrated to the current
schema every time; Django set up to serve it through the test client with the floor page
(``bench/floor.py``); and p50/p95 timings of a request."""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def database_url(db: str) -> str:
    """``DATABASE_URL`` when it is set, else the SQLite file ``db``."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{Path(db).resolve()}"


def create_database(url: str) -> None:
    """Create the PostgreSQL database ``url`` names if it does not exist yet (SQLite makes
    its file on first use)."""
    if not url.startswith(("postgres:", "postgresql:", "pgsql:")):
        return
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def _children() -> int:
    from dyadcare.families.models import Child
    from dyadcare.tenancy.scope import unscoped

    with unscoped("benchmark set-up: counting"):
        return int(Child.objects.count())


def open_demo(db: str, children: int, *, settings_module: str = "bench_settings") -> int:
    """Point Django at ``DATABASE_URL`` or the SQLite file ``db``, migrate it, build a demo
    network of ``children`` children there if it holds none, refresh the planner statistics,
    set Django up (with the floor page's URLconf) and collect the static files. Returns the
    number of children in the network."""
    url = database_url(db)
    os.environ.update({"DYADCARE_DEMO": "1", "DATABASE_URL": url})
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    if url.startswith("sqlite:"):
        Path(db).parent.mkdir(parents=True, exist_ok=True)
    create_database(url)
    dyadcare = str(Path(sys.executable).with_name("dyadcare"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dyadcare.settings"}
    subprocess.run([dyadcare, "migrate", "-v", "0"], check=True, env=env)  # a database from older code
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if _children() == 0:
        subprocess.run(
            [dyadcare, "demo", "--children", str(children), "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics for indexes a migration added since the build
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("collectstatic", interactive=False, verbosity=0)
    return _children()


def percentiles(timings: list[float]) -> dict[str, float]:
    """The median and 95th percentile (nearest rank) of ``timings`` (milliseconds), rounded."""
    ordered = sorted(timings)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)], 1),
    }


def clock(run: Callable[[], Any]) -> float:
    """Milliseconds one call of ``run`` takes."""
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def timed(run: Callable[[], Any], requests: int) -> dict[str, float]:
    """``run`` called ``requests`` times: the median and 95th percentile in milliseconds."""
    return percentiles([clock(run) for _ in range(requests)])
