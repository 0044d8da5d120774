"""Benchmark: how long ``dyadcare demo`` takes to build a large network.

    .venv/bin/python bench/demo_generator.py [--children 200000] [--seed 1]
        [--database-url postgres://postgres@127.0.0.1:5432/dyadcare_demo_bench]

It migrates a fresh SQLite file in a temporary folder (or, with ``--database-url``, drops and
recreates that PostgreSQL database), times ``dyadcare demo`` (the whole command, as a person
runs it) and prints one JSON line with the total seconds, the CPU seconds of the command
itself (user + system: what other work on a shared machine does not inflate; PostgreSQL's own
processes are not counted) and children per second.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _recreate(url: str) -> None:
    import psycopg
    from psycopg import sql

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="", help="a PostgreSQL database to drop and recreate")
    args = parser.parse_args()
    dyadcare = str(Path(sys.executable).with_name("dyadcare"))
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        if args.database_url:
            _recreate(url)
        env = {**os.environ, "DYADCARE_DEMO": "1", "DATABASE_URL": url}
        subprocess.run([dyadcare, "migrate", "-v", "0"], env=env, check=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [dyadcare, "demo", "--children", str(args.children), "--seed", str(args.seed), "--quiet"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        stats = json.loads(
            subprocess.run([dyadcare, "stats"], env=env, check=True, capture_output=True, text=True).stdout
        )
    print(
        json.dumps(
            {
                "benchmark": "demo_generator",
                "database": url.split(":", 1)[0],
                "children": stats["children"],
                "caregivers": stats["caregivers"],
                "seconds": round(seconds, 1),
                "cpu_seconds": round(cpu, 1),
                "load_average": round(os.getloadavg()[0], 1),
                "children_per_second": round(stats["children"] / seconds),
            }
        )
    )


if __name__ == "__main__":
    main()
