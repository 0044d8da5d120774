"""The community resource directory pages: search with distance, hours, phones, languages,
the clinic's note and star; a service's page; writing the note; the star; another network's
service answers 404."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from dyadcare.referrals.internal.importer import import_into
from dyadcare.referrals.models import Service
from tests.factories import ClinicWorld, login
from tests.referrals.directory_data import hid, service, write_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def pantry(world: ClinicWorld, tmp_path: Path) -> Service:
    record = service(
        "pantry", name="Valley Pantry", codes=("1130",), languages=("es",), lat=37.36, lon=-121.96
    )
    import_into(world.network, write_json(tmp_path / "d.json", [record]))
    return Service.objects.get(network=world.network, hsds_id=hid("svc", "pantry"))


def _client(world: ClinicWorld, role: str = "family_partner") -> Client:
    client = Client()
    login(client, world.staff_a[role])
    return client


def test_search_shows_the_services_with_their_facts(world: ClinicWorld, pantry: Service) -> None:
    client = _client(world)
    url = reverse("web:directory_search", args=[world.a.slug])
    assert client.get(url).status_code == 200
    page = client.get(url, {"need": "food", "zip_code": "95050", "language": "es", "age_months": "14"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Valley Pantry" in html and "miles" in html and "(555) 010-0000" in html
    assert "09:00–17:00" in html
    assert client.get(url, {"need": "housing"}).content.decode().count("data-service=") == 0


def test_bad_filters_show_the_form_again(world: ClinicWorld, pantry: Service) -> None:
    page = _client(world).get(reverse("web:directory_search", args=[world.a.slug]), {"zip_code": "9505x"})
    assert page.status_code == 200
    assert "error-summary" in page.content.decode()


def test_note_and_star_show_on_the_pages(world: ClinicWorld, pantry: Service) -> None:
    client = _client(world)
    slug = world.a.slug
    note_url = reverse("web:directory_note", args=[slug, pantry.pk])
    assert client.get(note_url).status_code == 200
    response = client.post(note_url, {"text": "Ask for Rosa"})
    assert response.status_code == 302
    star = client.post(reverse("web:directory_favourite", args=[slug, pantry.pk]))
    assert star.status_code == 302
    detail = client.get(reverse("web:directory_service", args=[slug, pantry.pk])).content.decode()
    assert "Ask for Rosa" in detail and "★" in detail
    results = client.get(reverse("web:directory_search", args=[slug]), {"text": "Pantry"}).content.decode()
    assert "Ask for Rosa" in results and 'aria-pressed="true"' in results
    too_long = client.post(note_url, {"text": "x" * 2001})
    assert too_long.status_code == 200 and "error-summary" in too_long.content.decode()


def test_another_networks_service_answers_404(world: ClinicWorld, tmp_path: Path) -> None:
    import_into(world.other_network, write_json(tmp_path / "o.json", [service("theirs")]))
    theirs = Service.objects.get(network=world.other_network)
    client = _client(world)
    slug = world.a.slug
    assert client.get(reverse("web:directory_service", args=[slug, theirs.pk])).status_code == 404
    assert (
        client.post(reverse("web:directory_note", args=[slug, theirs.pk]), {"text": "x"}).status_code == 404
    )
    assert client.post(reverse("web:directory_favourite", args=[slug, theirs.pk])).status_code == 404
    assert (
        "theirs"
        not in client.get(reverse("web:directory_search", args=[slug]), {"text": "Service"}).content.decode()
    )


def test_billing_cannot_open_the_directory(world: ClinicWorld, pantry: Service) -> None:
    client = _client(world, "billing")
    assert client.get(reverse("web:directory_search", args=[world.a.slug])).status_code == 403
