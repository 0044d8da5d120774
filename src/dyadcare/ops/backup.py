"""``dyadcare backup PATH`` and ``dyadcare restore PATH``: a consistent copy of the database
taken while the server runs, and putting it back into an empty database.

A backup is a folder: the data (``database.sqlite3``, made with SQLite's online backup API, or
``database.pgdump``, pg_dump's custom format) and ``manifest.json``: the dyadcare version, the
database vendor, the migrations applied, the number of rows of every table and the end of every
audit chain, all read from the very snapshot that was copied (on PostgreSQL pg_dump shares the
manifest's snapshot), and the data file's SHA-256.

Restore refuses a backup of another dyadcare version or vendor, a damaged data file, and a
database that already holds records; afterwards it checks every table's rows and every audit
chain's end against the manifest and walks the audit chains (``dyadcare audit verify``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction

import dyadcare

FORMAT = 1
MANIFEST = "manifest.json"
DATA = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Tables whose rows mean the database already holds someone's records.
RECORDS = ("tenancy_network", "tenancy_user", "tenancy_auditevent")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is one line for the operator."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _describe(cursor: Any, tables: list[str]) -> dict[str, Any]:
    """Migrations, row counts and audit chain ends, read through ``cursor`` (one snapshot)."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (names from the catalogue)
        counts[table] = int(cursor.fetchone()[0])
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    heads = {}
    if "tenancy_auditchainhead" in tables:
        cursor.execute("SELECT chain, seq, hash FROM tenancy_auditchainhead ORDER BY chain")
        heads = {chain: {"seq": int(seq), "hash": h} for chain, seq, h in cursor.fetchall()}
    return {"migrations": migrations, "counts": counts, "audit_heads": heads}


def _sqlite_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [row[0] for row in cursor.fetchall()]


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [row[0] for row in cursor.fetchall()]


def describe_database() -> dict[str, Any]:
    """The running database described as a manifest describes a backup (after a restore)."""
    with connection.cursor() as cursor:
        tables = _sqlite_tables(cursor) if connection.vendor == "sqlite" else _pg_tables(cursor)
        return _describe(cursor, tables)


# --- taking a backup ------------------------------------------------------------------------


def backup(folder: Path) -> dict[str, Any]:
    """Write a backup of the running database into ``folder`` (new or empty); returns the manifest."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} already exists and is not an empty folder")
    vendor = connection.vendor
    if vendor not in DATA:
        raise BackupError(f"cannot back up a {vendor} database")
    if vendor == "postgresql":
        _pg_tools("pg_dump")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)  # families' records: readable by the operator's account only
    data = folder / DATA[vendor]
    data.touch(mode=0o600)
    try:
        described = _sqlite_backup(data) if vendor == "sqlite" else _pg_backup(data)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # no half-written backup is left behind
        raise
    manifest = {
        "format": FORMAT,
        "version": dyadcare.__version__,
        "vendor": vendor,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": data.name,
        "sha256": _sha256(data),
        **described,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def _sqlite_backup(data: Path) -> dict[str, Any]:
    """SQLite's online backup API: a consistent copy while others write (WAL readers never
    block writers); the manifest is then read from the copy itself."""
    source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=30)
    target = sqlite3.connect(str(data))
    try:
        source.backup(target)
    finally:
        source.close()
    try:
        cursor = target.cursor()
        return _describe(cursor, _sqlite_tables(cursor))
    finally:
        target.close()


def _pg_tools(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise BackupError(
            f"{tool} is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client) of the server's major version"
        )
    return found


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    settings = connection.settings_dict
    args = ["--dbname", str(settings["NAME"])]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [flag, str(settings[key])]
    environ = {**os.environ}
    if settings.get("PASSWORD"):
        environ["PGPASSWORD"] = str(settings["PASSWORD"])
    options = settings.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):  # ?sslmode=… in DATABASE_URL
        if options.get(option):
            environ[f"PG{option.upper()}"] = str(options[option])
    return args, environ


def _run(command: list[str], environ: dict[str, str]) -> None:
    # pg_dump/pg_restore found on PATH, arguments from the settings: no shell, nothing from a user.
    result = subprocess.run(command, env=environ, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(f"{Path(command[0]).name} failed: {lines[-1] if lines else result.returncode}")


def _pg_backup(data: Path) -> dict[str, Any]:
    """pg_dump in the manifest's own snapshot: the counts and chain ends describe exactly the
    rows dumped, however many writers are at work."""
    args, environ = _pg_environment()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        described = _describe(cursor, _pg_tables(cursor))
        command = [_pg_tools("pg_dump"), *args, "--format=custom", "--no-owner", "--no-privileges"]
        _run([*command, f"--snapshot={snapshot}", "--file", str(data)], environ)
    return described


# --- restoring ------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} holds no readable {MANIFEST}: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    if manifest.get("version") != dyadcare.__version__:
        raise BackupError(
            f"this backup was made by dyadcare {manifest.get('version')}; this is dyadcare "
            f"{dyadcare.__version__}: restore it with the version that made it"
        )
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(f"this backup is of a {manifest.get('vendor')} database, not {connection.vendor}")
    data = folder / str(manifest.get("data", ""))
    if not data.is_file() or _sha256(data) != manifest.get("sha256"):
        raise BackupError(f"{data.name} is missing or does not match the manifest's SHA-256")
    return manifest


def _holds_records() -> list[str]:
    with connection.cursor() as cursor:
        tables = _sqlite_tables(cursor) if connection.vendor == "sqlite" else _pg_tables(cursor)
        full = []
        for table in RECORDS:
            if table in tables:
                cursor.execute(f'SELECT 1 FROM "{table}" LIMIT 1')  # noqa: S608 (names above)
                if cursor.fetchone():
                    full.append(table)
    return full


def restore(folder: Path) -> dict[str, Any]:
    """Put the backup in ``folder`` into the (empty) database; returns what was checked."""
    manifest = read_manifest(folder)
    full = _holds_records()
    if full:
        raise BackupError(
            f"the database is not empty ({', '.join(full)} hold rows): restore into an empty one"
        )
    data = folder / manifest["data"]
    connections.close_all()
    if connection.vendor == "sqlite":
        _sqlite_restore(data)
    else:
        args, environ = _pg_environment()
        command = [_pg_tools("pg_restore"), *args, "--clean", "--if-exists", "--no-owner", "--no-privileges"]
        _run([*command, "--single-transaction", "--exit-on-error", str(data)], environ)
    return _check_restored(manifest)


def _sqlite_restore(data: Path) -> None:
    name = Path(str(connection.settings_dict["NAME"]))
    name.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(data))
    target = sqlite3.connect(str(name), timeout=30)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _check_restored(manifest: dict[str, Any]) -> dict[str, Any]:
    from dyadcare.tenancy.auditverify import verify

    found = describe_database()
    problems = [
        f"{key} differ from the manifest"
        for key in ("migrations", "counts", "audit_heads")
        if found[key] != manifest[key]
    ]
    report = verify().as_json()
    return {"ok": not problems and report["ok"], "problems": problems, "audit": report}
