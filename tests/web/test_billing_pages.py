"""The billing pages: held lines with their reasons, fixes and rule labels; release, void,
export with refusals that write nothing; the settings forms; the navigation item."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dyadcare.billing.models import BillingSettings, ClaimBatch, ClaimLine
from dyadcare.tenancy.scope import unscoped
from tests import factories
from tests.billing import export_data
from tests.factories import ClinicWorld, login

pytestmark = pytest.mark.django_db
UNVERIFIED = {
    "code": "rule-confidence",
    "params": {"confidence": "unverified", "rule": "units.eight-minute-rule"},
}


@pytest.fixture
def lines(world: ClinicWorld) -> dict[str, ClaimLine]:
    export_data.ready_clinic(world.a)
    provider = world.staff_a["dyadic_specialist"]
    export_data.profile(world.a, provider)
    kid = factories.child(world.a, given_name="Cora", medi_cal_id="93456789C")
    held = export_data.line(world.a, kid, provider, status="held", reasons=[{"code": "no-medi-cal-id"}])
    ready = export_data.line(world.a, kid, provider, code="H2015", status="ready", modifiers=())
    with unscoped("test data"):
        ClaimLine.objects.filter(pk=ready.pk).update(notes=[UNVERIFIED])
    return {"held": held, "ready": ready, "released": export_data.line(world.a, kid, provider, code="T1027")}


def _billing(client: Client, world: ClinicWorld) -> Client:
    return login(client, world.staff_a["billing"])


def _url(world: ClinicWorld, tail: str) -> str:
    return f"/c/{world.a.slug}/billing/{tail}"


def _status(line: ClaimLine) -> str:
    with unscoped("test reads the line"):
        return ClaimLine.objects.get(pk=line.pk).status


def test_held_lines_show_the_reason_and_the_fix(world: ClinicWorld, client: Client, lines: Any) -> None:
    page = _billing(client, world).get(_url(world, "")).content.decode()
    assert "The child has no Medi-Cal ID (CIN) on file" in page
    assert f"/billing/children/{lines['held'].child_id}/coverage/" in page
    ready = client.get(_url(world, "?status=ready")).content.decode()
    assert "Unverified rule" in ready and 'name="line"' in ready
    detail = client.get(_url(world, f"lines/{lines['ready'].pk}/")).content.decode()
    assert "Rests on an unverified rule" in detail and "units.eight-minute-rule" in detail


def test_bad_filters_answer_400(world: ClinicWorld, client: Client, lines: Any) -> None:
    response = _billing(client, world).get(_url(world, "?date_from=2025-12-01&date_until=2025-11-01"))
    assert response.status_code == 400
    assert client.get(_url(world, "?provider=not-a-person")).status_code == 400


def test_release_takes_ready_lines_only(world: ClinicWorld, client: Client, lines: Any) -> None:
    _billing(client, world)
    response = client.post(_url(world, "release/"), {"line": [str(lines["held"].pk)]}, follow=True)
    assert "Only ready lines can be released" in response.content.decode()
    assert _status(lines["held"]) == "held"
    client.post(_url(world, "release/"), {"line": [str(lines["ready"].pk)]})
    assert _status(lines["ready"]) == "released"


def test_voiding_needs_a_reason(world: ClinicWorld, client: Client, lines: Any) -> None:
    _billing(client, world)
    url = _url(world, f"lines/{lines['held'].pk}/")
    assert client.post(url, {"reason": ""}).status_code == 422
    assert _status(lines["held"]) == "held"
    assert client.post(url, {"reason": "Entered twice"}).status_code == 302
    assert _status(lines["held"]) == "voided"
    assert "Entered twice" in client.get(url).content.decode()


def test_an_export_the_clinic_cannot_make_says_why_and_writes_nothing(
    world: ClinicWorld, client: Client, lines: Any
) -> None:
    world.a.tax_id = ""
    world.a.save()
    response = _billing(client, world).post(_url(world, "batches/"), {"format": "837p"})
    assert response.status_code == 422
    assert "tax ID" in response.content.decode()
    assert _status(lines["released"]) == "released"
    with unscoped("test"):
        assert not ClaimBatch.objects.exists()
    assert client.post(_url(world, "batches/"), {"format": "csv"}).status_code == 302
    assert _status(lines["released"]) == "exported"


def test_settings_forms_refuse_bad_codes_and_save_good_ones(world: ClinicWorld, client: Client) -> None:
    login(client, world.staff_a["clinic_admin"])
    url = _url(world, "settings/")
    bad = {"action": "billing", "billing-minutes_for_first_unit": "8", "billing-z_codes": "G8431 Z13.31"}
    assert client.post(url, bad).status_code == 422
    good = {**bad, "billing-z_codes": "G8431: Z13.31\n*: Z00.129", "billing-eight_minute_rule": "on"}
    assert client.post(url, good).status_code == 302
    with unscoped("test"):
        assert BillingSettings.objects.get(clinic=world.a).z_codes == {"G8431": ["Z13.31"], "*": ["Z00.129"]}
    assert (
        client.post(
            url, {"action": "file", "file-payer_name": "X", "file-payer_id": "1", "file-fees": "H2015"}
        ).status_code
        == 422
    )


def test_the_billing_item_is_in_the_navigation_of_those_who_may_see_it(
    world: ClinicWorld, client: Client
) -> None:
    home = f"/c/{world.a.slug}/huddle/"
    assert (
        f'href="/c/{world.a.slug}/billing/"'
        in login(client, world.staff_a["billing"]).get(home).content.decode()
    )
    client.logout()
    assert "/billing/" not in login(client, world.staff_a["front_desk"]).get(home).content.decode()
