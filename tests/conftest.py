from __future__ import annotations

import pytest
from django.conf import settings

from tests import factories


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the translation catalogues, as ``make`` does before serving."""
    from django.core.management import call_command

    call_command("compiletranslations", verbosity=0)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: settings) -> None:  # type: ignore[valid-type]
    """Tests render {% static %} without a collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: settings) -> None:  # type: ignore[valid-type]
    """Argon2 is slow on purpose; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: None) -> factories.ClinicWorld:
    return factories.clinic_world()
