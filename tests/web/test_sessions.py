"""A staff session ends after the idle time however often the page polls, and at its absolute
limit however busy the person is; the page's warning reads the time left without renewing
it, and "Stay signed in" renews it."""

from __future__ import annotations

import re
from datetime import datetime

from django.contrib.sessions.models import Session
from django.test import Client

from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import unscoped
from tests.clock import Clock, clock_fixture  # noqa: F401  (the clock fixture)
from tests.factories import PASSWORD, ClinicWorld

IDLE = 15 * 60


def _log_in(client: Client, username: str = "front_desk-a") -> None:
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]


def _expiry(client: Client) -> datetime:
    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def test_polling_every_20_seconds_does_not_keep_a_session_alive(
    world: ClinicWorld, client: Client, clock: Clock
) -> None:
    _log_in(client)
    home = f"/c/{world.a.slug}/huddle/"
    banner = f"/c/{world.a.slug}/alerts/banner/"
    assert client.get(home).status_code == 200  # the person's own request: renews
    stored = _expiry(client)
    for _poll in range(44):  # 14 minutes 40 seconds of polling
        clock.advance(seconds=20)
        assert client.get(banner).status_code == 200
        assert client.get("/session/").status_code == 200  # the warning's own poll
    assert _expiry(client) == stored, "a poll neither renews nor writes the session"
    clock.advance(seconds=40)  # 15 minutes 20 seconds after the last request of the person's own
    ended = client.get(banner)
    assert ended.status_code == 302 and ended["Location"].startswith("/login/")
    assert client.get(home)["Location"].startswith("/login/")


def test_the_persons_own_requests_keep_the_session(world: ClinicWorld, client: Client, clock: Clock) -> None:
    _log_in(client)
    home = f"/c/{world.a.slug}/huddle/"
    for _step in range(6):  # half an hour, a page every five minutes
        clock.advance(minutes=5)
        assert client.get(home).status_code == 200
    first = _expiry(client)
    clock.advance(minutes=14)
    assert client.post("/session/renew/", headers={"Accept": "application/json"}).status_code == 200
    assert _expiry(client) > first, "Stay signed in renews the stored expiry"
    clock.advance(minutes=14)
    assert client.get(home).status_code == 200


def test_a_poll_after_the_end_sends_the_whole_page_to_login(
    world: ClinicWorld, client: Client, clock: Clock
) -> None:
    _log_in(client)
    page = f"/c/{world.a.slug}/huddle/"
    clock.advance(minutes=16)
    polled = client.get(
        f"/c/{world.a.slug}/alerts/banner/",
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}?day=2030-01-01"},
    )
    # htmx would follow a redirect and put the login form inside the banner.
    assert polled.status_code == 401 and polled.content == b""
    assert polled["HX-Redirect"] == f"/login/?next={page.replace('/', '%2F')}"


def test_a_session_ends_12_hours_after_login_however_busy(
    world: ClinicWorld, client: Client, clock: Clock
) -> None:
    _log_in(client, "dyadic_specialist-a")
    home = f"/c/{world.a.slug}/huddle/"
    for _step in range(71):  # 11 hours 50 minutes, something every ten minutes
        clock.advance(minutes=10)
        assert client.post("/session/renew/", headers={"Accept": "application/json"}).status_code == 200
    assert client.get(home).status_code == 200
    left = client.get("/session/").json()
    assert 0 < left["total"] <= 10 * 60 and left["idle"] == IDLE
    clock.advance(minutes=10)
    assert client.get(home)["Location"].startswith("/login/")
    with unscoped("read the audit log"):
        ended = AuditEvent.objects.filter(action="logout", actor_label="dyadic_specialist-a").get()
    assert ended.summary == "session ended after 12 hours"
    # Logging in again starts a new session with its own 12 hours.
    _log_in(client, "dyadic_specialist-a")
    assert client.get("/session/").json()["total"] == 12 * 3600


def test_the_status_reads_the_time_left_without_renewing(
    world: ClinicWorld, client: Client, clock: Clock
) -> None:
    _log_in(client)
    clock.advance(minutes=5)
    left = client.get("/session/").json()
    assert left == {"idle": IDLE - 300, "total": 12 * 3600 - 300, "warning": 60}
    clock.advance(minutes=1)
    assert client.get("/session/").json()["idle"] == IDLE - 360, "reading it renewed nothing"
    assert client.post("/session/renew/", headers={"Accept": "application/json"}).json()["idle"] == IDLE


def test_stay_signed_in_without_the_script_goes_back_to_the_page(world: ClinicWorld, client: Client) -> None:
    _log_in(client)
    page = f"/c/{world.a.slug}/children/?q=Ram"
    assert client.post("/session/renew/", {"next": page})["Location"] == page
    for outside in ("https://example.org/", "//example.org/x", "javascript:alert(1)"):
        assert client.post("/session/renew/", {"next": outside})["Location"] == "/"
    assert client.get("/session/renew/").status_code == 405


def test_staff_pages_carry_the_warning_and_the_login_page_does_not(
    world: ClinicWorld, client: Client
) -> None:
    assert 'id="session-warning"' not in client.get("/login/").content.decode()
    _log_in(client)
    page = client.get(f"/c/{world.a.slug}/huddle/").content.decode()
    assert '<dialog id="session-warning"' in page
    # The counts are seconds left when the page was drawn: a slow page may cross a second.
    idle = int(re.search(r'data-idle="(\d+)"', page).group(1))  # type: ignore[union-attr]
    total = int(re.search(r'data-total="(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert 890 <= idle <= 900 and 43190 <= total <= 43200 and 'data-warning="60"' in page
    assert 'action="/session/renew/"' in page and "Stay signed in" in page


def test_the_limits_come_from_the_environment(tmp_path: object) -> None:
    import subprocess
    import sys

    script = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_AGE, s.SESSION_MAX_SECONDS, s.SESSION_WARNING_SECONDS)"
    )
    run = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "dyadcare.settings",
            "DYADCARE_DEMO": "1",
            "DYADCARE_HOME": str(tmp_path),
            "DYADCARE_SESSION_IDLE_MINUTES": "10",
            "DYADCARE_SESSION_MAX_HOURS": "8",
            "DYADCARE_SESSION_WARNING_SECONDS": "90",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.split() == ["600", "28800", "90"]
    refused = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "dyadcare.settings",
            "DYADCARE_DEMO": "1",
            "DYADCARE_HOME": str(tmp_path),
            "DYADCARE_SESSION_IDLE_MINUTES": "1",
            "DYADCARE_SESSION_WARNING_SECONDS": "60",
        },
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0 and "DYADCARE_SESSION_WARNING_SECONDS" in refused.stderr
