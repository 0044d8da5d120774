"""The family's pages through Django's test client: the date-of-birth check and its cookie,
one question per screen saved on every screen, back, skip, review, submit, thank-you, the
language switch, kiosk mode and the headers every family page carries."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dyadcare.instruments.engine.textfile import ItemText
from dyadcare.instruments.services import item_text_load as load_text
from dyadcare.screening import family, services
from dyadcare.screening.models import ScreeningResult, ScreeningSession
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope, unscoped
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.services import schedule_rule_set
from tests.factories import ClinicWorld, family_link, start_session
from tests.screening.conftest import mother, staff_actor

THREE = ("phq9", "ahc-hrsn", "cdc-milestones-2m")  # 9 + 10 + 11 questions


def start(
    world: ClinicWorld,
    visit: Visit,
    instruments: tuple[str, ...] = THREE,
    *,
    language: str = "en",
    mode: str = ScreeningSession.Mode.LINK,
) -> tuple[ScreeningSession, str]:
    return start_session(world, visit, instruments, language=language, mode=mode)


def dob_form(born: date) -> dict[str, str]:
    return {"day": str(born.day), "month": str(born.month), "year": str(born.year)}


def confirm(client: Client, token: str, visit: Visit) -> Any:
    response = client.post(f"/f/{token}/", dob_form(visit.child.date_of_birth))
    assert response.status_code == 303, response.content.decode()[:500]
    return response


def saved(session: ScreeningSession) -> dict[str, list[Any]]:
    with unscoped("test reads the saved answers"):
        answers: dict[str, list[Any]] = ScreeningSession.objects.get(pk=session.pk).answers
        return answers


def body(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def opened(world: ClinicWorld, two_month_visit: Visit, client: Client) -> tuple[ScreeningSession, str]:
    session, token = start(world, two_month_visit)
    confirm(client, token, two_month_visit)
    return session, token


# The date-of-birth check ---------------------------------------------------------------------


def test_the_link_opens_on_the_date_check(world: ClinicWorld, two_month_visit: Visit, client: Client) -> None:
    _session, token = start(world, two_month_visit)
    response = client.get(f"/f/{token}/")
    page = body(response)
    assert response.status_code == 200
    assert '<html lang="en">' in page and "date of birth" in page
    assert two_month_visit.child.given_name not in page, "nothing about the family before the check"
    assert 'for="dob-day"' in page and 'id="dob-day"' in page
    assert 'autocomplete="off"' in page, "a phone must not fill in the caregiver's own birthday"
    assert "htmx" not in page and "topbar" not in page, "no staff bundle or navigation"
    for path in ("q/phq9/", "q/phq9/1/", "review/", "done/"):
        assert client.get(f"/f/{token}/{path}")["Location"] == f"/f/{token}/", path
    assert client.post(f"/f/{token}/q/phq9/1/", {"answer": "1"})["Location"] == f"/f/{token}/"
    assert client.post(f"/f/{token}/submit/")["Location"] == f"/f/{token}/"
    assert saved(_session)["phq9"][0] is None


def test_a_right_date_sets_a_strict_cookie_for_this_link_only(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    session, token = start(world, two_month_visit)
    response = confirm(client, token, two_month_visit)
    assert response["Location"] == f"/f/{token}/q/phq9/"
    cookie = response.cookies["dyadcare_family"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == f"/f/{token}/"
    assert 0 < int(cookie["max-age"]) <= 24 * 3600
    assert str(session.pk) in cookie.value and token not in cookie.value
    assert client.get(f"/f/{token}/q/phq9/1/").status_code == 200
    assert client.get(f"/f/{token}/")["Location"] == f"/f/{token}/q/phq9/", "no second date check"
    with unscoped("test"):
        opened = AuditEvent.objects.get(object_id=str(session.pk), summary="family opened the link")
    assert opened.actor is None and opened.actor_label.startswith("family link")
    assert token not in opened.path and opened.path == "/f/…/"


def test_a_tampered_or_borrowed_cookie_is_not_enough(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    session, token = start(world, two_month_visit)
    confirm(client, token, two_month_visit)
    value = client.cookies["dyadcare_family"].value
    tampered = Client()
    tampered.cookies["dyadcare_family"] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    tampered.cookies["dyadcare_family"]["path"] = f"/f/{token}/"
    assert tampered.get(f"/f/{token}/q/phq9/1/")["Location"] == f"/f/{token}/"
    # The same signed value under a new link of the same session: that link asks again.
    with clinic_scope(world.a):
        new_token = services.screening_new_link(
            actor=staff_actor(world, "front_desk"), session=session, mode=ScreeningSession.Mode.LINK
        )
    borrowed = Client()
    borrowed.cookies["dyadcare_family"] = value
    assert borrowed.get(f"/f/{new_token}/q/phq9/1/")["Location"] == f"/f/{new_token}/"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"day": "", "month": "", "year": ""}, "Enter the day, month and year"),
        ({"day": "30", "month": "2", "year": "2025"}, "This date does not exist"),
        ({"day": "x", "month": "2", "year": "2025"}, "Use numbers"),
        ({"day": "1", "month": "1", "year": str(date.today().year + 1)}, "cannot be in the future"),
    ],
)
def test_a_date_that_cannot_be_read_is_explained_and_not_counted(
    world: ClinicWorld, two_month_visit: Visit, client: Client, form: dict[str, str], message: str
) -> None:
    session, token = start(world, two_month_visit)
    response = client.post(f"/f/{token}/", form)
    page = body(response)
    assert response.status_code == 422 and message in page
    assert 'aria-describedby="dob-hint dob-error"' in page and 'id="dob-error"' in page
    assert 'aria-invalid="true"' in page and "<title>Error:" in page
    with unscoped("test"):
        assert ScreeningSession.objects.get(pk=session.pk).dob_failures == 0


def test_wrong_dates_count_down_then_lock_the_link(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    session, token = start(world, two_month_visit)
    wrong = dob_form(two_month_visit.child.date_of_birth - timedelta(days=1))
    for left in (4, 3, 2, 1):
        response = client.post(f"/f/{token}/", wrong)
        assert response.status_code == 422
        assert f"({left} more tr" in body(response)
    response = client.post(f"/f/{token}/", wrong)
    assert response.status_code == 303 and response["Location"] == f"/f/{token}/"
    locked = client.get(f"/f/{token}/")
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    assert "Please wait before trying again" in body(locked) and "about 15 minutes" in body(locked)
    # Even the right date waits now, and so does a browser that had confirmed it before.
    assert client.post(f"/f/{token}/", dob_form(two_month_visit.child.date_of_birth)).status_code == 303
    assert client.get(f"/f/{token}/").status_code == 429
    with unscoped("test"):
        ScreeningSession.objects.filter(pk=session.pk).update(
            locked_until=timezone.now() - timedelta(seconds=1)
        )
    confirm(client, token, two_month_visit)


def test_the_lock_page_speaks_the_family_language(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    session, token = start(world, two_month_visit, language="es")
    with unscoped("test"):
        ScreeningSession.objects.filter(pk=session.pk).update(
            locked_until=timezone.now() + timedelta(minutes=9)
        )
    response = client.get(f"/f/{token}/")
    assert response.status_code == 429 and '<html lang="es">' in body(response)
    assert "Espere" in body(response) and "9 minutos" in body(response)


def test_the_date_order_follows_the_language(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    _session, token = start(world, two_month_visit, language="es")
    page = body(client.get(f"/f/{token}/"))
    assert page.index('id="dob-day"') < page.index('id="dob-month"') < page.index('id="dob-year"')
    assert "Fecha de nacimiento" in page and ">marzo<" in page


# Questions -------------------------------------------------------------------------------------


def test_a_question_screen(opened: tuple[ScreeningSession, str], client: Client) -> None:
    _session, token = opened
    page = body(client.get(f"/f/{token}/q/phq9/9/"))
    assert "Question 9 of 30" in page and '<progress id="progress" max="30" value="9">' in page
    assert '<label for="progress"' in page
    assert "Over the last 2 weeks" in page, "the instrument's stem"
    assert "<fieldset" in page and "<legend>" in page
    assert "Thoughts that you would be better off dead" in page
    assert page.count('type="radio"') == 4 and page.count('name="answer"') == 4
    for position in range(4):
        assert f'<label class="option" for="answer-{position}">' in page
    assert "Part 1 of 3" in page and "These questions are about you." in page
    assert "Copyright © Pfizer" in page, "the licence notice"
    intro = body(client.get(f"/f/{token}/q/cdc-milestones-2m/"))
    assert "These questions are about Nina." in intro and "Part 3 of 3" in intro
    question = body(client.get(f"/f/{token}/q/cdc-milestones-2m/1/"))
    assert "Social" in question and "Question 20 of 30" in question


def test_next_saves_and_moves_on(opened: tuple[ScreeningSession, str], client: Client) -> None:
    session, token = opened
    response = client.post(f"/f/{token}/q/phq9/1/", {"answer": "2", "action": "next"})
    assert response.status_code == 303 and response["Location"] == f"/f/{token}/q/phq9/2/"
    assert saved(session)["phq9"][0] == 2
    page = body(client.get(f"/f/{token}/q/phq9/1/"))
    assert 'value="2" checked' in page, "the saved answer shows when coming back"
    last = client.post(f"/f/{token}/q/phq9/9/", {"answer": "0", "action": "next"})
    assert last["Location"] == f"/f/{token}/q/ahc-hrsn/", "the next part is introduced"
    end = client.post(f"/f/{token}/q/cdc-milestones-2m/11/", {"answer": "1", "action": "next"})
    assert end["Location"] == f"/f/{token}/review/"


def test_next_without_an_answer_asks_for_one(opened: tuple[ScreeningSession, str], client: Client) -> None:
    session, token = opened
    response = client.post(f"/f/{token}/q/phq9/3/", {"action": "next"})
    page = body(response)
    assert response.status_code == 422
    assert "Choose an answer, or skip this question." in page
    assert 'aria-describedby=" answer-error"' in page or 'aria-describedby="answer-error"' in page
    assert 'id="answer-error"' in page and 'role="alert"' in page and 'href="#answer-0"' in page
    assert saved(session)["phq9"][2] is None


def test_skip_leaves_the_question_unanswered(opened: tuple[ScreeningSession, str], client: Client) -> None:
    session, token = opened
    client.post(f"/f/{token}/q/phq9/4/", {"answer": "3", "action": "next"})
    response = client.post(f"/f/{token}/q/phq9/4/", {"answer": "1", "action": "skip"})
    assert response["Location"] == f"/f/{token}/q/phq9/5/"
    assert saved(session)["phq9"][3] is None


def test_back_keeps_a_chosen_answer_and_goes_back(
    opened: tuple[ScreeningSession, str], client: Client
) -> None:
    session, token = opened
    response = client.post(f"/f/{token}/q/phq9/2/", {"answer": "1", "action": "back"})
    assert response["Location"] == f"/f/{token}/q/phq9/1/"
    assert saved(session)["phq9"][1] == 1
    response = client.post(f"/f/{token}/q/phq9/2/", {"action": "back"})
    assert response["Location"] == f"/f/{token}/q/phq9/1/" and saved(session)["phq9"][1] == 1
    assert client.post(f"/f/{token}/q/phq9/1/", {"action": "back"})["Location"] == f"/f/{token}/q/phq9/"
    assert (
        client.post(f"/f/{token}/q/ahc-hrsn/1/", {"action": "back"})["Location"] == f"/f/{token}/q/ahc-hrsn/"
    )
    intro = body(client.get(f"/f/{token}/q/ahc-hrsn/"))
    assert f'href="/f/{token}/q/phq9/9/"' in intro, "an introduction goes back to the last question"


def test_a_multi_select_question(opened: tuple[ScreeningSession, str], client: Client) -> None:
    session, token = opened
    page = body(client.get(f"/f/{token}/q/ahc-hrsn/2/"))
    assert page.count('type="checkbox"') == 8 and "data-exclusive" in page
    assert page.count("Choose all that apply") == 1, "no hint when the question says it"
    response = client.post(f"/f/{token}/q/ahc-hrsn/2/", {"answer": ["4", "1"], "action": "next"})
    assert response.status_code == 303 and saved(session)["ahc-hrsn"][1] == [1, 4]
    both = client.post(f"/f/{token}/q/ahc-hrsn/2/", {"answer": ["1", "7"], "action": "next"})
    assert both.status_code == 422 and "cannot be chosen with other answers" in body(both)
    assert saved(session)["ahc-hrsn"][1] == [1, 4]
    none = client.post(f"/f/{token}/q/ahc-hrsn/2/", {"answer": ["7"], "action": "next"})
    assert none.status_code == 303 and saved(session)["ahc-hrsn"][1] == [7]
    empty = client.post(f"/f/{token}/q/ahc-hrsn/2/", {"action": "next"})
    assert empty.status_code == 422 and "Choose at least one answer" in body(empty)


@pytest.mark.parametrize("value", ["4", "-1", "abc", "1.5", ""])
def test_an_answer_that_is_not_offered_is_refused(
    opened: tuple[ScreeningSession, str], client: Client, value: str
) -> None:
    session, token = opened
    response = client.post(f"/f/{token}/q/phq9/1/", {"answer": value, "action": "next"})
    assert response.status_code == 422
    assert saved(session)["phq9"][0] is None


def test_addresses_outside_the_questionnaire_go_back_to_it(
    opened: tuple[ScreeningSession, str], client: Client
) -> None:
    _session, token = opened
    for path in ("q/phq9/0/", "q/phq9/10/", "q/gad7/1/", "q/gad7/", "q/epds/1/"):
        assert client.get(f"/f/{token}/{path}")["Location"] == f"/f/{token}/q/phq9/", path


# Resuming ---------------------------------------------------------------------------------------


def test_reopening_the_link_resumes_with_every_answer(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    session, token = start(world, two_month_visit)
    confirm(client, token, two_month_visit)
    for number, value in ((1, 0), (2, 1), (3, 2)):
        client.post(f"/f/{token}/q/phq9/{number}/", {"answer": str(value), "action": "next"})
    # A new browser (the phone restarted, the server restarted): the date check, then question 4.
    fresh = Client()
    assert fresh.get(f"/f/{token}/q/phq9/2/")["Location"] == f"/f/{token}/"
    assert confirm(fresh, token, two_month_visit)["Location"] == f"/f/{token}/q/phq9/4/"
    assert 'value="1" checked' in body(fresh.get(f"/f/{token}/q/phq9/2/"))
    assert saved(session)["phq9"][:4] == [0, 1, 2, None]
    # The first browser, still confirmed, goes straight back too.
    assert client.get(f"/f/{token}/")["Location"] == f"/f/{token}/q/phq9/4/"


def test_resume_points(world: ClinicWorld, two_month_visit: Visit, client: Client) -> None:
    _session, token = start(world, two_month_visit)
    confirm(client, token, two_month_visit)
    for number in range(1, 10):
        client.post(f"/f/{token}/q/phq9/{number}/", {"answer": "0", "action": "next"})
    assert client.get(f"/f/{token}/")["Location"] == f"/f/{token}/q/ahc-hrsn/", (
        "a new part starts at its intro"
    )
    client.post(f"/f/{token}/q/ahc-hrsn/1/", {"action": "skip"})
    client.post(f"/f/{token}/q/ahc-hrsn/2/", {"answer": "7", "action": "next"})
    assert client.get(f"/f/{token}/")["Location"] == f"/f/{token}/q/ahc-hrsn/3/", "after the last answer"
    client.post(f"/f/{token}/q/cdc-milestones-2m/11/", {"answer": "0", "action": "next"})
    assert client.get(f"/f/{token}/")["Location"] == f"/f/{token}/review/", "skipped ones wait on the review"


# Review, submit, thank-you ------------------------------------------------------------------------


def test_the_review_lists_what_is_missing_with_links(
    opened: tuple[ScreeningSession, str], client: Client
) -> None:
    _session, token = opened
    client.post(f"/f/{token}/q/phq9/1/", {"answer": "3", "action": "next"})
    page = body(client.get(f"/f/{token}/review/"))
    assert "29 questions not answered" in page
    assert f'href="/f/{token}/q/phq9/2/?return=review"' in page
    assert "Nearly every day" in page, "the answer given"
    assert page.count("Not answered") == 29
    assert f'action="/f/{token}/submit/"' in page
    answer = body(client.get(f"/f/{token}/q/phq9/2/?return=review"))
    assert 'name="return" value="review"' in answer and "Save and go back to the review" in answer
    back = client.post(f"/f/{token}/q/phq9/2/", {"answer": "1", "action": "next", "return": "review"})
    assert back["Location"] == f"/f/{token}/review/"


def test_submit_scores_and_thanks_without_crisis_lines_when_no_safety_question(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    session, token = start(world, two_month_visit, ("cdc-milestones-2m",))
    confirm(client, token, two_month_visit)
    for number in range(1, 12):
        client.post(f"/f/{token}/q/cdc-milestones-2m/{number}/", {"answer": "0", "action": "next"})
    assert client.get(f"/f/{token}/submit/")["Location"] == f"/f/{token}/review/"
    response = client.post(f"/f/{token}/submit/")
    assert response.status_code == 303 and response["Location"] == f"/f/{token}/done/"
    done = client.get(f"/f/{token}/done/")
    page = body(done)
    assert done.status_code == 200 and "Thank you" in page and "988" not in page
    with unscoped("test"):
        assert ScreeningResult.objects.filter(session=session).count() == 1
    assert client.get(f"/f/{token}/q/cdc-milestones-2m/1/").status_code == 200, "the thank-you page again"
    assert "Thank you" in body(client.get(f"/f/{token}/"))


def test_a_safety_answer_shows_crisis_lines_in_the_family_language(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    _session, token = start(world, two_month_visit, ("phq9",), language="es")
    confirm(client, token, two_month_visit)
    client.post(f"/f/{token}/q/phq9/9/", {"answer": "1", "action": "next"})
    client.post(f"/f/{token}/submit/")
    page = body(client.get(f"/f/{token}/done/"))
    assert '<html lang="es">' in page and "Gracias" in page
    assert "988 Línea de Prevención del Suicidio y Crisis" in page
    assert "Línea Nacional sobre la Violencia Doméstica" in page and 'href="tel:18007997233"' in page
    assert "1-800-799-7233" in page and 'href="tel:988"' in page
    # Another browser holding the link (not the respondent's) learns nothing about the answers.
    other = body(Client().get(f"/f/{token}/done/"))
    assert "Gracias" in other and "988" not in other


# Language -----------------------------------------------------------------------------------------


def test_the_language_switches_for_the_rest_of_the_session(
    opened: tuple[ScreeningSession, str], client: Client
) -> None:
    session, token = opened
    page = body(client.get(f"/f/{token}/q/phq9/1/"))
    assert f'action="/f/{token}/language/"' in page and 'lang="es">Español<' in page
    response = client.post(f"/f/{token}/language/", {"language": "es", "next": f"/f/{token}/q/phq9/1/"})
    assert response.status_code == 303 and response["Location"] == f"/f/{token}/q/phq9/1/"
    with unscoped("test"):
        assert ScreeningSession.objects.get(pk=session.pk).language == "es"
        assert AuditEvent.objects.filter(object_id=str(session.pk), summary="language es").exists()
    spanish = client.get(f"/f/{token}/q/phq9/1/")
    page = body(spanish)
    assert '<html lang="es">' in page and spanish["Content-Language"] == "es"
    assert "Poco interés o placer en hacer cosas" in page and "Pregunta 1 de 30" in page
    assert "Durante las últimas 2 semanas" in page and "Ningún día" in page and "Siguiente" in page
    assert 'lang="en">English<' in page
    # Answers are positions: one given in English shows in Spanish.
    client.post(f"/f/{token}/q/phq9/2/", {"answer": "1", "action": "next"})
    assert "Varios días" in body(client.get(f"/f/{token}/review/"))


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/c/x/", "/f/other/q/"])
def test_the_language_switch_stays_on_the_link(
    opened: tuple[ScreeningSession, str], client: Client, target: str
) -> None:
    _session, token = opened
    response = client.post(f"/f/{token}/language/", {"language": "es", "next": target})
    assert response["Location"] == f"/f/{token}/"
    assert client.post(f"/f/{token}/language/", {"language": "fr", "next": ""}).status_code == 302


def test_the_language_switch_works_before_the_date_check(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    _session, token = start(world, two_month_visit)
    client.post(f"/f/{token}/language/", {"language": "es", "next": f"/f/{token}/"})
    page = body(client.get(f"/f/{token}/"))
    assert '<html lang="es">' in page and "Fecha de nacimiento" in page


# Kiosk -------------------------------------------------------------------------------------------


def test_kiosk_thanks_asks_for_the_tablet_and_says_nothing_about_the_family(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    _session, token = start(world, two_month_visit, ("cdc-milestones-2m",), mode=ScreeningSession.Mode.KIOSK)
    response = confirm(client, token, two_month_visit)
    cookie = response.cookies["dyadcare_family"]
    assert not cookie["max-age"] and not cookie["expires"], "gone when the tablet's browser closes"
    intro = body(client.get(f"/f/{token}/q/cdc-milestones-2m/"))
    assert "tell the front desk" in intro and "open the same link again" not in intro
    client.post(f"/f/{token}/q/cdc-milestones-2m/1/", {"answer": "2", "action": "next"})
    client.post(f"/f/{token}/submit/")
    done = client.get(f"/f/{token}/done/")
    page = body(done)
    assert "hand the tablet back" in page
    assert "Nina" not in page and "Marta" not in page and "Soto" not in page
    assert "988" in page, "the same help is shown to every family on the tablet"
    assert done.cookies["dyadcare_family"].value == "", "the tablet forgets the date check"


# Headers, fetch and other sites -----------------------------------------------------------------


def test_every_family_page_is_private(world: ClinicWorld, two_month_visit: Visit, client: Client) -> None:
    _session, token = start(world, two_month_visit, ("cdc-milestones-2m",))
    pages = [client.get(f"/f/{token}/"), client.get("/f/" + "x" * 43 + "/")]
    confirm(client, token, two_month_visit)
    for path in ("q/cdc-milestones-2m/", "q/cdc-milestones-2m/1/", "review/"):
        pages.append(client.get(f"/f/{token}/{path}"))
    client.post(f"/f/{token}/submit/")
    pages.append(client.get(f"/f/{token}/done/"))
    for response in pages:
        assert response["Cache-Control"] == "no-store"
        assert response["Referrer-Policy"] == "no-referrer"
        assert "noindex" in response["X-Robots-Tag"]
        assert "csrftoken" not in response.cookies


def test_a_post_from_another_site_is_refused(opened: tuple[ScreeningSession, str], client: Client) -> None:
    session, token = opened
    url = f"/f/{token}/q/phq9/1/"
    cross = client.post(url, {"answer": "1"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403 and "not accepted" in body(cross)
    foreign = client.post(url, {"answer": "1"}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert saved(session)["phq9"][0] is None
    own = client.post(url, {"answer": "1", "action": "next"}, headers={"Origin": "http://testserver"})
    null = client.post(url, {"answer": "2", "action": "next"}, headers={"Origin": "null"})
    assert own.status_code == null.status_code == 303 and saved(session)["phq9"][0] == 2


def test_the_script_gets_json(opened: tuple[ScreeningSession, str], client: Client) -> None:
    session, token = opened
    fetch = {"X-Family-Fetch": "1"}
    url = f"/f/{token}/q/phq9/1/"
    ok = client.post(url, {"answer": "1", "action": "next"}, headers=fetch)
    assert ok.status_code == 200 and ok.json() == {"next": f"/f/{token}/q/phq9/2/"}
    bad = client.post(url, {"answer": "9", "action": "next"}, headers=fetch)
    assert bad.status_code == 422 and bad.json()["error"]
    stranger = Client().post(url, {"answer": "1", "action": "next"}, headers=fetch)
    assert stranger.status_code == 401 and stranger.json() == {"next": f"/f/{token}/"}
    assert saved(session)["phq9"][0] == 1


def test_family_writes_are_audited_without_the_token(
    opened: tuple[ScreeningSession, str], client: Client
) -> None:
    session, token = opened
    client.post(f"/f/{token}/q/phq9/5/", {"answer": "1", "action": "next"}, HTTP_USER_AGENT="PhoneBrowser/1")
    with unscoped("test"):
        entry = AuditEvent.objects.get(object_id=str(session.pk), summary="answer phq9 5")
    assert entry.action == "update" and entry.actor is None and entry.user_agent == "PhoneBrowser/1"
    assert entry.path == "/f/…/q/phq9/5/" and entry.ip == "127.0.0.1"
    with unscoped("test"):
        assert not AuditEvent.objects.filter(path__contains=token).exists()
        assert not AuditEvent.objects.filter(summary__contains=token).exists()


def test_unchanged_answers_are_not_written_again(
    opened: tuple[ScreeningSession, str], client: Client
) -> None:
    session, token = opened
    client.post(f"/f/{token}/q/phq9/6/", {"answer": "2", "action": "next"})
    client.post(f"/f/{token}/q/phq9/6/", {"answer": "2", "action": "next"})
    client.post(f"/f/{token}/q/phq9/7/", {"action": "skip"})
    with unscoped("test"):
        assert AuditEvent.objects.filter(object_id=str(session.pk), summary="answer phq9 6").count() == 1
        assert not AuditEvent.objects.filter(object_id=str(session.pk), summary="answer phq9 7").exists()


def test_no_inline_script_or_style(opened: tuple[ScreeningSession, str], client: Client) -> None:
    _session, token = opened
    for path in ("", "q/phq9/", "q/phq9/1/", "q/ahc-hrsn/2/", "review/"):
        page = body(client.get(f"/f/{token}/{path}", follow=True))
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert "<style" not in page and " style=" not in page, path
        assert not re.search(r"<[^>]+\son[a-z]+=", page), path


def test_other_addresses_under_the_link_go_to_its_start(
    opened: tuple[ScreeningSession, str], client: Client
) -> None:
    _session, token = opened
    for rest in (".", "q/phq9/1/x/", "admin/"):
        response = client.get(f"/f/{token}/{rest}")
        assert response.status_code == 302 and response["Location"] == f"/f/{token}/", rest
        assert response["Referrer-Policy"] == "no-referrer"


def test_the_date_page_says_how_long_it_takes(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    _session, token = start(world, two_month_visit, ("phq9",))
    assert "about 3 minutes" in body(client.get(f"/f/{token}/"))


def test_no_switch_to_a_language_the_clinic_has_no_licensed_text_in(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    """The clinic loaded the EPDS in Spanish only: the questions stay in Spanish."""
    with clinic_scope(world.a):
        load_text(
            actor=staff_actor(world, "clinic_admin"),
            instrument_id="epds",
            language="es",
            items=[ItemText(number=n, text=f"Texto {n}", options=("A", "B", "C", "D")) for n in range(1, 11)],
            copyright_notice="© 1987 The Royal College of Psychiatrists",
        )
        schedule_rule_set(
            actor=staff_actor(world, "clinic_admin"),
            clinic=world.a,
            category="maternal-depression",
            touchpoint="*",
            instruments=["epds"],
        )
        session, token = services.screening_start(
            actor=staff_actor(world, "dyadic_specialist"),
            visit=two_month_visit,
            caregiver=mother(two_month_visit),
            instrument_ids=["epds"],
            language="es",
        )
    with family_link(session) as link:
        assert link.languages == ["es"]
    confirm(client, token, two_month_visit)
    page = body(client.get(f"/f/{token}/q/epds/1/"))
    assert "Texto 1" in page and "English" not in page
    assert "© 1987 The Royal College of Psychiatrists" in page, "the clinic's own notice"
    client.post(f"/f/{token}/language/", {"language": "en", "next": f"/f/{token}/q/epds/1/"})
    with family_link(token) as link:
        assert link.session.language == "es"
        with pytest.raises(ValidationError):
            family.set_language(link, "en")


def test_the_review_page_is_audited(world: ClinicWorld, two_month_visit: Visit, client: Client) -> None:
    from dyadcare.tenancy.models import AuditEvent
    from dyadcare.tenancy.scope import unscoped

    session, token = start(world, two_month_visit, ("phq9",))
    confirm(client, token, two_month_visit)
    assert client.get(f"/f/{token}/review/").status_code == 200
    with unscoped("check the audit"):
        entry = AuditEvent.objects.filter(object_id=str(session.pk), summary="family review page").get()
    assert entry.action == "view" and entry.actor is None and "family link" in entry.actor_label
    assert token not in entry.path
