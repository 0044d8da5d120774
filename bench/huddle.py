"""Benchmark: huddle page latency for a 60-visit clinic day in the 200,000-child demo network.

    .venv/bin/python bench/huddle.py [--db var/bench-200k.sqlite3] [--requests 200]

Builds the demo network with 200,000 children in the SQLite file the first time (reused
after), finds a clinic day with 60 visits (the demo books each clinic up to 60 a day), then
requests the huddle page through Django's test client as a logged-in dyadic specialist
(the whole server side: access checks, queries, audit writes, template) and reports p50 and
p95 latency. Network time between a browser and the server is not included.
"""

from __future__ import annotations

import argparse
import json

from demodb import ROOT, open_demo, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=str(ROOT / "var" / "bench-200k.sqlite3"))
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    open_demo(args.db, args.children)

    from django.test import Client
    from django.utils import timezone

    from dyadcare.families.models import Child
    from dyadcare.tenancy.models import Clinic, User
    from dyadcare.tenancy.scope import clinic_scope, unscoped
    from dyadcare.touchpoints.models import Visit
    from dyadcare.touchpoints.selectors import busiest_day, day_bounds

    clinic = Clinic.objects.get(slug="fruitvale")
    with unscoped("benchmark set-up: counting"):
        children = Child.objects.count()
    with clinic_scope(clinic):
        day = busiest_day(clinic=clinic, start=timezone.localdate(), days=28)
        assert day is not None
        start, end = day_bounds(day)
        visits = Visit.objects.filter(scheduled_for__gte=start, scheduled_for__lt=end).count()
    client = Client()
    client.force_login(User.objects.get(username="specialist.fruitvale"))
    url = f"/c/fruitvale/huddle/?day={day.isoformat()}"
    assert client.get(url).status_code == 200

    def get() -> None:
        assert client.get(url).status_code == 200

    figures = timed(get, args.requests)
    print(
        json.dumps(
            {
                "benchmark": "huddle",
                "children_in_network": children,
                "day": day.isoformat(),
                "visits": visits,
                "requests": args.requests,
                **figures,
            }
        )
    )


if __name__ == "__main__":
    main()
