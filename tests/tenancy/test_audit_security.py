"""Security events reach the people who guard the account: each is written in every clinic the
account belongs to (so the clinic's audit page shows it, with the network on it), an unknown
account's in the instance's log; a refused record is one of them; a printed family summary is
logged as a print."""

from __future__ import annotations

from typing import Any

from django.test import Client

from dyadcare.tenancy.models import AuditEvent, Clinic
from dyadcare.tenancy.scope import clinic_scope
from tests.factories import PASSWORD, ClinicWorld, login, member, staff


def _entries(clinic: Clinic | None, action: str, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent._base_manager.filter(clinic=clinic, action=action, **filters).order_by("id"))


def _post_login(username: str, password: str, ip: str = "203.0.113.9") -> int:
    response = Client().post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)
    return int(response.status_code)


def test_a_login_reaches_every_clinic_of_the_account(world: ClinicWorld) -> None:
    floater = staff("floater")
    member(floater, "front_desk", clinic=world.a)
    member(floater, "billing", clinic=world.b)
    assert _post_login("floater", PASSWORD) == 302
    for clinic in (world.a, world.b):
        [entry] = _entries(clinic, "login", actor=floater)
        assert entry.network_id == world.network.pk
        assert entry.chain == f"clinic:{clinic.pk}"
    assert not _entries(None, "login", actor=floater)


def test_failed_logins_and_the_lockout_reach_the_clinic_administrators(
    world: ClinicWorld, client: Client
) -> None:
    for n in range(5):
        _post_login("front_desk-a", f"wrong-{n}", ip="198.51.100.3")
    failed = _entries(world.a, "login_failed", actor_label="front_desk-a")
    assert len(failed) == 5
    assert _entries(world.a, "locked_out", actor_label="front_desk-a")
    assert not _entries(world.b, "login_failed")
    login(client, world.staff_a["clinic_admin"])
    page = client.get(f"/c/{world.a.slug}/audit/", {"action": "locked_out"}).content.decode()
    assert "front_desk-a" in page


def test_a_failed_login_of_an_unknown_name_goes_to_the_instance_log(world: ClinicWorld) -> None:
    _post_login("nobody-here", "guess")
    [entry] = _entries(None, "login_failed", actor_label="nobody-here")
    assert (entry.network_id, entry.chain) == (None, "instance")


def test_network_staff_events_go_to_their_network(world: ClinicWorld) -> None:
    admin = world.network_staff["network_admin"]
    assert _post_login(admin.username, PASSWORD) == 302
    [entry] = _entries(None, "login", actor=admin)
    assert entry.network_id == world.network.pk and entry.chain == f"network:{world.network.pk}"


def test_a_record_of_another_clinic_is_a_refusal_the_own_clinic_sees(
    world: ClinicWorld, client: Client
) -> None:
    assert world.child_b
    clinician = world.staff_a["pediatric_clinician"]
    login(client, clinician)
    assert client.get(f"/c/{world.b.slug}/children/{world.child_b.pk}/").status_code == 404
    assert client.get(f"/c/{world.a.slug}/children/{world.child_b.pk}/").status_code == 404
    assert client.get(f"/c/{world.a.slug}/audit/").status_code == 403
    refused = [e.summary for e in _entries(world.a, "access_denied", actor=clinician)]
    assert refused == [
        f"404 GET /c/{world.b.slug}/children/{world.child_b.pk}/",
        f"404 GET /c/{world.a.slug}/children/{world.child_b.pk}/",
        f"403 GET /c/{world.a.slug}/audit/",
    ]
    assert not _entries(world.b, "access_denied")


def test_printing_the_family_summary_is_logged_as_a_print(world: ClinicWorld, client: Client) -> None:
    assert world.visit_a
    login(client, world.staff_a["pediatric_clinician"])
    assert client.get(f"/c/{world.a.slug}/visits/{world.visit_a.pk}/summary/").status_code == 200
    with clinic_scope(world.a):
        printed = AuditEvent.objects.filter(action="print", object_id=str(world.visit_a.pk))
        assert [e.summary for e in printed] == ["family summary (en)"]


def test_the_network_administrator_sees_the_security_events_of_every_clinic(
    world: ClinicWorld, client: Client
) -> None:
    _post_login("front_desk-a", "wrong", ip="198.51.100.4")
    _post_login("admin-b", "wrong", ip="198.51.100.5")
    _post_login("nobody-here", "guess")
    login(client, world.network_staff["network_admin"])
    page = client.get(f"/n/{world.network.slug}/security/").content.decode()
    assert "front_desk-a" in page and "admin-b" in page and "198.51.100.5" in page
    assert "nobody-here" not in page, "an unknown name belongs to no network"
    login(client, world.coach_elsewhere)  # type: ignore[arg-type]
    assert client.get(f"/n/{world.other_network.slug}/security/").status_code == 403
    login(client, world.network_staff["network_coach"])
    assert client.get(f"/n/{world.network.slug}/security/").status_code == 403
