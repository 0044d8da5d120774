"""Rescheduling and cancelling a visit with a reason: the rules, the history, the page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints import services
from dyadcare.touchpoints.models import Visit, VisitChange
from tests import factories
from tests.factories import ClinicWorld, login


def _actor(world: ClinicWorld, role: str = "front_desk") -> Actor:
    return Actor.for_staff(world.staff_a[role], clinic=world.a, roles=(role,))


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _future(world: ClinicWorld, days: int = 5) -> Visit:
    assert world.child_a
    return factories.visit(world.a, world.child_a, when=_at(timezone.localdate() + timedelta(days=days)))


def test_reschedule_moves_the_visit_and_keeps_why(world: ClinicWorld) -> None:
    visit = _future(world)
    new_time = _at(timezone.localdate() + timedelta(days=9), 14)
    with clinic_scope(world.a):
        moved = services.visit_reschedule(
            actor=_actor(world), visit=visit, scheduled_for=new_time, reason="  Mother  works that day "
        )
        assert moved.pk == visit.pk and moved.scheduled_for == new_time and moved.status == "scheduled"
        change = VisitChange.objects.get(visit=visit)
        assert change.kind == "rescheduled" and change.reason == "Mother works that day"
        assert change.previous_time == visit.scheduled_for and change.new_time == new_time
        assert change.changed_by == world.staff_a["front_desk"]
        assert AuditEvent.objects.filter(object_id=str(visit.pk), summary="rescheduled").count() == 1


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("past", "has not passed"),
        ("same", "already booked for that time"),
        ("no-reason", "Say why"),
        ("completed", "Only a booked visit"),
        ("clash", "already has a visit at that time"),
        ("too-far", "five years"),
    ],
)
def test_reschedule_refuses_with_a_clear_reason(world: ClinicWorld, case: str, message: str) -> None:
    assert world.child_a
    visit = _future(world)
    when = _at(timezone.localdate() + timedelta(days=12))
    reason = "The family asked"
    with clinic_scope(world.a):
        if case == "past":
            when = timezone.now() - timedelta(hours=1)
        elif case == "same":
            when = visit.scheduled_for
        elif case == "no-reason":
            reason = "   "
        elif case == "completed":
            services.visit_complete(actor=_actor(world), visit=visit)
        elif case == "clash":
            factories.visit(world.a, world.child_a, when=when)
        elif case == "too-far":
            when = _at(timezone.localdate() + timedelta(days=6 * 366))
        with pytest.raises(ValidationError, match=message):
            services.visit_reschedule(actor=_actor(world), visit=visit, scheduled_for=when, reason=reason)
        visit.refresh_from_db()
        assert not VisitChange.objects.filter(visit=visit).exists()
        assert visit.scheduled_for != when or case == "same"


def test_cancel_with_a_reason_is_kept_and_billing_cannot(world: ClinicWorld) -> None:
    visit = _future(world)
    with clinic_scope(world.a):
        with pytest.raises(PermissionDenied):
            services.visit_cancel(actor=_actor(world, "billing"), visit=visit, reason="x")
        with pytest.raises(ValidationError, match="Say why"):
            services.visit_cancel(actor=_actor(world), visit=visit, reason="")
        services.visit_cancel(actor=_actor(world), visit=visit, reason="Moved to another county")
        assert VisitChange.objects.get(visit=visit).kind == "cancelled"
        with pytest.raises(ValidationError, match="already cancelled"):
            services.visit_cancel(actor=_actor(world), visit=visit, reason="again")
        with pytest.raises(ValidationError, match="Only a booked visit"):
            services.visit_reschedule(
                actor=_actor(world),
                visit=visit,
                scheduled_for=_at(timezone.localdate() + timedelta(days=20)),
                reason="x",
            )


def test_the_page_reschedules_and_shows_errors_at_the_field(world: ClinicWorld, client: Client) -> None:
    visit = _future(world)
    login(client, world.staff_a["front_desk"])
    url = f"/c/{world.a.slug}/visits/{visit.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and b"Reschedule visit" in page.content
    past = (timezone.localdate() - timedelta(days=2)).isoformat()
    bad = client.post(url, {"action": "reschedule", "move-day": past, "move-at": "09:00", "move-reason": "r"})
    assert bad.status_code == 422 and b"has not passed" in bad.content
    missing = client.post(url, {"action": "cancel", "cancel-reason": ""})
    assert missing.status_code == 422
    day = (timezone.localdate() + timedelta(days=15)).isoformat()
    ok = client.post(
        url, {"action": "reschedule", "move-day": day, "move-at": "11:30", "move-reason": "Work"}
    )
    assert ok.status_code == 302
    detail = client.get(ok["Location"])
    assert b"Work" in detail.content and b"Rescheduled" in detail.content
