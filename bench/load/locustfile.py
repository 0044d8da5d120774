"""Locust scenario: families answering and submitting, staff working the huddle, child pages
and alerts. Run by ``bench/load_test.py`` (which prepares the plan, serves dyadcare and
reconciles the database afterwards); never imported by the app or the test suite, since
locust patches the standard library with gevent when it is imported.

The plan (``DYADCARE_LOAD_PLAN``, JSON written by the runner) lists screening sessions ready
for families (link token, date of birth, each questionnaire's question kinds and sizes) and
the staff logins with children to open. Every answer a family got an accepted reply for, and
every session it submitted, is written to ``DYADCARE_LOAD_SENT`` when the run stops.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections import deque
from datetime import date
from typing import Any

from locust import HttpUser, between, events, task
from locust.exception import StopUser

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REDIRECTS = (302, 303)

with open(os.environ["DYADCARE_LOAD_PLAN"], encoding="utf-8") as _file:
    PLAN: dict[str, Any] = json.load(_file)
SESSIONS: deque[dict[str, Any]] = deque(PLAN["sessions"])
STAFF: list[dict[str, Any]] = PLAN["staff"]
# session id -> {"answers": {instrument: {question number: value}}, "submitted": bool}
SENT: dict[str, dict[str, Any]] = {}
_staff_seats = iter(range(10**6))


@events.test_stop.add_listener
def _write_sent(**_: Any) -> None:
    with open(os.environ["DYADCARE_LOAD_SENT"], "w", encoding="utf-8") as file:
        json.dump(SENT, file)


def _problem(response: Any) -> str:
    """A failure's reason: the status, or with no response (status 0) the connection error."""
    if response.status_code:
        return f"status {response.status_code}"
    return f"no response: {type(response.error).__name__}: {str(response.error)[:120]}"


def _csrf(text: str) -> list[tuple[str, str]]:
    found = CSRF.search(text)
    return [("csrfmiddlewaretoken", found.group(1))] if found else []


class Family(HttpUser):
    """A caregiver on a phone: open the link, confirm the date of birth, answer each question
    (a few seconds each), review, submit; then the next family's link."""

    fixed_count = int(os.environ.get("DYADCARE_LOAD_FAMILIES", "50"))
    wait_time = between(1, 4)

    def on_start(self) -> None:
        self.rng = random.Random()

    @task
    def one_session(self) -> None:
        if not SESSIONS:
            raise StopUser()
        spec = SESSIONS.popleft()
        record: dict[str, Any] = {"answers": {}, "submitted": False}
        SENT[spec["session"]] = record
        self.client.cookies.clear()
        root = f"/f/{spec['token']}/"
        page = self._get(root, "family: open link")
        born = date.fromisoformat(spec["dob"])
        fields = [("day", str(born.day)), ("month", str(born.month)), ("year", str(born.year))]
        self._post(root, fields, page, "family: date of birth")
        for instrument_id, kinds, sizes in spec["plan"]:
            answers = record["answers"].setdefault(instrument_id, {})
            for number, (kind, size) in enumerate(zip(kinds, sizes, strict=True), start=1):
                self.wait()
                path = f"{root}q/{instrument_id}/{number}/"
                page = self._get(path, "family: question")
                if kind == "multi":
                    value: Any = sorted(self.rng.sample(range(size - 1), k=1))
                    chosen = [("answer", str(v)) for v in value]
                else:
                    value = self.rng.randrange(size)
                    chosen = [("answer", str(value))]
                self._post(path, [*chosen, ("action", "next")], page, "family: answer")
                answers[str(number)] = value
        page = self._get(f"{root}review/", "family: review")
        self._post(f"{root}submit/", [], page, "family: submit")
        record["submitted"] = True

    def _get(self, path: str, name: str) -> str:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(_problem(response))
                raise StopUser()
            return str(response.text)

    def _post(self, path: str, fields: list[tuple[str, str]], page: str, name: str) -> None:
        """A family's post is accepted when it is sent on (303); the form again is a failure."""
        with self.client.post(
            path, data=_csrf(page) + fields, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code not in REDIRECTS:
                response.failure(_problem(response))
                raise StopUser()


class Staff(HttpUser):
    """A staff member at a workstation: the huddle, a child's page, the alerts, and the alert
    banner the pages poll."""

    fixed_count = int(os.environ.get("DYADCARE_LOAD_STAFF", "20"))
    wait_time = between(2, 6)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.seat = STAFF[next(_staff_seats) % len(STAFF)]
        self.base = f"/c/{self.seat['clinic']}/"
        page = self.client.get("/login/", name="staff: login page").text
        fields = [("username", self.seat["username"]), ("password", self.seat["password"])]
        with self.client.post(
            "/login/",
            data=_csrf(page) + fields,
            name="staff: log in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in REDIRECTS:
                response.failure(f"login refused ({response.status_code})")
                raise StopUser()

    def _page(self, path: str, name: str) -> str:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(_problem(response))
                return ""
            return str(response.text)

    @task(3)
    def huddle(self) -> None:
        self._page(self.base + "huddle/", "staff: huddle")

    @task(4)
    def child_page(self) -> None:
        child = self.rng.choice(self.seat["children"])
        self._page(f"{self.base}children/{child}/", "staff: child page")

    @task(2)
    def alerts(self) -> None:
        self._page(self.base + "alerts/", "staff: alerts")

    @task(2)
    def alert_banner(self) -> None:
        self._page(self.base + "alerts/banner/", "staff: alert banner")
