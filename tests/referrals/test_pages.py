"""The referral workflow's staff pages: the child page's Referrals section, a phone update
through the referral's page, the family summary printed in Spanish, and the Refer page's
pre-filled search."""

from __future__ import annotations

import pytest
from django.test import Client

from dyadcare.referrals.models_referral import Referral, ReferralEvent
from dyadcare.tenancy.scope import clinic_scope
from tests.factories import ClinicWorld, login
from tests.referrals.helpers import REFERRER, referral

pytestmark = pytest.mark.django_db


def test_the_child_page_lists_referrals_with_status_and_due_date(world: ClinicWorld, client: Client) -> None:
    made, _token = referral(world)
    login(client, world.staff_a[REFERRER])
    html = client.get(f"/c/{world.a.slug}/children/{made.child_id}/").content.decode()
    assert "Family Food Pantry" in html and "Sent, waiting for an answer" in html
    assert "next update due" in html and "Loop closed" not in html


def test_billing_sees_no_referrals_on_the_child_page(world: ClinicWorld, client: Client) -> None:
    made, _token = referral(world)
    login(client, world.staff_a["billing"])
    html = client.get(f"/c/{world.a.slug}/children/{made.child_id}/").content.decode()
    assert "Family Food Pantry" not in html


def test_a_phone_update_through_the_page(world: ClinicWorld, client: Client) -> None:
    made, _token = referral(world)
    login(client, world.staff_a["dyadic_specialist"])
    url = f"/c/{world.a.slug}/referrals/{made.pk}/update/"
    refused = client.post(url, {"status": "completed", "caller": "Maria"})
    assert refused.status_code == 400  # not a move from "requested"
    response = client.post(
        url, {"status": "rejected", "outcome": "no-capacity", "caller": "Maria at the pantry"}
    )
    assert response.status_code == 302
    page = client.get(f"/c/{world.a.slug}/referrals/{made.pk}/").content.decode()
    assert "phone update from Maria at the pantry" in page and "No capacity" in page
    with clinic_scope(world.a):
        assert ReferralEvent.objects.filter(referral=made, by="phone").count() == 1
        assert Referral.objects.get(pk=made.pk).status == "rejected"


def test_the_family_summary_prints_in_the_familys_language(world: ClinicWorld, client: Client) -> None:
    made, _token = referral(world)
    with clinic_scope(world.a):
        world.caregiver_a.preferred_language = "es"  # type: ignore[union-attr]
        world.caregiver_a.save()  # type: ignore[union-attr]
    login(client, world.staff_a[REFERRER])
    html = client.get(f"/c/{world.a.slug}/children/{made.child_id}/referrals/summary/").content.decode()
    assert "Servicios para Ana y su familia" in html and "Próximos pasos" in html
    assert "510-555-0100" in html and "Family Food Pantry" in html
    english = client.get(f"/c/{world.a.slug}/children/{made.child_id}/referrals/summary/?lang=en")
    assert "Services for Ana and family" in english.content.decode()


def test_the_refer_page_prefills_the_need_from_a_positive_domain(world: ClinicWorld, client: Client) -> None:
    from tests.referrals.helpers import positive_food

    result = positive_food(world)
    login(client, world.staff_a[REFERRER])
    html = client.get(
        f"/c/{world.a.slug}/children/{result.child_id}/referrals/new/?result={result.pk}"
    ).content.decode()
    assert '<option value="food" selected>' in html
    assert 'name="child_age_months"' in html and 'value="22"' in html
