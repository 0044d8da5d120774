"""Load test: families answering and submitting while staff work the huddle, child pages and
alerts, against ``dyadcare serve`` on PostgreSQL.

    .venv/bin/python bench/load_test.py [--database-url postgres://postgres@127.0.0.1:5432/dyadcare_load]
        [--children 50000] [--families 50] [--staff 20] [--minutes 10] [--reuse]

It (re)creates the database (``--reuse`` keeps one built before), migrates it, builds the demo
network, opens screening sessions ready for families and writes them with the staff logins to
a plan file, starts ``dyadcare serve`` (gunicorn, with its task worker) and runs the locust
scenario ``bench/load/locustfile.py`` headless in its own process (locust patches the
standard library with gevent, so it is never imported here). Afterwards every answer a
family sent is looked up in the database, and every session it submitted must be scored
with exactly one result per questionnaire. Prints one JSON object: the requests, failures
and p50/p95 per request type, server errors in the access log, and the reconciliation.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STAFF_ROLES = ("specialist", "pediatrician", "partner", "admin", "frontdesk")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _recreate_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _prepare(sessions: int, seed: int, add_caregiver_screens: bool) -> dict[str, Any]:
    """Screening sessions ready for families (the visit's questionnaires a family can answer)
    and the staff logins with children to open."""
    from django.utils import timezone

    from dyadcare.demo.staff import DEMO_PASSWORD
    from dyadcare.families.models import CareRelationship, Child
    from dyadcare.screening import services
    from dyadcare.screening.internal.plan import visit_plan
    from dyadcare.tenancy.actor import Actor
    from dyadcare.tenancy.models import Clinic, User
    from dyadcare.tenancy.roles import Role
    from dyadcare.tenancy.scope import clinic_scope
    from dyadcare.touchpoints.models import Visit
    from dyadcare.touchpoints.schedule import TOUCHPOINT_KEYS
    from dyadcare.touchpoints.selectors import clinic_bundle
    from dyadcare.touchpoints.services import schedule_rule_set

    rng = random.Random(seed)
    clinics = list(Clinic.objects.order_by("slug"))
    ready: list[dict[str, Any]] = []
    staff: list[dict[str, Any]] = []
    for clinic in clinics:
        specialist = User.objects.get(username=f"specialist.{clinic.slug}")
        actor = Actor.for_staff(specialist, clinic=clinic, roles=(Role.DYADIC_SPECIALIST,))
        admin = Actor.for_staff(
            User.objects.get(username=f"admin.{clinic.slug}"), clinic=clinic, roles=(Role.CLINIC_ADMIN,)
        )
        with clinic_scope(clinic):
            if add_caregiver_screens:  # the clinic screens the caregiver at every visit too
                for key in TOUCHPOINT_KEYS:
                    schedule_rule_set(
                        actor=admin,
                        clinic=clinic,
                        category="caregiver-wellbeing",
                        label="Caregiver well-being",
                        touchpoint=key,
                        instruments=["phq9", "gad7", "taps1"],
                    )
            ready += _sessions(
                actor=actor,
                clinic=clinic,
                wanted=sessions // len(clinics) + 1,
                since=timezone.now(),
                bundle=clinic_bundle(clinic),
                start=services.screening_start,
                plan_of=visit_plan,
                visits=Visit,
                links=CareRelationship,
            )
            children = [str(pk) for pk in Child.objects.values_list("pk", flat=True)[:5000]]
        picked = rng.sample(children, k=min(300, len(children)))
        staff += [
            {
                "username": f"{role}.{clinic.slug}",
                "password": DEMO_PASSWORD,
                "clinic": clinic.slug,
                "children": picked,
            }
            for role in STAFF_ROLES
        ]
    rng.shuffle(ready)
    return {"sessions": ready, "staff": staff}


def _sessions(
    *, actor: Any, clinic: Any, wanted: int, since: Any, bundle: Any, **deps: Any
) -> list[dict[str, Any]]:
    from django.core.exceptions import ValidationError

    found: list[dict[str, Any]] = []
    visits = (
        deps["visits"]
        .objects.filter(status="scheduled", scheduled_for__gte=since)
        .exclude(touchpoint="")
        .select_related("child")
        .order_by("scheduled_for")
    )
    for visit in visits.iterator():
        if len(found) >= wanted:
            break
        link = (
            deps["links"]
            .objects.filter(child=visit.child, is_primary=True)
            .select_related("caregiver")
            .first()
        )
        plan = [
            p
            for p in deps["plan_of"](visit=visit, bundle=bundle, clinic=clinic, language="en")
            if p.family_can_answer
        ][:4]
        if link is None or not plan:
            continue
        try:
            session, token = deps["start"](
                actor=actor,
                visit=visit,
                caregiver=link.caregiver,
                instrument_ids=[p.id for p in plan],
                language="en",
            )
        except ValidationError:  # an open session from an earlier run (--reuse)
            continue
        found.append(
            {
                "session": str(session.pk),
                "token": token,
                "dob": visit.child.date_of_birth.isoformat(),
                "plan": [
                    (p.id, [i.kind for i in p.instrument.items], [len(i.options) for i in p.instrument.items])
                    for p in plan
                ],
            }
        )
    return found


def _reconcile(sent: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Every answer a family sent is stored; every submitted session is scored, one result per
    questionnaire, with the answers stored."""
    from django.db.models import Count

    from dyadcare.screening.models import ScreeningResult, ScreeningSession

    sessions = ScreeningSession.objects.with_scopes_disabled().in_bulk(list(sent))  # type: ignore[attr-defined]
    results = ScreeningResult.objects.with_scopes_disabled().filter(session_id__in=list(sent))  # type: ignore[attr-defined]
    counts = {
        (str(row["session_id"]), row["instrument_id"]): row["n"]
        for row in results.values("session_id", "instrument_id").annotate(n=Count("id"))
    }
    problems: list[dict[str, Any]] = []
    answers_sent = submitted = 0
    for key, record in sent.items():
        session = sessions.get(uuid.UUID(key))
        if session is None:
            problems.append({"session": key, "problem": "missing"})
            continue
        for instrument_id, answers in record["answers"].items():
            stored = session.answers.get(instrument_id) or []
            for number, value in answers.items():
                answers_sent += 1
                if int(number) > len(stored) or stored[int(number) - 1] != value:
                    problems.append({"session": key, "instrument": instrument_id, "question": number})
        if not record["submitted"]:
            continue
        submitted += 1
        wanted = set(session.answers)
        per_instrument = {i: counts.get((key, i), 0) for i in wanted}
        if session.status != "submitted" or any(n != 1 for n in per_instrument.values()):
            problems.append({"session": key, "status": session.status, "results": per_instrument})
    return {
        "sessions_opened": len(sent),
        "sessions_submitted": submitted,
        "answers_sent": answers_sent,
        "results_stored": sum(v for (s, _), v in counts.items() if sent.get(s, {}).get("submitted")),
        "problems": problems[:20],
        "problem_count": len(problems),
    }


def _figures(prefix: str) -> dict[str, Any]:
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "per_second": round(float(row["Requests/s"]), 2),
            }
    return rows


def _failures(prefix: str) -> dict[str, int]:
    reasons: dict[str, int] = {}
    with open(f"{prefix}_failures.csv", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            reasons[row["Error"]] = reasons.get(row["Error"], 0) + int(row["Occurrences"])
    return reasons


def _server_errors(log: Path) -> int:
    """Responses with a 5xx status in gunicorn's access log (`"GET /path HTTP/1.1" 500 …`)."""
    count = 0
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split('" ')
        if len(parts) > 1 and parts[1][:1] == "5" and parts[1][:3].isdigit():
            count += 1
    return count


def _serve(dyadcare: str, port: int, log: Path, workers: int, threads: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [dyadcare, "serve", "--port", str(port), "--workers", str(workers), "--threads", str(threads)],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("dyadcare serve did not answer /healthz")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/dyadcare_load")
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--families", type=int, default=50)
    parser.add_argument("--staff", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--sessions", type=int, default=0, help="sessions to open (default 12 per family)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--reuse", action="store_true", help="keep the database and its demo network")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dyadcare-loadtest-"))
    os.environ.update({"DYADCARE_DEMO": "1", "DATABASE_URL": args.database_url, "DYADCARE_HOME": str(folder)})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dyadcare.settings")
    dyadcare = str(Path(sys.executable).with_name("dyadcare"))
    demo_seconds = None
    if not args.reuse:
        if args.database_url.startswith("postgres"):
            _recreate_postgres(args.database_url)
        subprocess.run([dyadcare, "migrate", "-v", "0"], check=True)
        started = time.perf_counter()
        subprocess.run(
            [dyadcare, "demo", "--children", str(args.children), "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        demo_seconds = round(time.perf_counter() - started, 1)

    import django

    django.setup()
    from django.db import connections

    plan = _prepare(args.sessions or args.families * 12, seed=1, add_caregiver_screens=not args.reuse)
    connections.close_all()
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    port = _free_port()
    log = folder / "serve.log"
    server = _serve(dyadcare, port, log, args.workers, args.threads)
    prefix = str(folder / "locust")
    env = {
        **os.environ,
        "DYADCARE_LOAD_PLAN": str(folder / "plan.json"),
        "DYADCARE_LOAD_SENT": str(folder / "sent.json"),
        "DYADCARE_LOAD_FAMILIES": str(args.families),
        "DYADCARE_LOAD_STAFF": str(args.staff),
    }
    users = args.families + args.staff
    try:
        subprocess.run(
            [
                str(Path(sys.executable).with_name("locust")),
                "-f",
                str(HERE / "load" / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                "10",
                "-t",
                f"{int(args.minutes * 60)}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures = _figures(prefix)
    sent = json.loads((folder / "sent.json").read_text(encoding="utf-8"))
    reconciliation = _reconcile(sent)
    total = figures.get("Aggregated", {})
    print(
        json.dumps(
            {
                "benchmark": "load_test",
                "database": args.database_url.split(":", 1)[0],
                "children": args.children,
                "demo_seconds": demo_seconds,
                "users": {"families": args.families, "staff": args.staff},
                "minutes": args.minutes,
                "server": {"workers": args.workers, "threads": args.threads, "cpus": os.cpu_count()},
                "requests": total.get("requests"),
                "failures": total.get("failures"),
                "server_errors": _server_errors(log),
                "submit_p95_ms": figures.get("family: submit", {}).get("p95_ms"),
                "failure_reasons": _failures(prefix),
                "by_request": {k: v for k, v in figures.items() if k != "Aggregated"},
                "sessions_left_unopened": len(plan["sessions"]) - len(sent),
                "reconciliation": reconciliation,
                "folder": str(folder),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
