"""A clinic tablet's link ends with the visit's day, and at most 12 hours after it is opened;
a link sent to the family's phone works 48 hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dyadcare.screening import services
from dyadcare.screening.models import ScreeningSession
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints.models import Visit
from tests import factories
from tests.clock import Clock, clock_fixture  # noqa: F401  (the clock fixture)
from tests.factories import ClinicWorld
from tests.screening.conftest import staff_actor

pytestmark = pytest.mark.django_db
KIOSK = ScreeningSession.Mode.KIOSK
LINK = ScreeningSession.Mode.LINK
DAY = date(2026, 3, 10)  # a Tuesday


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _visit_on(world: ClinicWorld, clock: Clock, day: date) -> Visit:
    clock.set(_at(day, 7, 30))  # the world is built on the morning of that day
    return factories.two_month_visit(world)


def _tablet(world: ClinicWorld, visit: Visit, mode: str = KIOSK) -> ScreeningSession:
    session, _token = factories.start_session(world, visit, ["cdc-milestones-2m"], mode=mode)
    return session


def test_a_tablet_opened_in_the_afternoon_ends_at_midnight(world: ClinicWorld, clock: Clock) -> None:
    visit = _visit_on(world, clock, DAY)
    clock.set(_at(DAY, 15, 20))
    session = _tablet(world, visit)
    assert timezone.localtime(session.token_expires_at) == _at(DAY + timedelta(days=1), 0)


def test_a_tablet_opened_in_the_morning_ends_12_hours_later(world: ClinicWorld, clock: Clock) -> None:
    visit = _visit_on(world, clock, DAY)
    clock.set(_at(DAY, 8, 5))
    session = _tablet(world, visit)
    assert timezone.localtime(session.token_expires_at) == _at(DAY, 20, 5)


def test_the_tablet_link_stops_at_the_end_of_the_visit_day(world: ClinicWorld, clock: Clock) -> None:
    visit = _visit_on(world, clock, DAY)
    clock.set(_at(DAY, 16, 0))
    _session, token = factories.start_session(world, visit, ["cdc-milestones-2m"], mode=KIOSK)
    clock.set(_at(DAY, 23, 59))
    assert Client().get(f"/f/{token}/").status_code == 200
    clock.set(_at(DAY + timedelta(days=1), 0, 1))
    expired = Client().get(f"/f/{token}/")
    assert expired.status_code == 410 and "This link has expired" in expired.content.decode()


def test_a_phone_link_works_48_hours_and_a_switch_to_the_tablet_shortens_it(
    world: ClinicWorld, clock: Clock
) -> None:
    visit = _visit_on(world, clock, DAY)
    clock.set(_at(DAY, 9, 0))
    session = _tablet(world, visit, mode=LINK)
    assert session.token_expires_at == _at(DAY, 9, 0) + timedelta(hours=48)
    clock.set(_at(DAY, 14, 0))
    with clinic_scope(world.a):
        services.screening_new_link(actor=staff_actor(world, "front_desk"), session=session, mode=KIOSK)
        session.refresh_from_db()
        assert timezone.localtime(session.token_expires_at) == _at(DAY + timedelta(days=1), 0)
        services.screening_new_link(actor=staff_actor(world, "front_desk"), session=session, mode=LINK)
        session.refresh_from_db()
    assert session.token_expires_at == _at(DAY, 14, 0) + timedelta(hours=48)


def test_the_tablet_is_not_opened_after_the_visit_day(world: ClinicWorld, clock: Clock) -> None:
    visit = _visit_on(world, clock, DAY)
    phone = _tablet(world, visit, mode=LINK)
    clock.set(_at(DAY + timedelta(days=1), 8, 0))  # the visit was left open overnight
    with clinic_scope(world.a), pytest.raises(ValidationError, match="on the day of the visit"):
        services.screening_new_link(actor=staff_actor(world, "front_desk"), session=phone, mode=KIOSK)
    phone.refresh_from_db()
    assert phone.mode == LINK, "nothing was changed"
    client = Client()
    client.force_login(world.staff_a["front_desk"])
    response = client.post(
        f"/c/{world.a.slug}/screenings/{phone.pk}/update/", {"action": "kiosk"}, follow=True
    )
    assert response.status_code == 200
    assert "The clinic tablet can be used on the day of the visit only." in response.content.decode()
