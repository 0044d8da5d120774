"""The staff pages for children and caregivers, through the test client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dyadcare.families.models import Caregiver, CareRelationship, Child
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope, unscoped
from tests import factories
from tests.factories import ClinicWorld, login


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "given_name": "Mateo",
        "family_name": "Núñez",
        "date_of_birth": "2025-02-03",
        "sex": "M",
        "gestational_age_days": "35+4",
        "mrn": "FV-100",
        "medi_cal_id": "9876 5432-a",
        "preferred_language": "es",
        "race_ethnicity": ["hispanic"],
        "race_ethnicity_detail": "Salvadoran",
    }
    data.update(overrides)
    return data


def test_register_a_child(world: ClinicWorld, client: Client) -> None:
    login(client, world.staff_a["front_desk"])
    response = client.post(f"/c/{world.a.slug}/children/new/", _form())
    assert response.status_code == 302
    with clinic_scope(world.a):
        child = Child.objects.get(mrn="FV-100")
        assert (child.gestational_age_days, child.medi_cal_id, child.race_ethnicity) == (
            35 * 7 + 4,
            "98765432A",
            ["hispanic"],
        )
        assert AuditEvent.objects.filter(action="create", object_id=str(child.pk)).exists()
    page = client.get(response["Location"])
    assert "Mateo Núñez" in page.content.decode()
    assert "35+4" in page.content.decode()


def test_bad_input_is_reported_at_each_field_and_nothing_is_saved(world: ClinicWorld, client: Client) -> None:
    assert world.child_a
    login(client, world.staff_a["front_desk"])
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        f"/c/{world.a.slug}/children/new/",
        _form(date_of_birth=future, gestational_age_days="45+1", medi_cal_id="12AB", mrn=world.child_a.mrn),
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) == {"date_of_birth", "gestational_age_days", "medi_cal_id", "mrn"}
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert 'aria-invalid="true"' in body
    with clinic_scope(world.a):
        assert Child.objects.count() == 1


def test_edit_keeps_the_form_on_error_and_audits_changed_fields(world: ClinicWorld, client: Client) -> None:
    assert world.child_a
    login(client, world.staff_a["dyadic_specialist"])
    url = f"/c/{world.a.slug}/children/{world.child_a.pk}/edit/"
    page = client.get(url)
    assert page.status_code == 200
    bad = client.post(url, _form(mrn=world.child_a.mrn, gestational_age_days="20+0"))
    assert bad.status_code == 422
    good = client.post(url, _form(mrn=world.child_a.mrn, given_name="Ana María"))
    assert good.status_code == 302
    with clinic_scope(world.a):
        assert Child.objects.get(pk=world.child_a.pk).given_name == "Ana María"
        entry = AuditEvent.objects.filter(action="update", object_id=str(world.child_a.pk)).get()
    assert "given_name" in entry.summary and "Ana" not in entry.summary


def test_search_by_name_without_accents_dob_mrn_and_medi_cal_id(world: ClinicWorld, client: Client) -> None:
    assert world.child_a
    factories.child(
        world.a,
        given_name="José",
        family_name="Peña",
        medi_cal_id="91112222B",
        mrn="Q-9",
        date_of_birth=world.child_a.date_of_birth,
    )
    login(client, world.staff_a["front_desk"])
    url = f"/c/{world.a.slug}/children/"

    def names(query: str) -> set[str]:
        response = client.get(url, {"q": query})
        return {c.full_name for c in response.context["page"].object_list}

    assert names("pena jo") == {"José Peña"}
    assert names("RAMIREZ") == {"Ana Ramírez"}
    assert names(world.child_a.date_of_birth.strftime("%m/%d/%Y")) == {"Ana Ramírez", "José Peña"}
    assert names("q-9") == {"José Peña"}
    assert names("9111 2222b") == {"José Peña"}
    assert names("Bea") == set(), "another clinic's child never appears"
    partial = client.get(url, {"q": "pena"}, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"Pe\xc3\xb1a" in partial.content


def test_search_by_caregiver_name_and_phone(world: ClinicWorld, client: Client) -> None:
    assert world.child_a and world.child_b
    # Lucía Ramírez (+1 510 555 0123) and Pablo García care for Ana Ramírez; Ana's sister too.
    sister = factories.child(world.a, given_name="Sol", family_name="Ramírez")
    with clinic_scope(world.a):
        for link in CareRelationship.objects.filter(child=world.child_a):
            CareRelationship.objects.create(
                clinic=world.a, child=sister, caregiver=link.caregiver, relationship=link.relationship
            )
    factories.child(world.a, given_name="Otro", family_name="Niño")
    factories.caregiver(world.b, for_child=world.child_b, given_name="Lucía", phone="+15105550188")
    login(client, world.staff_a["front_desk"])
    url = f"/c/{world.a.slug}/children/"

    def names(query: str) -> list[str]:
        response = client.get(url, {"q": query})
        return [c.full_name for c in response.context["page"].object_list]

    assert names("lucia") == ["Ana Ramírez", "Sol Ramírez"], "by a caregiver's name, accents ignored"
    assert names("PABLO") == ["Ana Ramírez", "Sol Ramírez"]
    # Both caregivers share the phone in the test data; each child is listed once.
    assert names("(510) 555-0123") == ["Ana Ramírez", "Sol Ramírez"]
    assert names("510.555.0123") == names("5550123") == ["Ana Ramírez", "Sol Ramírez"]
    assert names("555-0188") == [], "another clinic's caregiver never matches"
    assert names("otro") == ["Otro Niño"]
    page = client.get(url, {"q": "lucia"}).content.decode()
    assert "Caregivers:" in page and "Lucía Ramírez" in page


def test_the_child_list_takes_the_same_queries_for_any_number_of_children(
    world: ClinicWorld, client: Client
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, world.staff_a["front_desk"])
    url = f"/c/{world.a.slug}/children/"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"q": "garcia"}).status_code == 200
        return len(queries)

    for n in range(3):
        kid = factories.child(world.a, given_name=f"Uno{n}")
        factories.caregiver(world.a, for_child=kid)
    few = count()
    for n in range(30):
        kid = factories.child(world.a, given_name=f"Dos{n}")
        factories.caregiver(world.a, for_child=kid)
    assert count() == few


def test_register_a_sibling_with_the_same_caregivers(world: ClinicWorld, client: Client) -> None:
    assert world.child_a and world.caregiver_a
    login(client, world.staff_a["family_partner"])
    url = f"/c/{world.a.slug}/children/{world.child_a.pk}/sibling/"
    page = client.get(url)
    assert page.context["form"].initial["family_name"] == "Ramírez"
    response = client.post(
        url, {**_form(family_name="Ramírez", mrn="SIB-1"), "copy_caregiver": [str(world.caregiver_a.pk)]}
    )
    assert response.status_code == 302
    with clinic_scope(world.a):
        sibling = Child.objects.get(mrn="SIB-1")
        assert sibling.household_id == world.child_a.household_id
        assert CareRelationship.objects.filter(child=sibling, caregiver=world.caregiver_a).exists()
    detail = client.get(f"/c/{world.a.slug}/children/{world.child_a.pk}/")
    assert [s.pk for s in detail.context["record"].siblings] == [sibling.pk]


def test_add_a_new_caregiver_and_link_an_existing_one(world: ClinicWorld, client: Client) -> None:
    assert world.child_a and world.caregiver_a
    login(client, world.staff_a["front_desk"])
    other = factories.child(world.a, given_name="Leo", family_name="Ramírez")
    url = f"/c/{world.a.slug}/children/{other.pk}/caregivers/add/"
    found = client.get(url, {"q": "lucia ramirez"})
    assert [c.pk for c in found.context["matches"]] == [world.caregiver_a.pk]
    linked = client.post(
        f"/c/{world.a.slug}/children/{other.pk}/caregivers/{world.caregiver_a.pk}/link/",
        {"rel-relationship": "mother", "rel-legal_guardian": "on"},
    )
    assert linked.status_code == 302
    bad = client.post(
        url,
        {
            "cg-given_name": "Raúl",
            "cg-family_name": "Ramírez",
            "cg-preferred_language": "es",
            "cg-phone": "12",
            "cg-consent_sms": "on",
            "rel-relationship": "father",
        },
    )
    assert bad.status_code == 422 and "phone" in bad.context["form"].errors
    good = client.post(
        url,
        {
            "cg-given_name": "Raúl",
            "cg-family_name": "Ramírez",
            "cg-preferred_language": "es",
            "cg-phone": "(559) 555-0110",
            "cg-consent_sms": "on",
            "rel-relationship": "father",
            "rel-lives_with_child": "on",
        },
    )
    assert good.status_code == 302
    with clinic_scope(world.a):
        raul = Caregiver.objects.get(given_name="Raúl")
        assert raul.phone == "+15595550110" and raul.consent_updated_at is not None
        assert set(CareRelationship.objects.filter(child=other).values_list("caregiver_id", flat=True)) == {
            world.caregiver_a.pk,
            raul.pk,
        }
    caregiver_page = client.get(f"/c/{world.a.slug}/caregivers/{world.caregiver_a.pk}/")
    assert {link.child_id for link in caregiver_page.context["links"]} == {world.child_a.pk, other.pk}


def test_change_and_remove_a_relationship(world: ClinicWorld, client: Client) -> None:
    assert world.child_a and world.link_a
    login(client, world.staff_a["dyadic_specialist"])
    url = f"/c/{world.a.slug}/children/{world.child_a.pk}/relationships/{world.link_a.pk}/"
    assert client.post(url, {"rel-relationship": "guardian"}).status_code == 302
    with unscoped("check"):
        assert CareRelationship.objects.get(pk=world.link_a.pk).relationship == "guardian"
    assert client.post(url, {"remove": "1"}).status_code == 302
    with unscoped("check"):
        assert not CareRelationship.objects.filter(pk=world.link_a.pk).exists()
        assert Caregiver.objects.filter(pk=world.link_a.caregiver_id).exists()


def test_a_new_primary_caregiver_replaces_the_old_one(world: ClinicWorld, client: Client) -> None:
    assert world.child_a
    login(client, world.staff_a["front_desk"])
    url = f"/c/{world.a.slug}/children/{world.child_a.pk}/caregivers/add/"
    client.post(
        url,
        {
            "cg-given_name": "Abuela",
            "cg-family_name": "Ramírez",
            "cg-preferred_language": "es",
            "rel-relationship": "grandmother",
            "rel-is_primary": "on",
        },
    )
    with clinic_scope(world.a):
        primaries = CareRelationship.objects.filter(child=world.child_a, is_primary=True)
        assert [p.caregiver.given_name for p in primaries] == ["Abuela"]


def test_billing_sees_the_child_but_not_the_edit_buttons(world: ClinicWorld, client: Client) -> None:
    assert world.child_a
    login(client, world.staff_a["billing"])
    body = client.get(f"/c/{world.a.slug}/children/{world.child_a.pk}/").content.decode()
    assert "Ana Ramírez" in body and "/edit/" not in body and "Register a sibling" not in body


def test_a_sibling_is_registered_whole_or_not_at_all(
    world: ClinicWorld, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while linking the caregivers leaves no half-registered child behind."""
    from dyadcare.families import services

    assert world.child_a and world.caregiver_a

    def broken_link(**kwargs: object) -> None:
        raise RuntimeError("the database went away while linking")

    monkeypatch.setattr(services, "caregiver_link", broken_link)
    login(client, world.staff_a["front_desk"])
    url = f"/c/{world.a.slug}/children/{world.child_a.pk}/sibling/"
    form = _form(mrn="SIB-2", medi_cal_id="", copy_caregiver=[str(world.caregiver_a.pk)])
    client.raise_request_exception = False
    assert client.post(url, form).status_code == 500
    with clinic_scope(world.a):
        assert not Child.objects.filter(mrn="SIB-2").exists()
        assert Child.objects.count() == 1


def test_registration_shows_possible_duplicates_and_needs_a_reason(
    world: ClinicWorld, client: Client
) -> None:
    assert world.child_a
    login(client, world.staff_a["front_desk"])
    url = f"/c/{world.a.slug}/children/new/"
    data = _form(
        given_name="ana", family_name="RAMIREZ", date_of_birth=world.child_a.date_of_birth.isoformat()
    )
    shown = client.post(url, data)
    assert shown.status_code == 422
    body = shown.content.decode()
    assert "Possible duplicates" in body and "Ana Ramírez" in body and world.child_a.mrn in body
    assert "Same name and date of birth" in body
    assert 'name="duplicate_reason"' in body
    with clinic_scope(world.a):
        assert Child.objects.count() == 1
        shown_to = AuditEvent.objects.filter(
            action="view", object_id=str(world.child_a.pk), summary="listed as a possible duplicate"
        )
        assert shown_to.get().actor == world.staff_a["front_desk"], "the record listed is a record read"
    saved = client.post(url, {**data, "duplicate_reason": "Cousin with the same name, another mother"})
    assert saved.status_code == 302
    with clinic_scope(world.a):
        assert Child.objects.count() == 2


def test_a_clinic_administrator_merges_and_undoes_from_the_pages(world: ClinicWorld, client: Client) -> None:
    assert world.child_a and world.visit_a
    other = factories.child(
        world.a, given_name="Ana", family_name="Ramirez", date_of_birth=world.child_a.date_of_birth
    )
    login(client, world.staff_a["clinic_admin"])
    base = f"/c/{world.a.slug}/children/{other.pk}"
    page = client.get(f"{base}/merge/")
    assert world.child_a.mrn in page.content.decode()  # listed as a possible duplicate
    assert client.get(f"{base}/merge/?other=not-a-uuid").status_code == 200
    compare = client.get(f"{base}/merge/?other={world.child_a.pk}")
    assert "Which record to keep" in compare.content.decode()
    refused = client.post(f"{base}/merge/", {"other": str(world.child_a.pk), "keep": "other", "reason": ""})
    assert refused.status_code == 422
    done = client.post(
        f"{base}/merge/", {"other": str(world.child_a.pk), "keep": "other", "reason": "Same child"}
    )
    assert done.status_code == 302 and done["Location"].endswith(f"/children/{world.child_a.pk}/")
    with clinic_scope(world.a):
        other.refresh_from_db()
        assert other.merged_into_id == world.child_a.pk
    retired_page = client.get(f"{base}/").content.decode()
    assert "was merged into another record" in retired_page
    kept_page = client.get(f"/c/{world.a.slug}/children/{world.child_a.pk}/").content.decode()
    assert "Undo the merge" in kept_page
    with clinic_scope(world.a):
        from dyadcare.families.models import ChildMerge

        merge = ChildMerge.objects.get()
    undone = client.post(
        f"/c/{world.a.slug}/children/{world.child_a.pk}/merge/undo/", {"merge": str(merge.pk)}
    )
    assert undone.status_code == 302
    with clinic_scope(world.a):
        other.refresh_from_db()
        assert other.merged_into_id is None
    login(client, world.staff_a["dyadic_specialist"])
    assert "Find and merge" not in client.get(f"{base}/").content.decode()
