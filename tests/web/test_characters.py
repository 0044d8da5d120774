"""A NUL character in a query parameter or a form field is answered 400 with a page in both
languages before any view runs (PostgreSQL cannot store or even compare it)."""

from __future__ import annotations

import pytest
from django.test import Client

from dyadcare.families.models import Child
from dyadcare.tenancy.scope import unscoped


@pytest.mark.django_db
def test_a_nul_in_the_address_gets_a_clear_400(world, client: Client) -> None:
    client.force_login(world.staff_a["dyadic_specialist"])
    response = client.get(f"/c/{world.a.slug}/children/", {"q": "Ana\x00"})
    assert response.status_code == 400
    assert "cannot be read" in response.content.decode()
    assert "no se puede leer" in response.content.decode()
    assert client.get(f"/c/{world.a.slug}/children/", {"q": "Ana"}).status_code == 200


@pytest.mark.django_db
def test_a_nul_in_a_form_saves_nothing(world, client: Client) -> None:
    client.force_login(world.staff_a["dyadic_specialist"])
    with unscoped("test: count every clinic's children"):
        before = Child.objects.count()
    response = client.post(
        f"/c/{world.a.slug}/children/new/",
        {"first_name": "Ana\x00", "last_name": "Ruiz", "date_of_birth": "2026-01-02"},
    )
    assert response.status_code == 400
    with unscoped("test: count every clinic's children"):
        assert Child.objects.count() == before


def test_a_nul_on_a_family_link_gets_the_same_page(client: Client) -> None:
    response = client.get("/f/not-a-token/", {"x": "\x00"})
    assert response.status_code == 400
