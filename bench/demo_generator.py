"""Benchmark: how long ``dyadcare demo`` takes to build a large network on SQLite.

    .venv/bin/python bench/demo_generator.py [--children 200000] [--seed 1]

It migrates a fresh SQLite file in a temporary folder, times ``dyadcare demo`` (the whole
command, as a person runs it) and prints one JSON line with the total seconds and children
per second.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    dyadcare = str(Path(sys.executable).with_name("dyadcare"))
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DYADCARE_DEMO": "1", "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}
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
            subprocess.run([dyadcare, "stats"], env=env, check=True, capture_output=True, text=True).stdout
        )
    print(
        json.dumps(
            {
                "benchmark": "demo_generator",
                "children": stats["children"],
                "caregivers": stats["caregivers"],
                "seconds": round(seconds, 1),
                "children_per_second": round(stats["children"] / seconds),
            }
        )
    )


if __name__ == "__main__":
    main()
