"""The family's side in a browser on a phone-sized screen, in English and in Spanish: open the
link, confirm the date of birth, answer, switch language, lose the connection while
answering and come back, resume from a fresh browser (as after a restart), review, submit,
and the thank-you page with crisis lines after a PHQ-9 item 9 answer. Axe finds no serious or
critical violation on any family page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dyadcare.publiclinks import throttle
from dyadcare.publiclinks.models import LinkAttempt
from dyadcare.screening import services
from dyadcare.screening.models import Flag, ScreeningResult, ScreeningSession
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.scope import clinic_scope, unscoped
from tests import factories
from tests.browser.conftest import serious_violations
from tests.factories import ClinicWorld

PHONE = {"width": 390, "height": 844}
WAIT_MS = 20_000  # the script retries every 5 seconds and on the browser's "online" event


@pytest.fixture(autouse=True)
def _no_task_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _answers(session: ScreeningSession) -> dict[str, list[Any]]:
    with unscoped("test reads the saved answers"):
        answers: dict[str, list[Any]] = ScreeningSession.objects.get(pk=session.pk).answers
        return answers


def _axe(page: Any, what: str) -> None:
    found = serious_violations(page)
    assert not found, f"{what}: {[(v['id'], v['impact'], v['nodes'][0]['target']) for v in found]}"


def _next(page: Any, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def _answer(page: Any, option: str, button: str) -> None:
    page.get_by_label(option, exact=True).check()
    _next(page, button)


def _dob(page: Any, born: date, *, language: str) -> None:
    month = page.get_by_label("Mes" if language == "es" else "Month", exact=True)
    month.select_option(str(born.month))
    page.get_by_label("Día" if language == "es" else "Day", exact=True).fill(str(born.day))
    page.get_by_label("Año" if language == "es" else "Year", exact=True).fill(str(born.year))
    _next(page, "Continuar" if language == "es" else "Continue")


def _touch_targets(page: Any) -> None:
    for selector in ("label.option", ".actions .button", ".language .button"):
        for box in page.locator(selector).evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().height)"
        ):
            assert box >= 44, (selector, box)


def test_family_flow_on_a_phone_in_english(live_server: Any, browser: Any, world: ClinicWorld) -> None:
    visit = factories.two_month_visit(world)
    session, token = factories.start_session(world, visit, ["phq9", "ahc-hrsn"], language="en")
    link = f"{live_server.url}/f/{token}/"
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Questions before your child's visit"
    _axe(page, "date of birth")

    # A wrong date first: a clear message tied to the date fields.
    _dob(page, visit.child.date_of_birth - timedelta(days=3), language="en")
    assert "does not match" in page.get_by_role("alert").inner_text()
    assert page.locator("fieldset").get_attribute("aria-describedby") == "dob-hint dob-error"
    _axe(page, "date of birth, wrong")
    _dob(page, visit.child.date_of_birth, language="en")

    assert page.get_by_role("heading", level=1).inner_text() == "These questions are about you."
    assert "There are 19 questions" in page.content()
    _axe(page, "introduction")
    with page.expect_navigation():
        page.get_by_role("link", name="Start").click()

    assert page.get_by_text("Question 1 of 19").is_visible()
    assert page.locator("progress").get_attribute("value") == "1"
    _touch_targets(page)
    _axe(page, "choice question")
    # Next without an answer: the error is tied to the question.
    _next(page, "Next")
    assert "Choose an answer, or skip this question." in page.get_by_role("alert").inner_text()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
    _axe(page, "question with an error")
    for option in ("Not at all", "Several days", "Not at all"):
        _answer(page, option, "Next")
    # Back and change.
    _next(page, "Back")
    assert page.get_by_text("Question 3 of 19").is_visible()
    assert page.get_by_label("Not at all", exact=True).is_checked()
    _answer(page, "More than half the days", "Next")
    _answer(page, "Not at all", "Next")  # question 4

    # Switch to Spanish on question 5: the question and the page change language.
    with page.expect_navigation():
        page.get_by_role("button", name="Español").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_text("Pregunta 5 de 19").is_visible()
    assert "Durante las últimas 2 semanas" in page.content()
    _axe(page, "question in Spanish")
    _answer(page, "Ningún día", "Siguiente")

    # The connection drops on question 6: the answer waits on the phone, then goes.
    context.set_offline(True)
    page.get_by_label("Varios días", exact=True).check()
    page.get_by_role("button", name="Siguiente", exact=True).click()
    status = page.locator("[data-family-status]")
    status.wait_for(state="visible", timeout=WAIT_MS)
    assert "Parece que no tiene conexión" in status.inner_text()
    assert page.url.endswith("/q/phq9/6/")
    assert page.evaluate("localStorage.getItem('dyadcare-family-pending')")
    assert _answers(session)["phq9"][5] is None
    _axe(page, "offline notice")
    context.set_offline(False)
    page.wait_for_url(re.compile(r"/q/phq9/7/$"), timeout=WAIT_MS)
    assert _answers(session)["phq9"][5] == 1
    assert page.evaluate("localStorage.getItem('dyadcare-family-pending')") is None

    # Back to English for the rest.
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.get_by_text("Question 7 of 19").is_visible()
    _answer(page, "Not at all", "Next")
    _answer(page, "Not at all", "Next")
    _answer(page, "Several days", "Next")  # item 9: crisis lines after sending

    assert page.get_by_role("heading", level=1).inner_text() == "These questions are about you."
    assert "Accountable Health Communities" in page.content(), "the licence notice"
    _axe(page, "second introduction")
    with page.expect_navigation():
        page.get_by_role("link", name="Continue").click()
    _answer(page, "I have a steady place to live", "Next")
    # The multi-select question: "None of the above" and the others exclude each other.
    assert page.get_by_text("Choose all that apply.").first.is_visible()
    page.get_by_label("Mold", exact=True).check()
    page.get_by_label("Water leaks", exact=True).check()
    page.get_by_label("None of the above", exact=True).check()
    assert not page.get_by_label("Mold", exact=True).is_checked()
    page.get_by_label("Lack of heat", exact=True).check()
    assert not page.get_by_label("None of the above", exact=True).is_checked()
    _axe(page, "multi-select question")
    _next(page, "Next")
    assert _answers(session)["ahc-hrsn"][1] == [3]
    context.close()

    # A fresh browser, as after a restart of the phone or the server: the date again, then
    # the first question not answered yet, with every answer kept.
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    page.goto(f"{link}q/ahc-hrsn/1/")
    assert page.url == link
    _dob(page, visit.child.date_of_birth, language="en")
    assert page.url.endswith("/q/ahc-hrsn/3/") and page.get_by_text("Question 12 of 19").is_visible()
    _next(page, "Back")
    assert page.get_by_label("Lack of heat", exact=True).is_checked()
    _next(page, "Next")
    for option in ("Never true", "Never true", "No"):
        _answer(page, option, "Next")
    _next(page, "Skip this question")  # utilities
    for _ in range(4):
        _answer(page, "Never", "Next")

    assert page.get_by_role("heading", level=1).inner_text() == "Check your answers before sending"
    assert "1 question not answered" in page.content()
    _axe(page, "review")
    with page.expect_navigation():
        page.locator(".unanswered").get_by_role("link").click()
    assert page.get_by_role("button", name="Save and go back to the review").is_visible()
    _answer(page, "No", "Save and go back to the review")
    assert "You answered every question" in page.content()
    _next(page, "Send my answers")

    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    crisis = page.get_by_role("region", name="If you need to talk to someone now")
    assert "988 Suicide & Crisis Lifeline" in crisis.inner_text()
    assert "National Domestic Violence Hotline" in crisis.inner_text()
    assert crisis.get_by_role("link", name="Call 988").get_attribute("href") == "tel:988"
    _axe(page, "thank-you with crisis lines")
    # Sending twice (another tab, the back button) lands on the same page.
    page.go_back()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    context.close()

    with unscoped("test"):
        results = {r.instrument_id: r for r in ScreeningResult.objects.filter(session=session)}
        assert set(results) == {"phq9", "ahc-hrsn"}
        assert results["phq9"].answers == [0, 1, 2, 0, 0, 1, 0, 0, 1]
        assert results["ahc-hrsn"].answers[1] == [3] and results["ahc-hrsn"].answers[5] == 1
        assert Flag.objects.filter(result=results["phq9"], severity="alert").exists()


def test_family_flow_on_a_phone_in_spanish(live_server: Any, browser: Any, world: ClinicWorld) -> None:
    visit = factories.two_month_visit(world)
    session, token = factories.start_session(world, visit, ["phq9", "cdc-milestones-2m"], language="es")
    link = f"{live_server.url}/f/{token}/"
    context = browser.new_context(viewport=PHONE, locale="es-US")
    page = context.new_page()
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "es"
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Preguntas antes de la visita de su hijo o hija"
    )
    _dob(page, visit.child.date_of_birth, language="es")
    assert "Hay 20 preguntas" in page.content()
    with page.expect_navigation():
        page.get_by_role("link", name="Empezar").click()
    for _ in range(8):
        _answer(page, "Ningún día", "Siguiente")
    _answer(page, "Más de la mitad de los días", "Siguiente")  # item 9

    assert page.get_by_role("heading", level=1).inner_text() == "Estas preguntas son sobre Nina."
    _axe(page, "introduction about the child, in Spanish")
    with page.expect_navigation():
        page.get_by_role("link", name="Continuar").click()
    assert "Social y emocional" in page.content() and page.get_by_text("Pregunta 10 de 20").is_visible()
    _answer(page, "Sí", "Siguiente")

    # A look in English, and back.
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.get_by_text("Question 11 of 20").is_visible() and "Looks at your face" in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name="Español").click()
    assert page.get_by_text("Pregunta 11 de 20").is_visible()

    # Offline while answering; a reload while offline is not needed: the retry sends it.
    context.set_offline(True)
    page.get_by_label("Todavía no", exact=True).check()
    page.get_by_role("button", name="Siguiente", exact=True).click()
    page.locator("[data-family-status]").wait_for(state="visible", timeout=WAIT_MS)
    context.set_offline(False)
    page.wait_for_url(re.compile(r"/q/cdc-milestones-2m/3/$"), timeout=WAIT_MS)
    assert _answers(session)["cdc-milestones-2m"][1] == 2
    for _ in range(4):
        _answer(page, "Sí", "Siguiente")
    context.close()

    # A fresh browser resumes at question 7 of the checklist.
    context = browser.new_context(viewport=PHONE, locale="es-US")
    page = context.new_page()
    page.goto(link)
    _dob(page, visit.child.date_of_birth, language="es")
    assert page.url.endswith("/q/cdc-milestones-2m/7/")
    for _ in range(5):
        _answer(page, "No estoy seguro", "Siguiente")
    assert page.get_by_role("heading", level=1).inner_text() == "Revise sus respuestas antes de enviarlas"
    assert "Todavía no" in page.content() and "Más de la mitad de los días" in page.content()
    _axe(page, "review in Spanish")
    _next(page, "Enviar mis respuestas")
    assert page.get_by_role("heading", level=1).inner_text() == "Gracias"
    crisis = page.get_by_role("region", name="Si necesita hablar con alguien ahora")
    assert "988 Línea de Prevención del Suicidio y Crisis" in crisis.inner_text()
    assert "Línea Nacional sobre la Violencia Doméstica" in crisis.inner_text()
    _axe(page, "thank-you with crisis lines in Spanish")
    context.close()
    with unscoped("test"):
        assert ScreeningResult.objects.filter(session=session).count() == 2


def test_every_problem_page_passes_axe(live_server: Any, browser: Any, world: ClinicWorld) -> None:
    visit = factories.two_month_visit(world)
    session, token = factories.start_session(world, visit, ["cdc-milestones-2m"], language="es")
    context = browser.new_context(viewport=PHONE, locale="es-US")
    page = context.new_page()
    link = f"{live_server.url}/f/{token}/"

    with unscoped("test"):
        ScreeningSession.objects.filter(pk=session.pk).update(
            locked_until=timezone.now() + timedelta(minutes=15)
        )
    assert page.goto(link).status == 429
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Espere un momento antes de volver a intentarlo"
    )
    _axe(page, "locked")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Please wait before trying again"
    _axe(page, "locked, in English")

    with unscoped("test"):
        ScreeningSession.objects.filter(pk=session.pk).update(
            locked_until=None, token_expires_at=timezone.now() - timedelta(minutes=1)
        )
    assert page.goto(link).status == 410
    assert page.get_by_role("heading", level=1).inner_text() == "Este enlace ya venció"
    _axe(page, "expired")

    with unscoped("test"):
        ScreeningSession.objects.filter(pk=session.pk).update(
            token_expires_at=timezone.now() + timedelta(hours=1)
        )
    page.goto(link)
    _dob(page, visit.child.date_of_birth, language="es")
    with clinic_scope(world.a):
        staff = Actor.for_staff(world.staff_a["front_desk"], clinic=world.a, roles=("front_desk",))
        services.screening_cancel(actor=staff, session=session)
    assert page.goto(link).status == 410
    assert page.get_by_role("heading", level=1).inner_text() == "La clínica cerró estas preguntas"
    _axe(page, "closed by the clinic")

    assert page.goto(f"{live_server.url}/f/{'n' * 43}/").status == 404
    assert page.locator("section[lang=es] h1").inner_text() == "Este enlace no funciona"
    _axe(page, "unknown link")
    LinkAttempt.objects.bulk_create(
        [LinkAttempt(ip="127.0.0.1", at=timezone.now()) for _ in range(throttle.FAILURES_PER_ADDRESS)]
    )
    assert page.goto(f"{live_server.url}/f/{'n' * 43}/").status == 429
    _axe(page, "too many tries")
    context.close()


def test_kiosk_thank_you_passes_axe(live_server: Any, browser: Any, world: ClinicWorld) -> None:
    visit = factories.two_month_visit(world)
    admin = Actor.for_staff(world.staff_a["front_desk"], clinic=world.a, roles=("front_desk",))
    session, token = factories.start_session(world, visit, ["cdc-milestones-2m"], language="en")
    with clinic_scope(world.a):
        token = services.screening_new_link(actor=admin, session=session, mode=ScreeningSession.Mode.KIOSK)
    context = browser.new_context(viewport={"width": 820, "height": 1180}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/f/{token}/")
    _dob(page, visit.child.date_of_birth, language="en")
    assert "tell the front desk" in page.content()
    page.goto(f"{live_server.url}/f/{token}/review/")
    _next(page, "Send my answers")
    assert "Please hand the tablet back to the front desk." in page.content()
    assert "Nina" not in page.content()
    _axe(page, "kiosk thank-you")
    assert not [c for c in context.cookies() if c["name"] == "dyadcare_family"]
    context.close()
