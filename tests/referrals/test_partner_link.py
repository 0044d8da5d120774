"""The receiving organisation's no-login link: it reaches its one referral and nothing else
(another referral's id in the form, another clinic's referral, any other address), only what
was shared is on the page, an expired or closed link is 410, a tampered one 404, an address
that keeps guessing 429, and every page is kept out of caches and referrers."""

from __future__ import annotations

import pytest
from django.test import Client

from dyadcare.publiclinks import throttle
from dyadcare.referrals import referral_services as svc
from dyadcare.referrals.models_referral import ReferralEvent
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import AuditEvent
from dyadcare.tenancy.scope import clinic_scope
from tests.factories import ClinicWorld, staff_actor
from tests.referrals.helpers import REFERRER, age_link, referral

pytestmark = pytest.mark.django_db


def _page(token: str) -> str:
    return f"/r/{token}/"


def test_the_link_shows_only_what_was_shared(world: ClinicWorld, client: Client) -> None:
    _made, token = referral(world)
    response = client.get(_page(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ana" in html and "Lucía Ramírez" in html and "Food" in html and "Family Food Pantry" in html
    for secret in ("Pablo", "PHQ", "Patient Health", "at-risk", "Hunger", world.child_a.mrn):  # type: ignore[union-attr]
        assert secret not in html, secret
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"


def test_the_organization_accepts_then_completes(world: ClinicWorld, client: Client) -> None:
    made, token = referral(world)
    response = client.post(_page(token), {"status": "accepted", "note": "Call booked"})
    assert response.status_code == 303
    response = client.post(_page(token), {"status": "completed", "outcome": "service-provided"})
    assert response.status_code == 303
    with clinic_scope(world.a):
        made.refresh_from_db()
        events = list(ReferralEvent.objects.filter(referral=made).values_list("to_status", "by"))
    assert made.status == "completed" and made.business_status == "service-provided"
    assert events[-2:] == [("accepted", "partner"), ("completed", "partner")]
    page = client.get(_page(token)).content.decode()  # a closed referral's page still reads
    assert "This referral is closed" in page


def test_a_refused_move_or_missing_reason_changes_nothing(world: ClinicWorld, client: Client) -> None:
    made, token = referral(world)
    for data in (
        {"status": "completed"},
        {"status": "received"},
        {"status": "ready"},
        {"status": "rejected"},
        {"status": "cancelled", "note": "x"},
    ):
        assert client.post(_page(token), data).status_code == 422, data
    with clinic_scope(world.a):
        made.refresh_from_db()
    assert made.status == "requested"


def test_another_referrals_id_in_the_form_reaches_only_this_one(world: ClinicWorld, client: Client) -> None:
    first, token = referral(world)
    second, _other = referral(world)
    client.post(
        _page(token),
        {"status": "accepted", "referral": str(second.pk), "id": str(second.pk), "pk": str(second.pk)},
    )
    with clinic_scope(world.a):
        first.refresh_from_db()
        second.refresh_from_db()
    assert first.status == "accepted" and second.status == "requested"


def test_nothing_else_lives_under_the_link(world: ClinicWorld, client: Client) -> None:
    second, _ = referral(world)
    _first, token = referral(world)
    for rest in (f"{second.pk}/", "history/", "../", "admin/"):
        assert client.get(_page(token) + rest).status_code in (404,), rest


def test_another_clinics_referral_is_not_reachable_with_this_clinics_link(
    world: ClinicWorld, client: Client
) -> None:
    _made, token = referral(world)
    assert world.child_b and world.caregiver_b and world.admin_b
    actor = Actor.for_staff(world.admin_b, clinic=world.b, roles=("family_partner",))
    with clinic_scope(world.b):
        other = svc.refer(
            actor=actor,
            child_id=world.child_b.pk,
            caregiver_id=world.caregiver_b.pk,
            need="food",
            service=svc.ServiceDetails(name="Pantry B"),
            reason="judgement",
        )
    client.post(_page(token), {"status": "accepted", "referral": str(other.pk)})
    with clinic_scope(world.b):
        other.refresh_from_db()
    assert other.status == "requested"
    assert b"Pantry B" not in client.get(_page(token)).content


def test_expired_link_410_tampered_404(world: ClinicWorld, client: Client) -> None:
    made, token = referral(world)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(_page(tampered)).status_code == 404
    assert client.get(_page("short")).status_code == 404
    age_link(world, made, 1)
    assert client.get(_page(token)).status_code == 410
    assert client.post(_page(token), {"status": "accepted"}).status_code == 410
    with clinic_scope(world.a):
        made.refresh_from_db()
    assert made.status == "requested"


def test_a_closed_link_is_410_and_a_resent_link_works(world: ClinicWorld, client: Client) -> None:
    made, token = referral(world)
    actor = staff_actor(world, REFERRER)
    with clinic_scope(world.a):
        svc.close_link(actor=actor, referral_id=made.pk)
    assert client.get(_page(token)).status_code == 410
    with clinic_scope(world.a):
        fresh = svc.send_referral(
            actor=actor, referral_id=made.pk, channel="email", base_url="http://testserver"
        ).token
    assert client.get(_page(fresh)).status_code == 200
    assert client.get(_page(token)).status_code == 404  # the old token matches nothing now


def test_an_address_that_keeps_guessing_gets_429(world: ClinicWorld, client: Client) -> None:
    _made, token = referral(world)
    for n in range(throttle.FAILURES_PER_ADDRESS):
        client.get(_page("x" * 43 + f"{n:02d}"))
    response = client.get(_page("y" * 45))
    assert response.status_code == 429 and response["Retry-After"]
    assert client.get(_page(token)).status_code == 200  # a real link from that address still opens


def test_a_post_from_another_site_is_refused(world: ClinicWorld, client: Client) -> None:
    made, token = referral(world)
    response = client.post(_page(token), {"status": "accepted"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    response = client.post(_page(token), {"status": "accepted"}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    with clinic_scope(world.a):
        made.refresh_from_db()
    assert made.status == "requested"


def test_opening_the_link_is_audited_without_the_token(world: ClinicWorld, client: Client) -> None:
    made, token = referral(world)
    client.get(_page(token))
    with clinic_scope(world.a):
        entry = AuditEvent.objects.filter(action="view", object_id=str(made.pk)).last()
    assert (
        entry is not None
        and token not in (entry.path or "")
        and entry.actor_label.startswith("referral link")
    )


def test_the_page_is_spanish_on_request(world: ClinicWorld, client: Client) -> None:
    _made, token = referral(world)
    response = client.get(_page(token) + "?lang=es")
    assert response["Content-Language"] == "es"
    assert "Alimentos" in response.content.decode()


def test_the_page_follows_the_browsers_language_until_switched(world: ClinicWorld, client: Client) -> None:
    _made, token = referral(world)
    spanish = client.get(_page(token), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert spanish["Content-Language"] == "es" and "Alimentos" in spanish.content.decode()
    switched = client.get(_page(token) + "?lang=en", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert switched["Content-Language"] == "en"
    assert client.get(_page(token), HTTP_ACCEPT_LANGUAGE="fr-FR")["Content-Language"] == "en"
