"""Benchmark: "my work" and the caseload list for a specialist with 300 families, against a
floor measured in the same run (the same pages for a specialist with 3 families), with the
query count of each page.

    .venv/bin/python bench/my_work.py [--db var/bench-care.sqlite3] [--children 20000]
        [--families 300] [--requests 40]

Builds a demo network in the SQLite file the first time (reused after), then gives two new
dyadic specialists of the busiest clinic a caseload through the care services (a tier, a care
plan with a goal they own, an open task and a logged service per family): 300 families and
3 families. Each page is requested through Django's test client as that specialist (access
check, queries, audit entry, template); p50 and p95 in milliseconds. Network time is not
included. The pages read a fixed number of queries whatever the number of families, so the
query counts of the two specialists must be equal.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import timedelta
from typing import Any

from demodb import ROOT, open_demo, timed


def _caseload(clinic: Any, username: str, families: int) -> Any:
    """A new specialist of ``clinic`` who owns a goal and a task of ``families`` families."""
    from django.utils import timezone

    from dyadcare.care import services
    from dyadcare.families.models import CareRelationship
    from dyadcare.tenancy.actor import Actor
    from dyadcare.tenancy.models import Membership, User
    from dyadcare.tenancy.scope import clinic_scope

    user, created = User.objects.get_or_create(username=username, defaults={"first_name": "Bench"})
    if not created:
        return user
    Membership.objects.create(user=user, clinic=clinic, role="dyadic_specialist")
    actor = Actor.for_staff(user, clinic=clinic, roles=("dyadic_specialist",))
    today = timezone.localdate()
    with clinic_scope(clinic):
        taken: set[Any] = set()  # a child with two primary caregivers gets one plan
        links = CareRelationship.objects.filter(is_primary=True, child__merged_into__isnull=True)
        for link in links.exclude(child__in=services.CarePlan.objects.values("child")).select_related(
            "child"
        )[:families]:
            child = link.child
            if child.pk in taken:
                continue
            taken.add(child.pk)
            services.tier_set(actor=actor, child=child, tier=2, reason="bench")
            plan = services.plan_open(
                actor=actor, child=child, language="en", next_review_on=today + timedelta(days=5)
            )
            goal = services.goal_add(
                actor=actor, plan=plan, need="", text="", steps="", owner_id=user.pk,
                review_on=today + timedelta(days=14), template="sleep-routine",
            )  # fmt: skip
            services.task_add(
                actor=actor, child=child, title="Call", owner_id=user.pk, due_on=today, goal=goal
            )
            services.service_log(actor=actor, child=child, service_type="brief-consult", delivered_on=today,
                                 minutes=15, place="clinic", delivered_by_id=user.pk, child_present=True,
                                 caregiver_ids=[link.caregiver_id])  # fmt: skip
    return user


def _measure(client: Any, url: str, requests: int) -> dict[str, Any]:
    from django.db import connection

    sql_ms: list[float] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_ms.append((time.perf_counter() - started) * 1000)

    def get() -> None:
        assert client.get(url).status_code == 200

    with connection.execute_wrapper(count):
        get()
    return {"queries": len(sql_ms), "sql_ms": round(sum(sql_ms), 1), **timed(get, requests)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=str(ROOT / "var" / "bench-care.sqlite3"))
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--families", type=int, default=300)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    open_demo(args.db, args.children)
    from django.test import Client

    from dyadcare.families.models import Child
    from dyadcare.tenancy.models import Clinic
    from dyadcare.tenancy.scope import unscoped

    clinic = Clinic.objects.get(slug="fruitvale")
    with unscoped("benchmark set-up: counting"):
        children = Child.objects.count()
    started = time.perf_counter()
    busy = _caseload(clinic, "bench.busy", args.families)
    floor = _caseload(clinic, "bench.floor", 3)
    setup_s = round(time.perf_counter() - started, 1)
    out: dict[str, Any] = {"benchmark": "my_work", "children_in_network": children, "setup_s": setup_s}
    for label, user in (("floor_3", floor), (f"caseload_{args.families}", busy)):
        client = Client()
        client.force_login(user)
        out[label] = {
            "my_work": _measure(client, "/c/fruitvale/my-work/", args.requests),
            "caseload": _measure(client, f"/c/fruitvale/caseload/?person={user.pk}", args.requests),
        }
    print(json.dumps(out))
    for page in ("my_work", "caseload"):
        floor_count, busy_count = (
            out["floor_3"][page]["queries"],
            out[f"caseload_{args.families}"][page]["queries"],
        )
        assert floor_count == busy_count, (
            f"{page}: {floor_count} queries for 3 families, {busy_count} for more"
        )


if __name__ == "__main__":
    main()
