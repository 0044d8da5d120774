"""Misuse and faults on the family side: expired, used, guessed and tampered links, the clinic
closing the session or sending a new link while the family answers, two tabs submitting, a
restart. Each gets a clear page with the right status code, and no saved answer is lost."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from dyadcare.publiclinks import throttle
from dyadcare.publiclinks.models import LinkAttempt
from dyadcare.screening import family, services
from dyadcare.screening.internal import crisis
from dyadcare.screening.models import ScreeningResult, ScreeningSession
from dyadcare.tenancy.scope import clinic_scope, unscoped
from dyadcare.touchpoints.models import Visit
from tests.factories import ClinicWorld, answer, family_link
from tests.screening.conftest import staff_actor
from tests.screening.test_family_pages import body, confirm, saved, start

pytestmark = pytest.mark.django_db


def _expire(session: ScreeningSession) -> None:
    with unscoped("test"):
        ScreeningSession.objects.filter(pk=session.pk).update(
            token_expires_at=timezone.now() - timedelta(minutes=1)
        )


def _results(session: ScreeningSession) -> int:
    with unscoped("test"):
        return ScreeningResult.objects.filter(session=session).count()


# Links that do not open the questions -----------------------------------------------------------


def test_an_expired_link_says_so_in_the_family_language(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    session, token = start(world, two_month_visit, ("phq9",), language="es")
    confirm(client, token, two_month_visit)
    client.post(f"/f/{token}/q/phq9/1/", {"answer": "1", "action": "next"})
    _expire(session)
    for path in ("", "q/phq9/2/", "review/", "done/"):
        response = client.get(f"/f/{token}/{path}")
        assert response.status_code == 410, path
        assert "Este enlace ya venció" in body(response) and '<html lang="es">' in body(response)
        assert response["Cache-Control"] == "no-store"
    assert client.post(f"/f/{token}/q/phq9/2/", {"answer": "1", "action": "next"})["Location"] == (
        f"/f/{token}/?late=1"
    )
    assert saved(session)["phq9"][:2] == [1, None], "the answer given before is kept"
    # The page can be read in English without changing the expired session.
    switched = client.post(f"/f/{token}/language/", {"language": "en", "next": f"/f/{token}/"})
    assert switched["Location"] == f"/f/{token}/?lang=en"
    english = client.get(switched["Location"])
    assert english.status_code == 410 and "This link has expired" in body(english)


@pytest.mark.parametrize(
    "token",
    [
        "x" * 43,
        "short",
        "../../etc/passwd".replace("/", "_"),
        "A" * 200,
    ],
)
def test_a_guessed_link_gets_a_page_in_both_languages(client: Client, token: str, db: None) -> None:
    response = client.get(f"/f/{token}/")
    page = body(response)
    assert response.status_code == 404
    assert "This link does not work" in page and "Este enlace no funciona" in page
    assert '<section class="bilingual" lang="es">' in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert LinkAttempt.objects.filter(ip="127.0.0.1").count() == 1


def test_a_tampered_link_is_unknown(world: ClinicWorld, two_month_visit: Visit, client: Client) -> None:
    session, token = start(world, two_month_visit, ("phq9",))
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/f/{tampered}/").status_code == 404
    assert client.post(f"/f/{tampered}/q/phq9/1/", {"answer": "3"}).status_code == 404
    assert saved(session)["phq9"][0] is None


def test_guessing_is_slowed_down(world: ClinicWorld, two_month_visit: Visit, client: Client) -> None:
    _session, token = start(world, two_month_visit, ("phq9",))
    for n in range(throttle.FAILURES_PER_ADDRESS):
        assert client.get(f"/f/guess{n:040d}/").status_code == 404
    response = client.get("/f/" + "y" * 43 + "/")
    assert response.status_code == 429 and int(response["Retry-After"]) == 600
    assert "Too many tries" in body(response) and "Demasiados intentos" in body(response)
    # A real link is never turned away: families share the clinic's Wi-Fi address.
    assert client.get(f"/f/{token}/").status_code == 200, "a link that matches a session always opens"
    assert client.get("/f/" + "w" * 43 + "/").status_code == 429, "guessing stays slowed down"
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.get("/f/" + "w" * 43 + "/").status_code == 404, "other addresses are not affected"


def test_the_fetch_script_is_sent_to_the_page_that_explains(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    session, token = start(world, two_month_visit, ("phq9",))
    confirm(client, token, two_month_visit)
    _expire(session)
    response = client.post(
        f"/f/{token}/q/phq9/1/", {"answer": "1", "action": "next"}, headers={"X-Family-Fetch": "1"}
    )
    assert response.status_code == 409 and response.json() == {"next": f"/f/{token}/?late=1"}
    unknown = client.post("/f/" + "z" * 43 + "/q/phq9/1/", {"answer": "1"}, headers={"X-Family-Fetch": "1"})
    assert unknown.status_code == 404 and unknown.json()["next"].startswith("/f/zzz")


# The clinic closes the session --------------------------------------------------------------------


def test_a_closed_session_tells_the_family_their_answers_were_kept(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    session, token = start(world, two_month_visit, ("phq9",))
    confirm(client, token, two_month_visit)
    client.post(f"/f/{token}/q/phq9/1/", {"answer": "2", "action": "next"})
    with clinic_scope(world.a):
        services.screening_cancel(actor=staff_actor(world, "front_desk"), session=session)
    # The family's next answer arrives after the clinic closed the session.
    late = client.post(f"/f/{token}/q/phq9/2/", {"answer": "1", "action": "next"})
    assert late.status_code == 303 and late["Location"] == f"/f/{token}/?late=1"
    page = client.get(late["Location"])
    assert page.status_code == 410
    assert "The clinic closed these questions" in body(page) and "were saved" in body(page)
    assert "arrived after the questions were closed" in body(page)
    assert saved(session)["phq9"][:2] == [2, None], "the earlier answer is kept"
    # Whoever holds the link is told the clinic closed it (the link keeps its hash).
    assert Client(REMOTE_ADDR="10.9.9.9").get(f"/f/{token}/").status_code == 410
    # The clinic can still score what was saved.
    with clinic_scope(world.a):
        scored = services.screening_score_saved(
            actor=staff_actor(world, "dyadic_specialist"), session=session
        )
    assert len(scored) == 1 and scored[0].result.answers[0] == 2


def test_closing_races_an_answer_through_the_services(world: ClinicWorld, two_month_visit: Visit) -> None:
    session, token = start(world, two_month_visit, ("phq9",))
    with family_link(token, ip="10.0.0.2") as link:
        answer(link, "phq9", 1, 3)
        services.screening_cancel(actor=staff_actor(world, "front_desk"), session=session)
        with pytest.raises(family.LinkProblem) as problem:
            answer(link, "phq9", 2, 1)
        assert problem.value.kind == "cancelled"
        with pytest.raises(family.LinkProblem) as problem:
            family.submit(link)
        assert problem.value.kind == "cancelled"
        with pytest.raises(family.LinkProblem):
            family.set_language(link, "es")
    assert saved(session)["phq9"][:2] == [3, None]
    assert _results(session) == 0


def test_a_submit_racing_a_close(world: ClinicWorld, two_month_visit: Visit, client: Client) -> None:
    session, token = start(world, two_month_visit, ("phq9",))
    confirm(client, token, two_month_visit)
    client.post(f"/f/{token}/q/phq9/1/", {"answer": "1", "action": "next"})
    review = client.get(f"/f/{token}/review/")
    assert review.status_code == 200
    with clinic_scope(world.a):
        services.screening_cancel(actor=staff_actor(world, "front_desk"), session=session)
    sent = client.post(f"/f/{token}/submit/")
    assert sent.status_code == 303 and sent["Location"] == f"/f/{token}/"
    assert client.get(sent["Location"]).status_code == 410
    assert _results(session) == 0 and saved(session)["phq9"][0] == 1


def test_a_close_racing_a_submit(world: ClinicWorld, two_month_visit: Visit, client: Client) -> None:
    session, token = start(world, two_month_visit, ("phq9",))
    confirm(client, token, two_month_visit)
    client.post(f"/f/{token}/q/phq9/1/", {"answer": "1", "action": "next"})
    client.post(f"/f/{token}/submit/")
    with clinic_scope(world.a), pytest.raises(ValidationError):
        services.screening_cancel(actor=staff_actor(world, "front_desk"), session=session)
    assert _results(session) == 1
    assert "Thank you" in body(client.get(f"/f/{token}/done/"))


# The clinic sends a new link ----------------------------------------------------------------------


def test_a_new_link_while_the_family_answers(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    session, token = start(world, two_month_visit, ("phq9",))
    confirm(client, token, two_month_visit)
    client.post(f"/f/{token}/q/phq9/1/", {"answer": "2", "action": "next"})
    with clinic_scope(world.a):
        new_token = services.screening_new_link(
            actor=staff_actor(world, "front_desk"), session=session, mode=ScreeningSession.Mode.LINK
        )
    old = client.post(f"/f/{token}/q/phq9/2/", {"answer": "1", "action": "next"})
    assert old.status_code == 404 and "newer link" in body(old)
    assert saved(session)["phq9"][:2] == [2, None]
    # The newest link asks for the date again and continues after the saved answer.
    assert client.get(f"/f/{new_token}/q/phq9/2/")["Location"] == f"/f/{new_token}/"
    assert confirm(client, new_token, two_month_visit)["Location"] == f"/f/{new_token}/q/phq9/2/"


def test_a_new_link_racing_an_answer_through_the_services(world: ClinicWorld, two_month_visit: Visit) -> None:
    """The family's request found the session before the staff issued a new link: the answer
    is saved on the session all the same."""
    session, token = start(world, two_month_visit, ("phq9",))
    with family_link(token, ip="10.0.0.3") as link:
        new_token = services.screening_new_link(
            actor=staff_actor(world, "front_desk"), session=session, mode=ScreeningSession.Mode.KIOSK
        )
        answer(link, "phq9", 1, 2)
    assert saved(session)["phq9"][0] == 2
    with pytest.raises(family.LinkProblem):
        family.open_link(token, ip="10.0.0.3")
    assert family.open_link(new_token, ip="10.0.0.3").session.answers["phq9"][0] == 2


# Two tabs -------------------------------------------------------------------------------------------


def test_two_tabs_submitting_both_land_on_thanks_with_one_set_of_results(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    session, token = start(world, two_month_visit, ("phq9", "cdc-milestones-2m"))
    confirm(client, token, two_month_visit)
    client.post(f"/f/{token}/q/phq9/1/", {"answer": "1", "action": "next"})
    client.post(f"/f/{token}/q/cdc-milestones-2m/1/", {"answer": "0", "action": "next"})
    tab_two = Client()
    tab_two.cookies = client.cookies  # the same browser: the same cookies
    first = client.post(f"/f/{token}/submit/")
    second = tab_two.post(f"/f/{token}/submit/")
    assert first["Location"] == second["Location"] == f"/f/{token}/done/"
    for tab in (client, tab_two):
        page = body(tab.get(f"/f/{token}/done/"))
        assert "Thank you" in page and "last change was not added" not in page
    assert _results(session) == 2
    # An answer from a tab still on a question arrives after the send: it says so.
    late = tab_two.post(f"/f/{token}/q/phq9/2/", {"answer": "3", "action": "next"})
    assert late["Location"] == f"/f/{token}/done/?late=1"
    assert "last change was not added" in body(tab_two.get(late["Location"]))
    assert saved(session)["phq9"][1] is None


def test_two_submissions_through_the_services(world: ClinicWorld, two_month_visit: Visit) -> None:
    session, token = start(world, two_month_visit, ("phq9",))
    with family_link(token) as tab_one, family_link(token) as tab_two:
        answer(tab_one, "phq9", 9, 2)
        first = family.submit(tab_one)
        second = family.submit(tab_two)
    assert not first.already and second.already
    assert first.show_crisis_resources and second.show_crisis_resources
    assert _results(session) == 1


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_moment(world: ClinicWorld, two_month_visit: Visit) -> None:
    """Two requests in two threads: the row lock lets one score, the other sees it sent."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database locks tables instead of waiting (PostgreSQL runs it)")
    session, token = start(world, two_month_visit, ("phq9",))
    with family_link(token) as link:
        answer(link, "phq9", 1, 1)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def send() -> None:
        try:
            with family_link(token) as mine:
                barrier.wait(timeout=10)
                outcomes.append(family.submit(mine).already)
        except Exception as exc:  # recorded for the assertion below
            outcomes.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(map(str, outcomes)) == ["False", "True"], outcomes
    assert _results(session) == 1


# A restart ------------------------------------------------------------------------------------------


def test_nothing_lives_in_the_server_between_screens(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    """Every screen reads the session from the database and every answer is written before
    the next page: a browser with only the link and a fresh process sees everything."""
    session, token = start(world, two_month_visit, ("phq9",))
    confirm(client, token, two_month_visit)
    for number in range(1, 6):
        client.post(f"/f/{token}/q/phq9/{number}/", {"answer": str(number % 4), "action": "next"})
    crisis._crisis_data.cache_clear()  # as after a restart
    fresh = Client()
    assert confirm(fresh, token, two_month_visit)["Location"] == f"/f/{token}/q/phq9/6/"
    review = body(fresh.get(f"/f/{token}/review/"))
    assert review.count("Not answered") == 4
    assert saved(session)["phq9"] == [1, 2, 3, 0, 1, None, None, None, None]
