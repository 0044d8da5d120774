"""Every user-facing string is marked for translation and the Spanish catalogue is complete."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import Client

import dyadcare
from tests.factories import ClinicWorld, login

PACKAGE = Path(dyadcare.__file__).resolve().parent
CATALOGUE = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_the_spanish_catalogue_is_complete() -> None:
    po = polib.pofile(str(CATALOGUE))
    assert po.percent_translated() == 100
    assert not po.fuzzy_entries()
    assert len(po) > 200


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is needed to extract strings")
def test_the_catalogue_matches_the_code(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    """Extract the strings from the code again: none may be new or untranslated."""
    copy = tmp_path / "dyadcare"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    settings.LOCALE_PATHS = [copy / "locale"]
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["es"], no_obsolete=True, no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    fresh = polib.pofile(str(copy / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    shipped = {e.msgid for e in polib.pofile(str(CATALOGUE))}
    new = sorted(e.msgid for e in fresh if e.msgid not in shipped)
    assert not new, f"strings missing from the Spanish catalogue: {new[:10]}"
    stale = sorted(shipped - {e.msgid for e in fresh})
    assert not stale, f"strings no longer in the code: {stale[:10]}"


def test_pages_render_in_spanish(world: ClinicWorld, client: Client) -> None:
    login(client, world.staff_a["front_desk"])
    client.post("/language/", {"language": "es", "next": "/"})
    assert world.child_a
    body = client.get(f"/c/{world.a.slug}/children/{world.child_a.pk}/").content.decode()
    assert 'lang="es"' in body
    assert "Sobre el niño" in body and "Cuidadores" in body and "Madre" in body
    listing = client.get(f"/c/{world.a.slug}/children/").content.decode()
    assert "Buscar por el nombre del niño o de un cuidador" in listing and "Español" in listing


def test_form_errors_in_spanish(world: ClinicWorld, client: Client) -> None:
    login(client, world.staff_a["front_desk"])
    response = client.post(
        f"/c/{world.a.slug}/children/new/",
        {
            "given_name": "A",
            "family_name": "B",
            "date_of_birth": "2999-01-01",
            "sex": "F",
            "mrn": "Z",
            "preferred_language": "es",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert "La fecha de nacimiento no puede ser futura." in response.content.decode()
