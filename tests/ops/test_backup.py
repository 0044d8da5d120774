"""``dyadcare backup PATH`` and ``dyadcare restore PATH``, run as an operator runs them: a
backup restored into an empty database gives the same ``dyadcare stats`` and a whole audit
log, on SQLite and (in the PostgreSQL pass of the suite) PostgreSQL; a backup taken while 20
writers commit holds every row committed before it began; restore refuses another version, a
damaged file and a database that is not empty."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DYADCARE = str(Path(sys.executable).with_name("dyadcare"))
Run = Callable[..., subprocess.CompletedProcess[str]]


def _environment(database_url: str, home: Path) -> dict[str, str]:
    environ = {**os.environ, "DYADCARE_DEMO": "1", "DATABASE_URL": database_url, "DYADCARE_HOME": str(home)}
    environ.pop("DYADCARE_SECRET_KEY", None)
    return environ


def _runner(home: Path) -> Run:
    def run(database_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        environ = _environment(database_url, home)
        return subprocess.run([DYADCARE, *args], env=environ, check=check, capture_output=True, text=True)

    return run


def _pg_server() -> str:
    """The PostgreSQL server of the suite's PostgreSQL pass, or a reason to skip."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        pytest.skip("the suite runs on SQLite: the PostgreSQL round trip runs in its PostgreSQL pass")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump or pg_restore is not installed on this machine")
    return url.rsplit("/", 1)[0]


@pytest.fixture
def pg_databases() -> Iterator[tuple[str, str]]:
    """Two new PostgreSQL databases on the suite's server, dropped afterwards."""
    import psycopg

    server = _pg_server()
    names = [f"dyadcare_backup_{uuid.uuid4().hex[:10]}_{side}" for side in ("from", "into")]
    try:
        admin = psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL cannot be reached: {str(exc).splitlines()[0]}")
    with admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield (f"{server}/{names[0]}", f"{server}/{names[1]}")
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _round_trip(run: Run, source: str, target: str, folder: Path) -> None:
    run(source, "migrate", "-v", "0")
    run(source, "demo", "--children", "6", "--seed", "3", "--quiet")
    before = run(source, "stats").stdout
    assert json.loads(run(source, "audit", "verify").stdout)["ok"] is True
    made = json.loads(run(source, "backup", str(folder)).stdout)
    assert made["rows"] > 0 and made["audit_chains"] > 0
    restored = run(target, "restore", str(folder))
    assert json.loads(restored.stdout)["ok"] is True, restored.stdout
    assert run(target, "stats").stdout == before
    verified = json.loads(run(target, "audit", "verify").stdout)
    assert verified["ok"] is True and verified["entries"] == json.loads(before)["audit_events"]


def test_sqlite_backup_restores_into_an_empty_database_with_the_same_stats(tmp_path: Path) -> None:
    run = _runner(tmp_path)
    _round_trip(
        run, f"sqlite:///{tmp_path}/live.sqlite3", f"sqlite:///{tmp_path}/new.sqlite3", tmp_path / "bk"
    )


def test_postgresql_backup_restores_into_an_empty_database_with_the_same_stats(
    tmp_path: Path, pg_databases: tuple[str, str]
) -> None:
    _round_trip(_runner(tmp_path), *pg_databases, tmp_path / "bk")


def _one_line_refusal(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, result
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert words in result.stderr


def test_restore_refuses_another_version_a_damaged_file_and_a_full_database(tmp_path: Path) -> None:
    run = _runner(tmp_path)
    live = f"sqlite:///{tmp_path}/live.sqlite3"
    run(live, "migrate", "-v", "0")
    network = "from dyadcare.tenancy.models import Network; Network.objects.create(name='N', slug='n')"
    run(live, "shell", "-c", network)
    run(live, "backup", str(tmp_path / "bk"))
    _one_line_refusal(run(live, "restore", str(tmp_path / "bk"), check=False), "not empty")
    _one_line_refusal(run(live, "backup", str(tmp_path / "bk"), check=False), "not an empty folder")

    manifest_path = tmp_path / "bk" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, "version": "0.0.1"}))
    empty = f"sqlite:///{tmp_path}/empty.sqlite3"
    _one_line_refusal(run(empty, "restore", str(tmp_path / "bk"), check=False), "dyadcare 0.0.1")

    manifest_path.write_text(json.dumps(manifest))
    with (tmp_path / "bk" / manifest["data"]).open("ab") as data:
        data.write(b"x")
    _one_line_refusal(run(empty, "restore", str(tmp_path / "bk"), check=False), "SHA-256")
    assert not (tmp_path / "empty.sqlite3").exists() or not _children(tmp_path / "empty.sqlite3")


def _children(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "families_child" not in tables:
            return set()
        return {row[0] for row in db.execute("SELECT id FROM families_child")}


def test_a_backup_taken_during_20_concurrent_writers_restores_every_committed_row(tmp_path: Path) -> None:
    run = _runner(tmp_path)
    live = f"sqlite:///{tmp_path}/live.sqlite3"
    run(live, "migrate", "-v", "0")
    writers = subprocess.run(
        [sys.executable, "-m", "tests.ops.concurrent_writes", str(tmp_path / "bk")],
        env=_environment(live, tmp_path),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    report = json.loads(writers.stdout)
    assert report["errors"] == []
    before = {c["id"] for c in report["committed"] if c["at"] < report["began"]}
    after = {c["id"] for c in report["committed"] if c["at"] > report["ended"]}
    assert before and after, "the backup was taken while the writers were committing"
    assert len(report["committed"]) == 20 * 6 == len(_children(tmp_path / "live.sqlite3"))

    target = f"sqlite:///{tmp_path}/new.sqlite3"
    restored = json.loads(run(target, "restore", str(tmp_path / "bk")).stdout)
    assert restored["ok"] is True and restored["audit"]["ok"] is True
    present = _children(tmp_path / "new.sqlite3")
    assert before <= present, "every row committed before the backup began is restored"
    assert present <= {c["id"] for c in report["committed"]}
    assert len(present) == report["children_in_manifest"]
