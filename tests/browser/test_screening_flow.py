"""Issue 5 end to end, in a browser: a dyadic specialist sends the link by email; the mother
answers on her phone in Spanish, loses the connection, comes back and submits; the visit page
shows the scores at once; her answer to the self-harm item raised a safety alert that shows
in the banner and on the huddle, and a clinician acknowledges it with a note."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from dyadcare.screening.models import Flag, ScreeningResult
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.scope import clinic_scope, unscoped
from dyadcare.touchpoints.services import schedule_rule_set
from tests import factories
from tests.browser.conftest import serious_violations
from tests.factories import PASSWORD, ClinicWorld

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


@pytest.fixture(autouse=True)
def _mail_and_queue(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _staff_login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _next(page: Any, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def test_link_answer_score_alert_acknowledge(live_server: Any, browser: Any, world: ClinicWorld) -> None:
    visit = factories.two_month_visit(world)
    child = visit.child
    with clinic_scope(world.a):
        admin = Actor.for_staff(world.staff_a["clinic_admin"], clinic=world.a, roles=("clinic_admin",))
        schedule_rule_set(
            actor=admin, clinic=world.a, category="maternal-depression", touchpoint="*", instruments=["phq9"]
        )

    # The specialist sends the PHQ-9 by email, in Spanish (the mother's language).
    staff = browser.new_context(viewport=DESK, locale="en-US")
    desk = staff.new_page()
    _staff_login(desk, live_server.url, "dyadic_specialist-a")
    desk.goto(f"{live_server.url}/c/{world.a.slug}/visits/{visit.pk}/screening/")
    assert not serious_violations(desk), "visit screening page"
    form = desk.locator("form", has=desk.get_by_role("button", name="Send by email"))
    for box in form.locator("input[name=instruments]").all():
        if box.get_attribute("value") != "phq9":
            box.uncheck()
    assert form.get_by_label("Español").is_checked()
    with desk.expect_navigation():
        form.get_by_role("button", name="Send by email").click()
    assert "The link was sent to Marta Soto by email." in desk.get_by_role("status").inner_text()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["marta@example.org"]
    link = re.search(r"http://\S+/f/[\w-]+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body

    # The mother answers on her phone.
    family = browser.new_context(viewport=PHONE, locale="es-US")
    phone = family.new_page()
    phone.goto(link.group(0))
    phone.get_by_label("Mes", exact=True).select_option(str(child.date_of_birth.month))
    phone.get_by_label("Día", exact=True).fill(str(child.date_of_birth.day))
    phone.get_by_label("Año", exact=True).fill(str(child.date_of_birth.year))
    _next(phone, "Continuar")
    with phone.expect_navigation():
        phone.get_by_role("link", name="Empezar").click()
    for n in range(1, 10):
        if n == 5:  # the connection drops while she answers question 5
            family.set_offline(True)
            phone.get_by_label("Varios días", exact=True).check()
            phone.get_by_role("button", name="Siguiente", exact=True).click()
            phone.wait_for_timeout(500)
            family.set_offline(False)
            phone.wait_for_url(re.compile(r"/q/phq9/6/$"), timeout=20_000)
            continue
        answer = "Varios días" if n == 9 else "Ningún día"
        phone.get_by_label(answer, exact=True).check()
        _next(phone, "Siguiente")
    _next(phone, "Enviar mis respuestas")
    assert "988" in phone.content()
    family.close()

    # The care team sees the score and the alert at once.
    with unscoped("test reads the result"):
        result = ScreeningResult.objects.get(visit=visit, instrument_id="phq9")
    assert result.answers == [0, 0, 0, 0, 1, 0, 0, 0, 1] and result.total == 2
    desk.goto(f"{live_server.url}/c/{world.a.slug}/visits/{visit.pk}/screening/")
    banner = desk.locator("#alert-banner")
    # The world already holds one open alert (another family); this one makes two.
    banner.get_by_text("2 safety alerts need a clinician now").wait_for()
    page_text = desk.content()
    assert "Critical answer on item 9" in page_text and "Total <strong>2</strong>" in page_text
    assert not serious_violations(desk), "visit screening page with a result and an alert"
    desk.goto(f"{live_server.url}/c/{world.a.slug}/huddle/")
    assert desk.get_by_text("Safety alert: a clinician must acknowledge it").count() >= 1
    desk.goto(f"{live_server.url}/c/{world.a.slug}/visits/{visit.pk}/screening/")
    alerts = desk.locator("#flags-heading + ul")
    assert alerts.locator("li").count() == 1, "the visit page lists this visit's alert only"
    alerts.get_by_label("What was done").fill(
        "Called Marta; safety plan made; 988 given; follow-up tomorrow."
    )
    with desk.expect_navigation():
        alerts.get_by_role("button", name="Acknowledge").click()
    assert "Acknowledged" in desk.get_by_role("status").inner_text()
    with unscoped("test"):
        flag = Flag.objects.get(result=result, severity="alert")
    assert flag.resolved_by == world.staff_a["dyadic_specialist"] and "safety plan" in flag.note
    staff.close()
