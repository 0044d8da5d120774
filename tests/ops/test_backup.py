"""``dyadcare backup PATH`` and ``dyadcare restore PATH``, run as an operator runs them: a
backup restored into an empty database gives the same ``dyadcare stats`` and a whole audit
log, on SQLite and (in the PostgreSQL pass of the suite) PostgreSQL; a backup taken while 20
writers commit holds every row committed before it began; restore refuses another version, a
damaged file and a database that is not empty."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PgDatabases

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


def _round_trip(run: Run, source: str, target: str, folder: Path) -> None:
    """``source`` is a migrated, empty database; ``target`` an empty one."""
    run(source, "demo", "--children", "6", "--seed", "3", "--quiet")
    before = run(source, "stats").stdout
    assert json.loads(run(source, "audit", "verify").stdout)["ok"] is True
    made = json.loads(run(source, "backup", str(folder)).stdout)
    assert made["rows"] > 0 and made["audit_chains"] > 0
    data = next(p for p in folder.iterdir() if p.name != "manifest.json")
    assert (folder.stat().st_mode & 0o777, data.stat().st_mode & 0o777) == (0o700, 0o600), (
        "the operator's only"
    )
    restored = run(target, "restore", str(folder))
    assert json.loads(restored.stdout)["ok"] is True, restored.stdout
    assert run(target, "stats").stdout == before
    verified = json.loads(run(target, "audit", "verify").stdout)
    assert verified["ok"] is True and verified["entries"] == json.loads(before)["audit_events"]


def test_sqlite_backup_restores_into_an_empty_database_with_the_same_stats(
    tmp_path: Path, migrated_sqlite: Callable[[Path], str]
) -> None:
    live = migrated_sqlite(tmp_path / "live.sqlite3")
    _round_trip(_runner(tmp_path), live, f"sqlite:///{tmp_path}/new.sqlite3", tmp_path / "bk")


def test_postgresql_backup_restores_into_an_empty_database_with_the_same_stats(
    tmp_path: Path, pg_databases: PgDatabases
) -> None:
    _round_trip(_runner(tmp_path), *pg_databases(2, tools=True, migrated=1), tmp_path / "bk")


def _one_line_refusal(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, result
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert words in result.stderr


def test_restore_refuses_another_version_a_damaged_file_and_a_full_database(
    tmp_path: Path, migrated_sqlite: Callable[[Path], str]
) -> None:
    run = _runner(tmp_path)
    live = migrated_sqlite(tmp_path / "live.sqlite3")
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
    assert not _children(empty), "nothing was restored"


def _children(database_url: str) -> set[str]:
    """The ids of the children in a database, read directly (hex, as the writers report them)."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "families_child" not in tables:
                return set()
            return {str(row[0]) for row in db.execute("SELECT id FROM families_child")}
    import psycopg

    with psycopg.connect(database_url) as db:
        return {row[0].hex for row in db.execute("SELECT id FROM families_child")}


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_backup_taken_during_20_concurrent_writers_restores_every_committed_row(
    tmp_path: Path, vendor: str, pg_databases: PgDatabases, request: pytest.FixtureRequest
) -> None:
    run = _runner(tmp_path)
    if vendor == "sqlite":
        migrated_sqlite = request.getfixturevalue("migrated_sqlite")
        live, target = migrated_sqlite(tmp_path / "live.sqlite3"), f"sqlite:///{tmp_path}/new.sqlite3"
    else:
        live, target = pg_databases(2, tools=True, migrated=1)
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
    assert len(report["committed"]) == 20 * 6 == len(_children(live))
    assert json.loads(run(live, "audit", "verify").stdout)["ok"] is True, "20 writers forked no chain"

    restored = json.loads(run(target, "restore", str(tmp_path / "bk")).stdout)
    assert restored["ok"] is True and restored["audit"]["ok"] is True
    present = _children(target)
    assert before <= present, "every row committed before the backup began is restored"
    assert present <= {c["id"] for c in report["committed"]}
    assert len(present) == report["children_in_manifest"]
