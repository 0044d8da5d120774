"""A forwarded family link cannot be brute-forced: ten wrong dates of birth over the link's life
close it until the clinic sends a new one, the limits are checked under the row lock so guesses
sent together are never evaluated beyond them, and a clinic's shared address guessing unknown
links never blocks a family's real one."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from dyadcare.screening import family, services
from dyadcare.screening.models import ScreeningSession
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope, unscoped
from dyadcare.touchpoints.models import Visit
from tests.factories import ClinicWorld, family_link
from tests.screening.conftest import staff_actor
from tests.screening.test_family_pages import body, confirm, dob_form, start

pytestmark = pytest.mark.django_db


def _stored(session: ScreeningSession) -> ScreeningSession:
    with unscoped("test reads the session"):
        return ScreeningSession.objects.get(pk=session.pk)


def _end_pause(session: ScreeningSession) -> None:
    with unscoped("test: the 15 minutes pass"):
        ScreeningSession.objects.filter(pk=session.pk).update(
            locked_until=timezone.now() - timedelta(seconds=1)
        )


def _audited(session: ScreeningSession, action: str) -> int:
    with unscoped("test reads the audit log"):
        return AuditEvent.objects.filter(action=action, object_id=str(session.pk)).count()


def test_twenty_unknown_links_from_one_address_leave_a_real_link_working(
    world: ClinicWorld, two_month_visit: Visit
) -> None:
    _session, token = start(world, two_month_visit, ("phq9",))
    wifi = Client(REMOTE_ADDR="203.0.113.30")  # the clinic's Wi-Fi: one address for everyone
    for n in range(20):
        assert wifi.get(f"/f/{n:043d}/").status_code == 404
    assert wifi.get("/f/" + "q" * 43 + "/").status_code == 429, "the guessing is slowed down"
    assert wifi.get(f"/f/{token}/").status_code == 200, "a family's real link opens"
    assert confirm(wifi, token, two_month_visit)["Location"] == f"/f/{token}/q/phq9/"


def test_ten_wrong_dates_close_the_link_for_good(world: ClinicWorld, two_month_visit: Visit) -> None:
    session, token = start(world, two_month_visit, ("phq9",))
    client = Client()
    wrong = dob_form(two_month_visit.child.date_of_birth - timedelta(days=2))
    for left in (4, 3, 2, 1):
        assert f"({left} more tr" in body(client.post(f"/f/{token}/", wrong))
    assert client.post(f"/f/{token}/", wrong).status_code == 303  # the fifth: a 15-minute pause
    assert client.get(f"/f/{token}/").status_code == 429
    _end_pause(session)
    for left in (4, 3, 2, 1):  # now each try counts down to the link's end
        page = body(client.post(f"/f/{token}/", wrong))
        assert f"({left} more tr" in page and "before this link stops working" in page
    closed = client.post(f"/f/{token}/", wrong)
    assert closed.status_code == 303 and closed["Location"] == f"/f/{token}/"
    page = client.get(f"/f/{token}/")
    assert page.status_code == 410
    assert "This link no longer works" in body(page) and "send you a new link" in body(page)
    # For good: not after the pause, not with the right date.
    _end_pause(session)
    assert client.post(f"/f/{token}/", dob_form(two_month_visit.child.date_of_birth)).status_code == 303
    assert client.get(f"/f/{token}/").status_code == 410
    assert client.get(f"/f/{token}/q/phq9/1/").status_code == 410
    stored = _stored(session)
    assert stored.dob_wrong_total == 10 and stored.closed_by_wrong_dates and stored.started_at is None
    assert _audited(session, "screening.dob_failed") == 10
    assert _audited(session, "screening.link_closed_wrong_dates") == 1


def test_the_staff_see_the_closed_link_and_send_a_new_one(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    session, token = start(world, two_month_visit, ("phq9",))
    with unscoped("test: ten wrong dates were given"):
        ScreeningSession.objects.filter(pk=session.pk).update(dob_wrong_total=10)
    assert Client().get(f"/f/{token}/").status_code == 410
    client.force_login(world.staff_a["dyadic_specialist"])
    page = client.get(f"/c/{world.a.slug}/visits/{two_month_visit.pk}/screening/").content.decode()
    assert "closed after too many wrong dates of birth" in page and "Send a new link" in page
    with clinic_scope(world.a):
        new_token = services.screening_new_link(
            actor=staff_actor(world, "front_desk"), session=session, mode=ScreeningSession.Mode.LINK
        )
    stored = _stored(session)
    assert (stored.dob_wrong_total, stored.dob_failures, stored.locked_until) == (0, 0, None)
    fresh = Client()
    assert confirm(fresh, new_token, two_month_visit)["Location"] == f"/f/{new_token}/q/phq9/"
    assert Client().get(f"/f/{token}/").status_code == 404, "the old link stays dead"


def test_the_closed_page_speaks_the_family_language(world: ClinicWorld, two_month_visit: Visit) -> None:
    session, token = start(world, two_month_visit, ("phq9",), language="es")
    with unscoped("test: ten wrong dates were given"):
        ScreeningSession.objects.filter(pk=session.pk).update(dob_wrong_total=10)
    page = Client().get(f"/f/{token}/")
    assert page.status_code == 410 and '<html lang="es">' in body(page)
    assert "Este enlace ya no funciona" in body(page) and "enlace nuevo" in body(page)


def test_guesses_read_before_the_lock_are_not_evaluated_past_it(
    world: ClinicWorld, two_month_visit: Visit
) -> None:
    """Twelve requests opened the link before any of them wrote (they all saw it open): under
    the row lock only five dates are compared, the others are refused (the lock is checked
    again there). Sequential, so it runs on SQLite too; the threaded test below is the real
    race."""
    session, token = start(world, two_month_visit, ("phq9",))
    wrong = two_month_visit.child.date_of_birth - timedelta(days=1)
    opened = [family.open_link(token, ip="10.0.0.9") for _ in range(12)]
    outcomes = []
    for link in opened:
        with clinic_scope(world.a):
            try:
                outcomes.append(family.confirm_dob(link, wrong))
            except family.LinkProblem as problem:
                outcomes.append(problem.kind)
    assert outcomes == [False] * 5 + ["locked"] * 7
    assert _stored(session).dob_wrong_total == 5
    assert _audited(session, "screening.dob_failed") == 5
    # The right date sent by a request that opened the link before the pause waits too.
    with clinic_scope(world.a), pytest.raises(family.LinkProblem) as problem:
        family.confirm_dob(opened[0], two_month_visit.child.date_of_birth)
    assert problem.value.kind == "locked"


def test_a_new_link_issued_meanwhile_refuses_the_old_ones_guess(
    world: ClinicWorld, two_month_visit: Visit
) -> None:
    session, token = start(world, two_month_visit, ("phq9",))
    with family_link(token) as link:
        services.screening_new_link(
            actor=staff_actor(world, "front_desk"), session=session, mode=ScreeningSession.Mode.LINK
        )
        with pytest.raises(family.LinkProblem) as problem:
            family.confirm_dob(link, two_month_visit.child.date_of_birth)
    assert problem.value.kind == "unknown"
    assert _stored(session).started_at is None


GUESSES = 6


def _guess_together(token: str, guesses: int, wrong: object) -> list[object]:
    barrier = threading.Barrier(guesses)
    outcomes: list[object] = []

    def guess() -> None:
        try:
            with family_link(token) as link:
                barrier.wait(timeout=10)
                outcomes.append(family.confirm_dob(link, wrong))  # type: ignore[arg-type]
        except family.LinkProblem as problem:
            outcomes.append(problem.kind)
        except Exception as exc:  # recorded for the assertion
            outcomes.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=guess) for _ in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("already_wrong", "evaluated", "refused"),
    [(0, 5, "locked"), (8, 2, "wrong_dates")],
    ids=["pause", "close"],
)
def test_guesses_sent_at_the_same_moment(
    world: ClinicWorld, two_month_visit: Visit, already_wrong: int, evaluated: int, refused: str
) -> None:
    """Parallel requests, each in its own thread and connection: the row lock lets exactly
    as many dates be compared as the limits allow (five before a pause, ten in the link's
    life); the others are refused without being compared."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database locks tables instead of waiting (PostgreSQL runs it)")
    session, token = start(world, two_month_visit, ("phq9",))
    with unscoped("test: earlier wrong dates, no pause now"):
        ScreeningSession.objects.filter(pk=session.pk).update(dob_wrong_total=already_wrong)
    # More guesses than either limit allows, each holding its own connection while it waits:
    # six, with the test's own, fit the connection pool (DYADCARE_DB_POOL_MAX, 8 by default).
    outcomes = _guess_together(token, GUESSES, two_month_visit.child.date_of_birth - timedelta(days=1))
    expected = ["False"] * evaluated + [refused] * (GUESSES - evaluated)
    assert sorted(map(str, outcomes)) == sorted(expected), outcomes
    assert _stored(session).dob_wrong_total == already_wrong + evaluated
    assert _audited(session, "screening.dob_failed") == evaluated
