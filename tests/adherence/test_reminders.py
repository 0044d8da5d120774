"""Visit reminders: once per visit and day offset, outside quiet hours, never to a caregiver
who opted out or gave no consent, in the caregiver's language, by the worker's sweep."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from dyadcare.adherence import services
from dyadcare.adherence.models import Reminder
from dyadcare.adherence.reminders import reminders_send
from dyadcare.adherence.rules import ReminderPlan, default_plan
from dyadcare.adherence.tasks import sweep_every_clinic
from dyadcare.families.models import Caregiver, Child
from dyadcare.publiclinks.senders import MemorySms
from dyadcare.screening.senders import MemorySms as OldPathMemorySms
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.models import AuditEvent, Clinic
from dyadcare.tenancy.scope import clinic_scope, unscoped
from dyadcare.touchpoints import services as visit_services
from dyadcare.touchpoints.models import Visit
from tests import factories
from tests.factories import ClinicWorld, login

TODAY = date(2031, 3, 10)  # a Monday


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _family(clinic: Clinic, **caregiver: object) -> tuple[Child, Caregiver]:
    kid = factories.child(clinic, given_name="Mateo", date_of_birth=date(2030, 1, 5))
    values: dict[str, object] = {"consent_sms": True, "preferred_language": "es", **caregiver}
    return kid, factories.caregiver(clinic, for_child=kid, **values)


def _sweep(clinic: Clinic, at: datetime) -> list[Reminder]:
    with clinic_scope(clinic):
        return reminders_send(actor=Actor.system("test-reminders", clinic=clinic), now=at)


def test_the_defaults_come_from_the_data_file() -> None:
    plan = default_plan()
    assert plan.days == (2, 1)
    assert plan.quiet_at(time(20, 0)) and plan.quiet_at(time(7, 59)) and plan.quiet_at(time(23, 30))
    assert not plan.quiet_at(time(8, 0)) and not plan.quiet_at(time(19, 59))
    assert not ReminderPlan(True, (1,), time(9), time(9)).quiet_at(time(9))


def test_sent_once_at_each_offset_in_the_family_language(world: ClinicWorld) -> None:
    kid, mother = _family(world.a)
    visit = factories.visit(world.a, kid, when=_local(TODAY + timedelta(days=2), 10, 30))
    sent = _sweep(world.a, _local(TODAY, 9))
    assert [(r.days_before, r.status, r.channel, r.language) for r in sent] == [(2, "sent", "sms", "es")]
    assert len(MemorySms.outbox) == 1 and MemorySms.outbox[0].to == mother.phone
    body = MemorySms.outbox[0].body
    assert "le recordamos que Mateo tiene una visita el miércoles 12 de marzo a las 10:30" in body
    assert _sweep(world.a, _local(TODAY, 9, 1)) == [] and _sweep(world.a, _local(TODAY, 18)) == []
    assert len(MemorySms.outbox) == 1  # never twice for the same visit and offset
    assert [r.days_before for r in _sweep(world.a, _local(TODAY + timedelta(days=1), 8))] == [1]
    assert _sweep(world.a, _local(TODAY + timedelta(days=2), 8)) == []  # no "0 days" reminder
    assert len(MemorySms.outbox) == 2
    with unscoped("test check"):
        assert (
            AuditEvent.objects.filter(action="adherence.reminder_sent", object_id=str(visit.pk)).count() == 2
        )


def test_quiet_hours_wait_for_the_morning(world: ClinicWorld) -> None:
    kid, _mother = _family(world.a)
    factories.visit(world.a, kid, when=_local(TODAY + timedelta(days=1), 15))
    assert _sweep(world.a, _local(TODAY, 21)) == []
    assert _sweep(world.a, _local(TODAY + timedelta(days=1), 7, 59)) == []  # the visit's own day: none
    assert MemorySms.outbox == []
    assert [r.status for r in _sweep(world.a, _local(TODAY, 12))] == ["sent"]


def test_opt_out_is_honoured_recorded_and_reversible(world: ClinicWorld) -> None:
    kid, mother = _family(world.a)
    factories.visit(world.a, kid, when=_local(TODAY + timedelta(days=2), 10))
    actor = factories.staff_actor(world, "front_desk")
    with clinic_scope(world.a):
        choice = services.reminder_choice_set(actor=actor, caregiver=mother, opted_out=True, how="phone")
        assert choice.recorded_by == world.staff_a["front_desk"]
    assert [r.status for r in _sweep(world.a, _local(TODAY, 9))] == ["opted_out"]
    assert MemorySms.outbox == []
    with clinic_scope(world.a):
        services.reminder_choice_set(actor=actor, caregiver=mother, opted_out=False, how="in_person")
    assert [r.status for r in _sweep(world.a, _local(TODAY + timedelta(days=1), 9))] == ["sent"]
    with unscoped("test check"):
        assert (
            AuditEvent.objects.filter(action="adherence.opt_out_set", object_id=str(mother.pk)).count() == 2
        )


def test_email_in_english_and_no_consent(world: ClinicWorld) -> None:
    kid, _mother = _family(
        world.a, consent_sms=False, email="m@example.org", consent_email=True, preferred_language="en"
    )
    other, _silent = _family(world.a, consent_sms=False)
    factories.visit(world.a, kid, when=_local(TODAY + timedelta(days=2), 10))
    factories.visit(world.a, other, when=_local(TODAY + timedelta(days=2), 11))
    statuses = sorted((r.status, r.channel) for r in _sweep(world.a, _local(TODAY, 9)))
    assert statuses == [("no_contact", ""), ("sent", "email")]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["m@example.org"]
    assert "Mateo" in mail.outbox[0].subject and "Wednesday" in mail.outbox[0].body


def test_a_moved_visit_is_reminded_again_and_a_cancelled_one_never(world: ClinicWorld) -> None:
    kid, _mother = _family(world.a)
    moved = factories.visit(world.a, kid, when=_local(TODAY + timedelta(days=2), 10))
    gone = factories.visit(world.a, kid, when=_local(TODAY + timedelta(days=2), 15))
    actor = factories.staff_actor(world, "front_desk")
    with clinic_scope(world.a):
        visit_services.visit_cancel(actor=actor, visit=gone, reason="Family moved")
    assert len(_sweep(world.a, _local(TODAY, 9))) == 1
    with unscoped("test move"):  # moved by the service in real life; its rule refuses the past
        Visit.objects.filter(pk=moved.pk).update(scheduled_for=_local(TODAY + timedelta(days=2), 16))
    assert len(_sweep(world.a, _local(TODAY, 10))) == 1
    assert len(MemorySms.outbox) == 2


def test_settings_per_clinic_and_the_worker_sweep(world: ClinicWorld) -> None:
    assert OldPathMemorySms is MemorySms  # the old import path still names the same provider
    kid, _mother = _family(world.a)
    now = timezone.localtime()
    factories.visit(world.a, kid, when=now + timedelta(days=3, minutes=5))
    admin = factories.staff_actor(world, "clinic_admin")
    with clinic_scope(world.a):
        with pytest.raises(Exception, match="one to four"):
            services.reminder_settings_set(
                actor=admin, enabled=True, days=[0], quiet_start=time(0), quiet_end=time(0)
            )
        services.reminder_settings_set(
            actor=admin, enabled=True, days=[3, 4], quiet_start=time(0), quiet_end=time(0)
        )
    assert sweep_every_clinic() == 1
    assert sweep_every_clinic() == 0
    assert len(MemorySms.outbox) == 1


def test_the_visit_page_shows_its_reminders_to_the_care_team(world: ClinicWorld, client: Client) -> None:
    kid, _mother = _family(world.a)
    visit = factories.visit(world.a, kid, when=_local(TODAY + timedelta(days=2), 10))
    _sweep(world.a, _local(TODAY, 9))
    page = login(client, world.staff_a["front_desk"]).get(f"/c/{world.a.slug}/visits/{visit.pk}/")
    assert b'id="visit-reminders"' in page.content and b"2 days before" in page.content
    billing = login(Client(), world.staff_a["billing"]).get(f"/c/{world.a.slug}/visits/{visit.pk}/")
    assert billing.status_code == 200 and b'id="visit-reminders"' not in billing.content


@pytest.mark.django_db(transaction=True)  # the task queue's worker closes its connection
def test_the_worker_command_sends_the_reminders_due(world: ClinicWorld, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    kid, _mother = _family(world.a)
    now = timezone.localtime()
    factories.visit(world.a, kid, when=now + timedelta(days=1, minutes=5))
    admin = factories.staff_actor(world, "clinic_admin")
    with clinic_scope(world.a):  # no quiet hours, so the test passes at any hour
        services.reminder_settings_set(  # 1 or 2: five minutes past a day ahead may be past midnight
            actor=admin, enabled=True, days=[1, 2], quiet_start=time(0), quiet_end=time(0)
        )
    call_command("worker", batch=True)
    assert len(MemorySms.outbox) == 1
    call_command("worker", batch=True)
    assert len(MemorySms.outbox) == 1
    # The same sweep refreshed each clinic's outreach needs, once today.
    from dyadcare.adherence.models import OutreachRefresh

    for clinic in (world.a, world.b):
        with clinic_scope(clinic):
            assert OutreachRefresh.objects.get().refreshed_on == timezone.localdate()
