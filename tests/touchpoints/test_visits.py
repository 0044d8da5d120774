"""Visits through their services and pages: booking, transitions, import, the huddle."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope, unscoped
from dyadcare.touchpoints import services
from dyadcare.touchpoints.models import Visit
from dyadcare.touchpoints.schedule import add_months
from tests import factories
from tests.factories import ClinicWorld, login


def _actor(world: ClinicWorld, role: str = "front_desk") -> Actor:
    return Actor.for_staff(world.staff_a[role], clinic=world.a, roles=(role,))


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def test_booking_picks_the_touchpoint_from_the_date(world: ClinicWorld) -> None:
    child = factories.child(world.a, date_of_birth=date(2025, 3, 4))
    with clinic_scope(world.a):
        visit = services.visit_schedule(
            actor=_actor(world), child=child, scheduled_for=_at(add_months(child.date_of_birth, 9))
        )
        assert visit.touchpoint == "9m"
        with pytest.raises(ValidationError):
            services.visit_schedule(actor=_actor(world), child=child, scheduled_for=visit.scheduled_for)
        with pytest.raises(ValidationError):
            services.visit_schedule(actor=_actor(world), child=child, scheduled_for=_at(date(2025, 1, 1)))
        other = services.visit_schedule(
            actor=_actor(world), child=child, scheduled_for=_at(date(2026, 1, 5)), touchpoint=""
        )
        assert other.touchpoint == ""


def test_transitions(world: ClinicWorld) -> None:
    assert world.visit_a
    actor = _actor(world)
    with clinic_scope(world.a):
        arrived = services.visit_arrive(actor=actor, visit=world.visit_a)
        assert arrived.status == "arrived" and arrived.arrived_at
        with pytest.raises(ValidationError, match="already arrived"):
            services.visit_arrive(actor=actor, visit=world.visit_a)  # a second click, a stale page
        with pytest.raises(ValidationError):
            services.visit_mark_missed(actor=actor, visit=world.visit_a)
        done = services.visit_complete(actor=actor, visit=world.visit_a)
        assert done.status == "completed" and done.closed_at and done.ticked_without_evidence == []
        with pytest.raises(ValidationError):
            services.visit_cancel(actor=actor, visit=world.visit_a)
        with pytest.raises(TypeError):  # closing takes no categories: only evidence shows them done
            services.visit_complete(  # type: ignore[call-arg]
                actor=actor,
                visit=factories.visit(world.a, world.child_a, when=_at(date(2030, 1, 1))),
                categories=["developmental"],
            )
        future = factories.visit(world.a, world.child_a, when=_at(timezone.localdate() + timedelta(days=3)))  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="future"):
            services.visit_mark_missed(actor=actor, visit=future)
        assert services.visit_cancel(actor=actor, visit=future).status == "cancelled"
        assert AuditEvent.objects.filter(object_id=str(world.visit_a.pk), action="update").count() == 2


def test_billing_cannot_book(world: ClinicWorld) -> None:
    from django.core.exceptions import PermissionDenied

    assert world.child_a
    with clinic_scope(world.a), pytest.raises(PermissionDenied):
        services.visit_schedule(
            actor=_actor(world, "billing"), child=world.child_a, scheduled_for=_at(date(2030, 1, 1))
        )


CSV = """date,time,mrn,touchpoint,clinician
{day},09:00,{mrn},,
{day},9:20 AM,{mrn2},12m,pediatric_clinician-a
{day},09:00,{mrn},,
2030-02-30,09:40,{mrn},,
{day},25:00,{mrn},,
{day},10:00,NOPE,,
{day},10:20,{mrn},1y,
{day},10:40,{mrn},,nobody
,,,,
{day},11:00,,,
"""


def test_import_keeps_good_rows_and_reports_bad_ones_by_line(world: ClinicWorld) -> None:
    assert world.child_a
    second = factories.child(world.a, given_name="Sol", date_of_birth=date(2024, 11, 20))
    day = timezone.localdate() + timedelta(days=2)
    text = CSV.format(day=day.isoformat(), mrn=world.child_a.mrn, mrn2=second.mrn)
    with clinic_scope(world.a):
        result = services.appointments_import(actor=_actor(world), clinic=world.a, text=text)
        assert len(result.created) == 2
        assert [e.line for e in result.errors] == [4, 5, 6, 7, 8, 9, 11]
        reasons = {e.line: e.reason for e in result.errors}
        assert "line 2" in reasons[4]
        assert "not a date" in reasons[5] and "not a time" in reasons[6]
        assert "NOPE" in reasons[7] and "1y" in reasons[8] and "nobody" in reasons[9]
        assert "MRN is empty" in reasons[11]
        booked = {v.child_id: v for v in Visit.objects.filter(scheduled_for__date=day)}
        assert (
            booked[second.pk].touchpoint == "12m"
            and booked[second.pk].clinician == world.staff_a["pediatric_clinician"]
        )
        again = services.appointments_import(actor=_actor(world), clinic=world.a, text=text)
        assert not again.created and "already has a visit" in again.errors[0].reason


def test_import_without_the_header(world: ClinicWorld) -> None:
    with clinic_scope(world.a):
        result = services.appointments_import(
            actor=_actor(world), clinic=world.a, text="2030-01-01,09:00,X\n"
        )
    assert result.errors[0].line == 1 and "columns" in result.errors[0].reason


def test_import_page_shows_the_result_after_a_redirect(world: ClinicWorld, client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert world.child_a
    login(client, world.staff_a["front_desk"])
    url = f"/c/{world.a.slug}/visits/import/"
    upload = SimpleUploadedFile(
        "day.csv", f"date,time,mrn\n2031-05-05,09:00,{world.child_a.mrn}\n2031-05-05,09:00,ZZZ\n".encode()
    )
    response = client.post(url, {"file": upload}, follow=True)
    body = response.content.decode()
    assert "1 appointment booked" in body and "Line 3" in body and "ZZZ" in body
    assert "1 appointment booked" not in client.get(url).content.decode(), "a reload imports nothing"


def _book_day(world: ClinicWorld, day: date, n: int) -> None:
    for i in range(n):
        child = factories.child(
            world.a, given_name=f"H{i}", date_of_birth=add_months(day, -(i % 30)) - timedelta(days=3)
        )
        factories.caregiver(world.a, for_child=child, preferred_language="vi" if i % 5 == 0 else "es")
        factories.visit(world.a, child, when=_at(day, 8 + i // 3, (i % 3) * 20))


def _huddle_queries(client: Client, world: ClinicWorld, day: date) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/c/{world.a.slug}/huddle/", {"day": day.isoformat()})
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_huddle_query_count_does_not_grow_with_the_number_of_visits(
    world: ClinicWorld, client: Client
) -> None:
    small, large = date(2031, 3, 3), date(2031, 3, 4)
    _book_day(world, small, 3)
    _book_day(world, large, 30)
    login(client, world.staff_a["dyadic_specialist"])
    _huddle_queries(client, world, small)  # warm the session
    few, _ = _huddle_queries(client, world, small)
    many, body = _huddle_queries(client, world, large)
    assert few == many, f"{few} queries for 3 visits, {many} for 30"
    assert body.count('class="huddle__row') == 30
    with unscoped("check audit"):
        assert AuditEvent.objects.filter(summary=f"huddle {large}", action="view").count() == 30


def test_huddle_shows_age_due_overdue_and_interpreter(world: ClinicWorld, client: Client) -> None:
    day = date(2031, 6, 2)
    preterm = factories.child(
        world.a, given_name="Tiny", date_of_birth=add_months(day, -9), gestational_age_days=31 * 7
    )
    factories.caregiver(world.a, for_child=preterm, preferred_language="vi", given_name="Lan")
    factories.visit(world.a, preterm, when=_at(day, 9))
    login(client, world.staff_a["pediatric_clinician"])
    response = client.get(f"/c/{world.a.slug}/huddle/", {"day": day.isoformat()})
    row = next(r for r in response.context["huddle"].rows if r.child.pk == preterm.pk)
    assert row.report.touchpoint.key == "9m"
    assert {i.category for i in row.report.due} >= {"developmental", "behavioral-social-emotional"}
    assert "maternal-depression" in {i.category for i in row.report.overdue}
    assert row.age.corrected_months == pytest.approx(row.age.months - 63 / 30.4375)
    assert row.needs_interpreter
    body = response.content.decode()
    assert "corrected" in body and "interpreter" in body and "since 1m" in body


def test_huddle_rejects_a_bad_date_gracefully(world: ClinicWorld, client: Client) -> None:
    login(client, world.staff_a["front_desk"])
    response = client.get(f"/c/{world.a.slug}/huddle/", {"day": "tomorrow"}, follow=True)
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()


def test_closing_a_visit_with_nothing_given_marks_nothing_done(world: ClinicWorld, client: Client) -> None:
    """The page pre-ticks nothing and the close takes no categories: a posted list is
    ignored, and every category due stays not done (the huddle's due list says so too)."""
    assert world.visit_a and world.child_a
    login(client, world.staff_a["dyadic_specialist"])
    page = client.get(f"/c/{world.a.slug}/visits/{world.visit_a.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'type="checkbox"' not in body and "checked" not in body
    due = page.context["report"]
    assert due.items and due.done == ()
    url = f"/c/{world.a.slug}/visits/{world.visit_a.pk}/update/"
    client.post(url, {"action": "arrive"})
    client.post(url, {"action": "complete", "categories": ["behavioral-social-emotional"]})
    with unscoped("check"):
        visit = Visit.objects.get(pk=world.visit_a.pk)
    assert visit.status == "completed" and visit.ticked_without_evidence == []
    after = client.get(f"/c/{world.a.slug}/visits/{world.visit_a.pk}/").context["report"]
    assert {i.category for i in after.items} == {i.category for i in due.items}
    assert after.done == (), "closing is not evidence"
    huddle = client.get(f"/c/{world.a.slug}/huddle/").context["huddle"]
    row = next(r for r in huddle.rows if r.visit.pk == visit.pk)
    assert row.report.items and not any(item.done for item in row.report.items)


def test_schedule_settings(world: ClinicWorld, client: Client) -> None:
    login(client, world.staff_a["clinic_admin"])
    url = f"/c/{world.a.slug}/settings/schedule/"
    assert (
        client.post(
            url, {"category": "caregiver-anxiety", "touchpoint": "2m", "instruments": "gad7"}
        ).status_code
        == 422
    )
    assert (
        client.post(
            url,
            {
                "category": "caregiver-anxiety",
                "label": "Caregiver anxiety",
                "touchpoint": "2m",
                "instruments": "gad7, gad7",
            },
        ).status_code
        == 302
    )
    page = client.get(url)
    assert "Caregiver anxiety</strong> @ 2m: Generalized Anxiety Disorder-7 (GAD-7) <code>gad7</code>" in (
        page.content.decode()
    ), "the instrument by its name, with the id an administrator types"
    rule = page.context["rules"][0]
    client.post(url, {"remove": str(rule.pk)})
    assert not client.get(url).context["rules"]


def test_import_books_through_the_form_s_rules_and_survives_odd_files(world: ClinicWorld) -> None:
    """A line the booking form would refuse is refused the same way (a visit before the
    child's birth, a date far in the future), and a malformed file is a message, not a crash."""
    assert world.child_a
    before_birth = (world.child_a.date_of_birth - timedelta(days=3)).isoformat()
    text = (
        "date,time,mrn\n"
        f"{before_birth},09:00,{world.child_a.mrn}\n"
        f"9999-12-31,09:00,{world.child_a.mrn}\n"
        f'{timezone.localdate().isoformat()},09:00,"{"x" * 140_000}"\n'
    )
    with clinic_scope(world.a):
        result = services.appointments_import(actor=_actor(world), clinic=world.a, text=text)
        assert not result.created
        reasons = {e.line: e.reason for e in result.errors}
        assert "before the child's birth" in reasons[2]
        assert "five years ahead" in reasons[3]
        assert "cannot be read" in reasons[4]
        assert not Visit.objects.filter(child=world.child_a, source="import").exists()


def test_the_huddle_writes_its_audit_entries_in_one_insert_and_the_chain_verifies(
    world: ClinicWorld, client: Client
) -> None:
    from dyadcare.tenancy.auditverify import verify

    day = date(2031, 3, 5)
    _book_day(world, day, 12)
    login(client, world.staff_a["dyadic_specialist"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/c/{world.a.slug}/huddle/", {"day": day.isoformat()}).status_code == 200
    inserts = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "tenancy_auditevent"')
    ]
    assert len(inserts) == 1, len(inserts)
    with unscoped("check audit"):
        entries = list(AuditEvent.objects.filter(summary=f"huddle {day}").order_by("seq"))
        assert len(entries) == 12
        assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + 12))
        report = verify()
    assert report.ok, report
