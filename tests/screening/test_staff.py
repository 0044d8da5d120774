"""The staff side of screening: who sees what, links, the tablet, staff entry, alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dyadcare.instruments.internal import registry
from dyadcare.screening import family
from dyadcare.screening.internal.scoring import score_and_store
from dyadcare.screening.internal.sensitivity import access
from dyadcare.screening.models import Flag, ScreeningResult, ScreeningSession
from dyadcare.screening.permissions import ScreeningPerm
from dyadcare.screening.senders import MemorySms
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.roles import CLINIC_ROLES, role_permissions
from dyadcare.tenancy.scope import clinic_scope, unscoped
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.selectors import clinic_bundle, visit_due
from tests.factories import ClinicWorld, answer, family_link, login, start_session
from tests.screening.conftest import mother

# Who sees which result in full (the rest see a claim-level summary).
EXPECTED_FULL = {
    "pediatric_clinician": {"phq9", "hvs", "cdc-milestones-2m"},
    "dyadic_specialist": {"phq9", "hvs", "cdc-milestones-2m"},
    "family_partner": {"hvs", "cdc-milestones-2m"},
    "front_desk": set(),
    "billing": set(),
    "clinic_admin": set(),
}


def _results(world: ClinicWorld, visit: Visit) -> None:
    caregiver = mother(visit)
    with clinic_scope(world.a):
        for instrument_id, answers in (
            ("phq9", [2, 2, 1, 1, 1, 1, 1, 1, 1]),
            ("hvs", [0, 2]),
            ("cdc-milestones-2m", [0] * 11),
        ):
            instrument = registry.get(instrument_id, clinic=world.a)
            score_and_store(
                instrument=instrument,
                answers=answers,
                visit=visit,
                caregiver=caregiver,
                language="en",
                category="",
                scored_at=timezone.now(),
            )


def test_sensitivity_rules_by_label() -> None:
    clinician = role_permissions("pediatric_clinician")
    partner = role_permissions("family_partner")
    assert access(["PSY"], clinician) == "full"
    assert access(["PSY"], partner) == "summary"
    assert access(["SDV", "SOC"], partner) == "full"
    assert access([], role_permissions("front_desk")) == "summary"
    assert access(["XYZ"], clinician) == "full", "an unknown label needs the most restricted permission"
    assert access(["XYZ"], partner) == "summary"


@pytest.mark.parametrize("role", sorted(CLINIC_ROLES))
def test_each_role_sees_what_it_needs(
    world: ClinicWorld, two_month_visit: Visit, client: Client, role: str
) -> None:
    _results(world, two_month_visit)
    login(client, world.staff_a[role])
    response = client.get(f"/c/{world.a.slug}/visits/{two_month_visit.pk}/screening/")
    assert response.status_code == 200
    views = {v.result.instrument_id: v for v in response.context["screening"].results}
    full = {ident for ident, view in views.items() if view.access == "full"}
    assert full == EXPECTED_FULL[role]
    body = response.content.decode()
    phq_answer = "More than half the days"
    assert (phq_answer in body) == ("phq9" in EXPECTED_FULL[role])
    assert "Positive" in body or "A screen needs a clinician&#x27;s follow-up." in body, (
        "every role sees whether a screen was positive (a labelled one they may not see in full "
        "as needing a clinician's follow-up)"
    )
    for ident, view in views.items():
        if ident not in EXPECTED_FULL[role]:
            assert view.answers == [] and view.previous is None


def test_the_family_summary_never_shows_a_caregivers_own_results(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    _results(world, two_month_visit)
    login(client, world.staff_a["pediatric_clinician"])
    response = client.get(f"/c/{world.a.slug}/visits/{two_month_visit.pk}/summary/")
    shown = {v.result.instrument_id for v in response.context["summary"].results}
    assert shown == {"cdc-milestones-2m"}
    body = response.content.decode()
    assert "PHQ" not in body and "Hunger" not in body


def test_sending_links_needs_consent_and_speaks_the_familys_language(
    world: ClinicWorld, two_month_visit: Visit, client: Client
) -> None:
    login(client, world.staff_a["front_desk"])
    url = f"/c/{world.a.slug}/visits/{two_month_visit.pk}/screening/start/"
    caregiver = mother(two_month_visit)
    response = client.post(
        url,
        {
            "caregiver": str(caregiver.pk),
            "instruments": ["cdc-milestones-2m"],
            "language": "es",
            "action": "email",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["marta@example.org"]
    assert mail.outbox[0].subject == "Preguntas antes de la visita de Nina"
    with clinic_scope(world.a):
        session = ScreeningSession.objects.get(visit=two_month_visit)
        assert session.link_channel == "email" and session.messages.count() == 1
        assert session.messages.get().to == "marta@example.org"
    with unscoped("test"):
        caregiver.consent_sms = False
        caregiver.save()
    resend = client.post(f"/c/{world.a.slug}/screenings/{session.pk}/update/", {"action": "sms"}, follow=True)
    assert "has not agreed to texts" in resend.content.decode()
    assert MemorySms.outbox == []


def test_the_tablet_link_is_shown_once(world: ClinicWorld, two_month_visit: Visit, client: Client) -> None:
    login(client, world.staff_a["front_desk"])
    caregiver = mother(two_month_visit)
    response = client.post(
        f"/c/{world.a.slug}/visits/{two_month_visit.pk}/screening/start/",
        {
            "caregiver": str(caregiver.pk),
            "instruments": ["cdc-milestones-2m"],
            "language": "en",
            "action": "kiosk",
        },
    )
    tablet = client.get(response["Location"])
    assert tablet.context["ready"] and "/f/" not in tablet.content.decode(), "the token is never in the page"
    again = client.get(response["Location"])
    assert not again.context["ready"] and "New tablet link" in again.content.decode()
    session = tablet.context["session"]
    handed = client.post(f"/c/{world.a.slug}/screenings/{session.pk}/hand-over/", {"action": "hand-over"})
    token = handed["Location"].removeprefix("/f/").strip("/")
    assert handed["Location"] == f"/f/{token}/"
    assert family.open_link(token, ip="127.0.0.1").session.mode == "kiosk"
    staff_page = client.get(f"/c/{world.a.slug}/children/")
    assert staff_page.status_code == 302, "the staff session ended"
    assert staff_page["Location"].startswith("/login/")
    with unscoped("check audit"):
        handed_over = AuditEvent.objects.filter(action="screening.tablet_handed_over")
        assert handed_over.filter(object_id=str(session.pk)).exists()
        assert AuditEvent.objects.filter(action="logout", summary="handed the tablet to a family").exists()


def test_staff_enter_asq3_scores_within_their_ranges(world: ClinicWorld, client: Client) -> None:
    from datetime import datetime, time

    from dyadcare.touchpoints.schedule import add_months
    from tests import factories

    child = factories.child(world.a, date_of_birth=add_months(timezone.localdate(), -9))
    factories.caregiver(world.a, for_child=child)
    visit = factories.visit(
        world.a,
        child,
        when=timezone.make_aware(datetime.combine(timezone.localdate(), time(11))),
        touchpoint="9m",
    )
    login(client, world.staff_a["pediatric_clinician"])
    url = f"/c/{world.a.slug}/visits/{visit.pk}/screening/enter/asq3/"
    bad = {f"item-{n}": ("75" if n == 1 else "0") for n in range(1, 11)}
    assert "Enter a number from 0 to 60." in client.post(url, bad, follow=True).content.decode()
    good = {f"item-{n}": ("30" if n % 2 else ("2" if n == 4 else "0")) for n in range(1, 11)}
    client.post(url, good)
    with clinic_scope(world.a):
        result = ScreeningResult.objects.get(visit=visit, instrument_id="asq3")
        assert result.positive is True and result.entered_by == world.staff_a["pediatric_clinician"]
        assert result.category == "developmental", "the category is the plan's, not the form's"
        due = {i.category: i for i in visit_due(visit=visit, bundle=clinic_bundle(world.a)).items}
        assert [(d.instrument_id, d.kind) for d in due["developmental"].evidence] == [("asq3", "paper")]
        assert Flag.objects.filter(result=result, severity="follow_up").exists()


def test_acknowledging_an_alert(world: ClinicWorld, client: Client) -> None:
    assert world.flag_a
    url = f"/c/{world.a.slug}/flags/{world.flag_a.pk}/acknowledge/"
    login(client, world.staff_a["front_desk"])
    assert client.post(url, {"note": "Called the family"}).status_code == 403
    client.logout()
    login(client, world.staff_a["dyadic_specialist"])
    short = client.post(url, {"note": "ok"}, follow=True)
    assert "Say what was done" in short.content.decode()
    client.post(url, {"note": "Called the mother; safety plan; Dr Okafor told."})
    with unscoped("test"):
        flag = Flag.objects.get(pk=world.flag_a.pk)
    assert flag.resolved_by == world.staff_a["dyadic_specialist"] and "safety plan" in flag.note
    twice = client.post(url, {"note": "Second person also acknowledges"}, follow=True)
    assert "Already acknowledged" in twice.content.decode()


def test_banner_and_escalation_after_15_minutes(world: ClinicWorld, client: Client) -> None:
    from dyadcare.screening.tasks import sweep_every_clinic

    assert world.flag_a
    world.staff_a["clinic_admin"].email = "admin@example.org"
    world.staff_a["clinic_admin"].save()
    login(client, world.staff_a["front_desk"])
    banner = client.get(f"/c/{world.a.slug}/alerts/banner/").content.decode()
    assert "1 safety alert needs a clinician now" in banner and "escalated" not in banner
    assert mail.outbox == []
    with unscoped("test"):
        Flag.objects.filter(pk=world.flag_a.pk).update(raised_at=timezone.now() - timedelta(minutes=16))
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True), CaptureQueriesContext(connection) as reads:
        banner = client.get(f"/c/{world.a.slug}/alerts/banner/").content.decode()
        client.get(f"/c/{world.a.slug}/alerts/")
    assert "escalated" not in banner, "showing the banner escalates nothing: the worker does"
    writes = [
        q["sql"]
        for q in reads.captured_queries
        if q["sql"].startswith(("UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
        and "tenancy_auditchainhead" not in q["sql"]
    ]
    assert writes == [], "reads never write (beyond the session's expiry and the audit chain's head)"
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sweep_every_clinic() == 1  # the worker's sweep
    banner = client.get(f"/c/{world.a.slug}/alerts/banner/").content.decode()
    assert "1 escalated to the clinic administrator" in banner
    assert [m.to for m in mail.outbox] == [["admin@example.org"]]
    assert "Ramírez" not in mail.outbox[0].body and "PHQ" not in mail.outbox[0].body
    with unscoped("test"):
        assert Flag.objects.get(pk=world.flag_a.pk).escalated_at is not None
        assert AuditEvent.objects.filter(
            action="screening.alert_escalated", object_id=str(world.flag_a.pk)
        ).exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sweep_every_clinic() == 0, "an alert escalates once"
    assert len(mail.outbox) == 1


def test_the_escalation_task_escalates_by_itself(world: ClinicWorld) -> None:
    from dyadcare.screening.tasks import escalate_overdue_alerts

    assert world.flag_a
    assert escalate_overdue_alerts.call(str(world.a.pk)) == 0
    with unscoped("test"):
        assert Flag.objects.get(pk=world.flag_a.pk).escalated_at is None, "not before 15 minutes"
        Flag.objects.filter(pk=world.flag_a.pk).update(
            raised_at=timezone.now() - timedelta(minutes=15, seconds=1)
        )
    assert escalate_overdue_alerts.call(str(world.a.pk)) == 1
    with unscoped("test"):
        assert Flag.objects.get(pk=world.flag_a.pk).escalated_at is not None


def test_the_huddle_shows_the_alert_without_naming_the_screen(world: ClinicWorld, client: Client) -> None:
    login(client, world.staff_a["front_desk"])
    body = client.get(f"/c/{world.a.slug}/huddle/").content.decode()
    assert "Safety alert: a clinician must acknowledge it" in body
    assert "PHQ" not in body


def test_closing_keeps_answers_and_staff_can_score_them(world: ClinicWorld, client: Client) -> None:
    assert world.session_a
    login(client, world.staff_a["dyadic_specialist"])
    url = f"/c/{world.a.slug}/screenings/{world.session_a.pk}/update/"
    client.post(url, {"action": "cancel"})
    client.post(url, {"action": "score"})
    with unscoped("test"):
        session = ScreeningSession.objects.get(pk=world.session_a.pk)
        assert session.status == "submitted"
        result = ScreeningResult.objects.get(session=session)
    assert result.critical_items == [9]


def test_an_alert_queues_its_escalation(world: ClinicWorld, two_month_visit: Visit, settings) -> None:  # type: ignore[no-untyped-def]
    from django.test import TestCase
    from django_tasks import default_task_backend

    session, _token = start_session(world, two_month_visit, ["phq9"], by_role="front_desk")
    with family_link(session) as link:
        answer(link, "phq9", 9, 2)
        with TestCase.captureOnCommitCallbacks(execute=True):
            family.submit(link)
    queued = default_task_backend.results  # type: ignore[attr-defined]
    assert len(queued) == 1
    assert queued[0].task.name == "escalate_overdue_alerts"
    assert queued[0].args == [str(world.a.pk)]
    assert queued[0].task.run_after > timezone.now() + timedelta(minutes=14)
    assert ScreeningPerm.ALERT_ACKNOWLEDGE in role_permissions("clinic_admin")
