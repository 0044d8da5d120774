"""Benchmark: touchpoint schedules computed per second (the pure schedule engine).

    .venv/bin/python bench/schedule.py [--children 20000]

Each computation is one child's full schedule (13 touchpoints with target dates, windows,
corrected screening ages and status), for random birth dates and gestational ages.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dyadcare.touchpoints.schedule import child_schedule


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(1)
    today = date(2026, 11, 23)
    children = [
        (today - timedelta(days=rng.randint(0, 1300)), rng.choice([None, rng.randint(170, 300)]))
        for _ in range(args.children)
    ]
    rates = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        for dob, ga in children:
            child_schedule(dob, ga, today)
        rates.append(args.children / (time.perf_counter() - started))
    print(
        json.dumps(
            {
                "benchmark": "schedule",
                "children": args.children,
                "schedules_per_second": round(max(rates)),
                "median_per_second": round(sorted(rates)[len(rates) // 2]),
            }
        )
    )


if __name__ == "__main__":
    main()
