"""Benchmark: how long ``dyadcare demo`` takes to build a large network, on SQLite or on
PostgreSQL.

    .venv/bin/python bench/demo_generator.py [--children 200000] [--seed 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dyadcare_bench .venv/bin/python bench/demo_generator.py

It migrates a fresh database (a SQLite file in a temporary folder, or, when ``DATABASE_URL``
names a PostgreSQL database, a new database named after it with ``_demo_gen`` appended,
dropped afterwards), times ``dyadcare demo`` (the whole command, as a person runs it) and
prints one JSON line with the total seconds and children per second.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demodb import create_database


def _postgres(url: str) -> tuple[str, str]:
    """A fresh database beside the one ``url`` names: its URL and its name."""
    import dj_database_url

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_demo_gen"
    fresh = url.rsplit("/", 1)[0] + "/" + name
    _drop(url, name)
    create_database(fresh)
    return fresh, name


def _drop(url: str, name: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        password=config.get("PASSWORD") or None,
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    dyadcare = str(Path(sys.executable).with_name("dyadcare"))
    given = os.environ.get("DATABASE_URL", "")
    postgres = given.startswith(("postgres:", "postgresql:", "pgsql:"))
    with tempfile.TemporaryDirectory() as folder:
        url, name = _postgres(given) if postgres else (f"sqlite:///{folder}/bench.sqlite3", "")
        env = {
            **os.environ,
            "DYADCARE_DEMO": "1",
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "dyadcare.settings",
        }
        try:
            subprocess.run([dyadcare, "migrate", "-v", "0"], env=env, check=True)
            started = time.perf_counter()
            subprocess.run(
                [dyadcare, "demo", "--children", str(args.children), "--seed", str(args.seed), "--quiet"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            seconds = time.perf_counter() - started
            stats = json.loads(
                subprocess.run(
                    [dyadcare, "stats"], env=env, check=True, capture_output=True, text=True
                ).stdout
            )
        finally:
            if postgres:
                _drop(given, name)
    print(
        json.dumps(
            {
                "benchmark": "demo_generator",
                "database": "postgresql" if postgres else "sqlite",
                "children": stats["children"],
                "caregivers": stats["caregivers"],
                "seconds": round(seconds, 1),
                "children_per_second": round(stats["children"] / seconds),
            }
        )
    )


if __name__ == "__main__":
    main()
