"""Logging in and out, lockout after failures, idle expiry, switching clinics."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client

from dyadcare.tenancy.models import AuditEvent, User
from dyadcare.tenancy.scope import unscoped
from tests.factories import PASSWORD, ClinicWorld, member


def _events(action: str) -> list[AuditEvent]:
    with unscoped("read audit"):
        return list(AuditEvent.objects.filter(action=action))


def test_login_reaches_the_clinic_and_is_audited(world: ClinicWorld, client: Client) -> None:
    page = client.get("/login/")
    assert page.status_code == 200 and b'autocomplete="current-password"' in page.content
    response = client.post("/login/", {"username": "front_desk-a", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == f"/c/{world.a.slug}/"
    assert [e.actor_label for e in _events("login")] == ["front_desk-a"]
    client.post("/logout/")
    assert [e.actor_label for e in _events("logout")] == ["front_desk-a"]
    assert client.get(f"/c/{world.a.slug}/").status_code == 302


def test_failed_logins_are_audited_and_then_locked_out(world: ClinicWorld, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/login/", {"username": "front_desk-a", "password": "wrong"}, REMOTE_ADDR="10.1.1.1")
    assert len(_events("login_failed")) >= 3
    locked = client.post(
        "/login/", {"username": "front_desk-a", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert locked.status_code == 429
    assert b"Too many failed attempts" in locked.content
    # The lock is on this name from this address, not on everyone.
    other = Client()
    assert (
        other.post(
            "/login/", {"username": "billing-a", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
        ).status_code
        == 302
    )


def test_staff_passwords_are_hashed_with_argon2(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    import dyadcare.settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    encoded = make_password("correct horse battery staple")
    assert encoded.startswith("argon2$")
    assert check_password("correct horse battery staple", encoded)


def test_sessions_expire_after_the_idle_time(world: ClinicWorld, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    client.post("/login/", {"username": "front_desk-a", "password": PASSWORD})
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    key = client.cookies["sessionid"].value
    first = Session.objects.get(session_key=key).expire_date
    client.get(f"/c/{world.a.slug}/")
    # Every request renews the server-side expiry to 15 idle minutes from now.
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed >= first
    assert abs((renewed - timezone.now()).total_seconds() - 15 * 60) < 30
    session = client.session
    session.set_expiry(-1)  # as if 15 idle minutes had passed
    session.save()
    assert client.get(f"/c/{world.a.slug}/").status_code == 302


def test_no_store_on_staff_pages(world: ClinicWorld, client: Client) -> None:
    client.force_login(world.staff_a["front_desk"])
    response = client.get(f"/c/{world.a.slug}/")
    assert response["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_staff_in_two_clinics_choose_and_switch(world: ClinicWorld, client: Client) -> None:
    user = User.objects.get(username="dyadic_specialist-a")
    member(user, "dyadic_specialist", clinic=world.b)
    client.force_login(user)
    first = client.get("/")
    assert first["Location"] == "/places/"
    places = client.get("/places/")
    assert {p.clinic.slug for p, _url in places.context["choices"]} == {world.a.slug, world.b.slug}
    switched = client.post("/places/", {"place": world.b.slug})
    assert switched["Location"] == f"/c/{world.b.slug}/"
    assert [e.summary for e in _events("switch_clinic")] == [f"to {world.b.slug}"]
    assert client.get("/")["Location"] == f"/c/{world.b.slug}/", "home remembers the clinic"
    page = client.get(f"/c/{world.b.slug}/children/")
    assert {c.given_name for c in page.context["page"].object_list} == {"Bea"}
    # A clinic the person does not work in cannot be chosen.
    other = client.post("/places/", {"place": "nowhere"})
    assert other.status_code == 200


@pytest.mark.parametrize("path", ["/healthz"])
def test_public_health_check(db: None, client: Client, path: str) -> None:
    assert client.get(path).json()["ok"] is True
