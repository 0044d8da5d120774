from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests import factories


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the translation catalogues, as ``make`` does before serving."""
    from django.core.management import call_command

    call_command("compiletranslations", verbosity=0)


# What makes a test touch the run's database: pytest-django's fixtures (asked for directly or
# through another fixture, such as ``world``), the scratch PostgreSQL databases, the marker.
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "live_server", "pg_databases", "django_db_setup"})


def _on_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://"))


def _needs_the_runs_database(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("vendor") == "sqlite":
        return False  # written for SQLite whatever the run's database
    if item.get_closest_marker("django_db") or item.get_closest_marker("database"):
        return True
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


# The longest tests (a minute or more each on this 2-core machine: the fuzz sweeps, backups,
# migrations replayed), started first so the two workers end together instead of one
# finishing a long test alone.
LONGEST_FIRST = (
    "tests/web/test_fuzz.py",
    "tests/ops/test_backup.py",
    "tests/ops/test_postgres_server.py",
    "tests/tenancy/test_audit_chain.py::test_the_migration_chains",
    "tests/touchpoints/test_evidence_migration.py",
    "tests/browser/test_session_warning.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest tests first (``LONGEST_FIRST``). The PostgreSQL pass
    (DATABASE_URL=postgres://…) runs the tests that touch the run's database; a test that
    never does (the scoring engine, a command on its own SQLite file) proves nothing new there
    and ran in the SQLite pass."""
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))
    if not _on_postgresql():
        return
    elsewhere = [item for item in items if not _needs_the_runs_database(item)]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if _needs_the_runs_database(item)]


DYADCARE = str(Path(sys.executable).with_name("dyadcare"))


@pytest.fixture(scope="session")
def _migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database migrated by the console script, once per test process."""
    home = tmp_path_factory.mktemp("migrated")
    path = home / "migrated.sqlite3"
    environ = {
        **os.environ,
        "DYADCARE_DEMO": "1",
        "DATABASE_URL": f"sqlite:///{path}",
        "DYADCARE_HOME": str(home),
    }
    environ.pop("DYADCARE_SECRET_KEY", None)
    subprocess.run([DYADCARE, "migrate", "-v", "0"], env=environ, check=True)
    assert not Path(f"{path}-wal").exists(), "the migrated file is whole once the command has ended"
    return path


@pytest.fixture
def migrated_sqlite(_migrated_sqlite_file: Path) -> Callable[[Path], str]:
    """``migrated_sqlite(path)`` puts a freshly migrated SQLite database at ``path`` and returns
    its DATABASE_URL (a copy of one migrated once: migrating takes seconds, copying does not)."""

    def copy_to(path: Path) -> str:
        shutil.copyfile(_migrated_sqlite_file, path)
        return f"sqlite:///{path}"

    return copy_to


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


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A test that switches the active language (a request, ``translation.activate``) leaves
    the next test in the default one."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db: None) -> factories.ClinicWorld:
    return factories.clinic_world()


PgDatabases = Callable[..., list[str]]


def _scratch_name() -> str:
    import uuid

    return f"dyadcare_scratch_{uuid.uuid4().hex[:12]}"


class _MigratedTemplate:
    """A PostgreSQL database migrated once per test process by the console script, the
    template of the scratch databases a test asks to have migrated (a copy takes a moment,
    migrating takes many seconds)."""

    def __init__(self, server: str, home: Path) -> None:
        self.server, self.home, self.name = server, home, ""

    def get(self) -> str:
        if not self.name:
            import psycopg

            name = _scratch_name()
            with psycopg.connect(f"{self.server}/postgres", autocommit=True, connect_timeout=5) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            self.name = name
            environ = {
                **os.environ,
                "DYADCARE_DEMO": "1",
                "DATABASE_URL": f"{self.server}/{name}",
                "DYADCARE_HOME": str(self.home),
            }
            environ.pop("DYADCARE_SECRET_KEY", None)
            subprocess.run([DYADCARE, "migrate", "-v", "0"], env=environ, check=True)
        return self.name


@pytest.fixture(scope="session")
def _pg_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_MigratedTemplate]:
    server = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[0]
    template = _MigratedTemplate(server, tmp_path_factory.mktemp("pg-template"))
    yield template
    if template.name:
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{template.name}" WITH (FORCE)')


@pytest.fixture
def pg_databases(_pg_template: _MigratedTemplate) -> Iterator[PgDatabases]:
    """New PostgreSQL databases on the server of the suite's PostgreSQL pass, for commands run
    as separate processes, dropped afterwards: ``pg_databases(2, migrated=1)`` gives a migrated
    one, then an empty one. On the SQLite pass, or without the server or pg_dump
    (``tools=True``), the test is skipped with the reason."""
    created: list[str] = []
    url = os.environ.get("DATABASE_URL", "")
    server = url.rsplit("/", 1)[0]

    def make(count: int, *, tools: bool = False, migrated: int = 0) -> list[str]:
        import psycopg

        if not _on_postgresql():
            pytest.skip("the suite runs on SQLite: this runs in its PostgreSQL pass")
        if tools and (shutil.which("pg_dump") is None or shutil.which("pg_restore") is None):
            pytest.skip("pg_dump or pg_restore is not installed on this machine")
        try:
            template = _pg_template.get() if migrated else ""
            with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as admin:
                for number in range(count):
                    created.append(_scratch_name())
                    copy = f' TEMPLATE "{template}"' if number < migrated else ""
                    admin.execute(f'CREATE DATABASE "{created[-1]}"{copy}')
        except psycopg.OperationalError as exc:
            pytest.skip(f"PostgreSQL cannot be reached: {str(exc).splitlines()[0]}")
        return [f"{server}/{name}" for name in created[-count:]]

    yield make
    if created:
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as admin:
            for name in created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
