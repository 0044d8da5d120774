"""Benchmark: 50 families answering and submitting at the same time through the family pages,
against 50 families opening their review page at the same time, in the same run.

    .venv/bin/python bench/submit_load.py [--families 50] [--children 3000] [--db FILE]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dyadcare_bench_load .venv/bin/python bench/submit_load.py

Uses the database ``DATABASE_URL`` names when set (a PostgreSQL database is created and the
demo network built there if it holds none), else the SQLite file ``--db`` (built the same
way), else a fresh demo network in a temporary SQLite file. Opens one screening session per
family on a visit that has none
(the visit's questionnaires a family can answer: up to four instruments), starts
``dyadcare serve`` (gunicorn, 2 workers x 8 threads) and runs one thread per family: open
the link, confirm the date of birth, answer every question on its own page, then all families
open the review page together (a barrier; each GET timed), then all press Submit together
(a second barrier). The review page is the floor of the submit: the same families, server,
session and database at the same instant, a read instead of a write; the aim is the submit's
p95 within 3x the review page's p95. The submit request scores every questionnaire before it answers, so
its duration is the submit-to-scored latency. Afterwards every session is reconciled against
the database: submitted, one result per answered questionnaire, every stored answer equal to
the answer sent. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from demodb import open_demo, percentiles

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Family:
    def __init__(
        self, base: str, token: str, dob: Any, plan: list[tuple[str, list[str], list[int]]], seed: int
    ):
        self.base, self.token, self.dob, self.plan = base, token, dob, plan
        self.rng = random.Random(seed)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.sent: dict[str, list[Any]] = {}
        self.submit_seconds = 0.0
        self.review_seconds = 0.0
        self.review_page = ""
        self.error = ""

    def _get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as response:
            return str(response.read().decode())

    def _post(self, path: str, fields: list[tuple[str, str]], page: str) -> str:
        token = CSRF.search(page)
        data = [("csrfmiddlewaretoken", token.group(1))] if token else []
        body = urllib.parse.urlencode(data + fields).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        with self.opener.open(request, timeout=120) as response:
            return str(response.read().decode())

    def answer_all(self) -> None:
        root = f"/f/{self.token}/"
        page = self._get(root)
        page = self._post(
            root,
            [("day", str(self.dob.day)), ("month", str(self.dob.month)), ("year", str(self.dob.year))],
            page,
        )
        for instrument_id, kinds, sizes in self.plan:
            answers: list[Any] = []
            for number, (kind, size) in enumerate(zip(kinds, sizes, strict=True), start=1):
                path = f"{root}q/{instrument_id}/{number}/"
                page = self._get(path)
                if kind == "multi":
                    value: Any = sorted(self.rng.sample(range(size - 1), k=1))
                    fields = [("answer", str(v)) for v in value]
                else:
                    value = self.rng.randrange(size)
                    fields = [("answer", str(value))]
                self._post(path, [*fields, ("action", "next")], page)
                answers.append(value)
            self.sent[instrument_id] = answers

    def review(self) -> None:
        started = time.perf_counter()
        self.review_page = self._get(f"/f/{self.token}/review/")
        self.review_seconds = time.perf_counter() - started

    def submit(self) -> None:
        started = time.perf_counter()
        self._post(f"/f/{self.token}/submit/", [], self.review_page)
        self.submit_seconds = time.perf_counter() - started


def _p(timings: list[float]) -> dict[str, Any]:
    return percentiles(timings) if timings else {"p50_ms": None, "p95_ms": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, default=50)
    parser.add_argument("--children", type=int, default=3000)
    parser.add_argument("--db", default="", help="SQLite file if no DATABASE_URL (else: new)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="dyadcare-load-")
    os.environ["DYADCARE_HOME"] = folder  # the server's static files
    children = open_demo(
        args.db or f"{folder}/load.sqlite3", args.children, settings_module="dyadcare.settings"
    )
    dyadcare = str(Path(sys.executable).with_name("dyadcare"))

    from django.db import connection
    from django.utils import timezone

    from dyadcare.families.models import CareRelationship
    from dyadcare.screening import services
    from dyadcare.screening.internal.plan import visit_plan
    from dyadcare.screening.models import ScreeningResult, ScreeningSession
    from dyadcare.tenancy.actor import Actor
    from dyadcare.tenancy.models import Clinic, User
    from dyadcare.tenancy.roles import Role
    from dyadcare.tenancy.scope import clinic_scope
    from dyadcare.touchpoints.models import Visit
    from dyadcare.touchpoints.schedule import TOUCHPOINT_KEYS
    from dyadcare.touchpoints.selectors import clinic_bundle
    from dyadcare.touchpoints.services import schedule_rule_set

    families: list[dict[str, Any]] = []
    for clinic in Clinic.objects.order_by("slug"):
        user = User.objects.get(username=f"specialist.{clinic.slug}")
        actor = Actor.for_staff(user, clinic=clinic, roles=(Role.DYADIC_SPECIALIST,))
        admin = Actor.for_staff(
            User.objects.get(username=f"admin.{clinic.slug}"), clinic=clinic, roles=(Role.CLINIC_ADMIN,)
        )
        with clinic_scope(clinic):
            # The clinic adds a caregiver well-being category at every visit (bundled instruments).
            for key in TOUCHPOINT_KEYS:
                schedule_rule_set(
                    actor=admin,
                    clinic=clinic,
                    category="caregiver-wellbeing",
                    label="Caregiver well-being",
                    touchpoint=key,
                    instruments=["phq9", "gad7", "taps1"],
                )
            visits = (
                Visit.objects.filter(status=Visit.Status.SCHEDULED, scheduled_for__gte=timezone.now())
                .filter(screening_sessions__isnull=True)  # a database reused by an earlier run
                .exclude(touchpoint="")
                .select_related("child")
                .order_by("scheduled_for")
            )
            for visit in visits:
                if len(families) >= args.families:
                    break
                link = (
                    CareRelationship.objects.filter(child=visit.child, is_primary=True)
                    .select_related("caregiver")
                    .first()
                )
                plan = [
                    p
                    for p in visit_plan(
                        visit=visit, bundle=clinic_bundle(clinic), clinic=clinic, language="en"
                    )
                    if p.family_can_answer
                ][:4]
                if link is None or not plan:
                    continue
                session, token = services.screening_start(
                    actor=actor,
                    visit=visit,
                    caregiver=link.caregiver,
                    instrument_ids=[p.id for p in plan],
                    language="en",
                )
                families.append(
                    {
                        "session": session.pk,
                        "token": token,
                        "dob": visit.child.date_of_birth,
                        "plan": [
                            (
                                p.id,
                                [i.kind for i in p.instrument.items],
                                [len(i.options) for i in p.instrument.items],
                            )
                            for p in plan
                        ],
                    }
                )

    port = _free_port()
    server = subprocess.Popen(
        [dyadcare, "serve", "--port", str(port), "--workers", "2", "--threads", "8", "--no-worker"],
        stdout=subprocess.DEVNULL,
        stderr=open(f"{folder}/server.log", "w"),  # noqa: SIM115 (closed with the process)
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # a loaded machine starts gunicorn slowly
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("dyadcare serve did not answer /healthz") from None
                time.sleep(0.5)
        runners = [Family(base, f["token"], f["dob"], f["plan"], seed=i) for i, f in enumerate(families)]
        barrier = threading.Barrier(len(runners))

        def step(family: Family, phase: str, action: Any) -> None:
            if not family.error:
                try:
                    action()
                except Exception as exc:  # reported in the reconciliation
                    family.error = f"{phase}: {exc!r}"

        def run(family: Family) -> None:
            # A family whose request failed still meets the others at each barrier, so one
            # failure costs one family, not the run.
            step(family, "answering", family.answer_all)
            barrier.wait(timeout=900)
            step(family, "review", family.review)
            barrier.wait(timeout=900)
            step(family, "submit", family.submit)

        started = time.perf_counter()
        threads = [threading.Thread(target=run, args=(f,)) for f in runners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    lost = []
    answers_posted = 0
    for family, spec in zip(runners, families, strict=True):
        session = ScreeningSession.objects.with_scopes_disabled().get(pk=spec["session"])  # type: ignore[attr-defined]
        results = {
            r.instrument_id: r for r in ScreeningResult.objects.with_scopes_disabled().filter(session=session)
        }  # type: ignore[attr-defined]
        answers_posted += sum(len(v) for v in family.sent.values())
        if family.error or session.status != "submitted" or set(results) != set(family.sent):
            lost.append({"session": str(session.pk), "error": family.error, "status": session.status})
            continue
        for instrument_id, answers in family.sent.items():
            if results[instrument_id].answers != answers or session.answers[instrument_id] != answers:
                lost.append({"session": str(session.pk), "instrument": instrument_id})
    latencies = sorted(f.submit_seconds * 1000 for f in runners if not f.error)
    reviews = sorted(f.review_seconds * 1000 for f in runners if f.review_page)
    submit, review = _p(latencies), _p(reviews)
    print(
        json.dumps(
            {
                "benchmark": "family_submit",
                "families": len(runners),
                "answers_posted": answers_posted,
                "results_expected": sum(len(f.sent) for f in runners),
                "results_stored": sum(
                    ScreeningResult.objects.with_scopes_disabled().filter(session_id=s["session"]).count()  # type: ignore[attr-defined]
                    for s in families
                ),
                "lost": lost,
                "database": connection.vendor,
                "children_in_network": children,
                "submit_p50_ms": submit["p50_ms"],
                "submit_p95_ms": submit["p95_ms"],
                "submit_max_ms": round(latencies[-1], 1) if latencies else None,
                "review_p50_ms": review["p50_ms"],
                "review_p95_ms": review["p95_ms"],
                "submit_p95_over_review_p95": round(submit["p95_ms"] / review["p95_ms"], 2)
                if latencies and reviews
                else None,
                "wall_seconds": round(elapsed, 1),
                "server_log": f"{folder}/server.log" if lost else "",
            }
        )
    )


if __name__ == "__main__":
    main()
