from __future__ import annotations

from collections.abc import Callable, Iterator

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


PgDatabases = Callable[..., list[str]]


@pytest.fixture
def pg_databases() -> Iterator[PgDatabases]:
    """New, empty PostgreSQL databases on the server of the suite's PostgreSQL pass, for
    commands run as separate processes; dropped afterwards. On the SQLite pass, or without
    the server or pg_dump (``tools=True``), the test is skipped with the reason."""
    import os
    import shutil
    import uuid

    created: list[str] = []
    url = os.environ.get("DATABASE_URL", "")
    server = url.rsplit("/", 1)[0]

    def make(count: int, *, tools: bool = False) -> list[str]:
        import psycopg

        if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
            pytest.skip("the suite runs on SQLite: this runs in its PostgreSQL pass")
        if tools and (shutil.which("pg_dump") is None or shutil.which("pg_restore") is None):
            pytest.skip("pg_dump or pg_restore is not installed on this machine")
        try:
            with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as admin:
                for _ in range(count):
                    created.append(f"dyadcare_scratch_{uuid.uuid4().hex[:12]}")
                    admin.execute(f'CREATE DATABASE "{created[-1]}"')
        except psycopg.OperationalError as exc:
            pytest.skip(f"PostgreSQL cannot be reached: {str(exc).splitlines()[0]}")
        return [f"{server}/{name}" for name in created[-count:]]

    yield make
    if created:
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as admin:
            for name in created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
