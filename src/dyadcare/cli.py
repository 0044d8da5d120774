"""The ``dyadcare`` console script: Django's management commands under one name.

``dyadcare demo``, ``dyadcare stats``, ``dyadcare serve`` and the rest are management
commands of the dyadcare apps; ``dyadcare migrate`` and the other Django commands work too.

As a newcomer meets it:

- ``dyadcare instruments`` and ``dyadcare score`` need no settings or database: they run the
  pure scoring engine before Django starts (see ``dyadcare.instruments.commandline``);
- ``dyadcare schedule`` touches no database and signs nothing, so it runs without a secret key;
- ``dyadcare`` or ``dyadcare --help`` lists the project's own commands even before the
  environment is configured;
- a configuration error (no secret key, a malformed setting, a database that cannot be reached
  or is not migrated) is one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import NoReturn

ENGINE_COMMANDS = ("instruments", "score")
# Commands that read settings but touch no database and sign nothing.
WITHOUT_DATABASE = ("schedule", "compiletranslations", "makemessages", "version", "help")
# Subcommands of the same kind (``dyadcare billing evaluate FILE`` runs the pure billing engine).
WITHOUT_DATABASE_SUBCOMMANDS = (("billing", "evaluate"),)
# Commands that set the database up (a restore fills an empty one) or inspect it: they run on a
# database not yet migrated.
BEFORE_MIGRATION = (
    "migrate",
    "restore",
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "check",
    "dbshell",
    "shell",
)
HELP = ("-h", "--help", "help")


def _fail(message: str) -> NoReturn:
    sys.stderr.write("dyadcare: " + " ".join(str(message).split()) + "\n")
    sys.exit(2)


def project_commands() -> dict[str, list[str]]:
    """The project's own commands by app, found on disk (no settings needed)."""
    from django.core.management import find_commands

    package = Path(__file__).resolve().parent
    found: dict[str, list[str]] = {}
    for commands in sorted(package.glob("*/management")):
        names = sorted(find_commands(str(commands)))
        if names:
            found[commands.parent.name] = names
    found.setdefault("instruments", [])
    found["instruments"] = sorted({*found["instruments"], *ENGINE_COMMANDS})
    return found


def print_help() -> None:
    lines = ["Usage: dyadcare COMMAND [options]", "", "dyadcare's own commands:"]
    for app, names in project_commands().items():
        lines.append(f"  [{app}] " + ", ".join(names))
    lines += [
        "",
        "Django's commands work too (dyadcare migrate, dyadcare check …).",
        "`dyadcare help COMMAND` describes one once the environment is configured",
        "(see DEVELOPERS.md, Configuration; DYADCARE_DEMO=1 for a demo with synthetic data).",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


def _without_database(args: list[str]) -> bool:
    return args[0] in WITHOUT_DATABASE or tuple(args[:2]) in WITHOUT_DATABASE_SUBCOMMANDS


def _setup_django(args: list[str]) -> None:
    if _without_database(args) and not (
        os.environ.get("DYADCARE_SECRET_KEY") or os.environ.get("DYADCARE_SECRET_KEY_FILE")
    ):
        # Nothing this process does is signed or stored: a key of its own is enough.
        os.environ["DYADCARE_SECRET_KEY"] = secrets.token_urlsafe(48)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dyadcare.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        _fail(f"configuration: {exc}")


def _database_ready() -> None:
    """Refuse, in one line, a database that cannot be reached or is not migrated."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor
    from django.db.utils import DatabaseError

    connection = connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        _fail(f"the database cannot be reached: {exc}")
    if pending:
        _fail(f"the database is not set up ({len(pending)} migrations to apply): run `dyadcare migrate`")


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ENGINE_COMMANDS:
        from dyadcare.instruments import commandline

        sys.exit(commandline.main(args))
    if not args or (args[0] in HELP and len(args) == 1):
        print_help()
        return
    command = args[0]
    _setup_django(args)
    if not _without_database(args) and command not in BEFORE_MIGRATION and not command.startswith("-"):
        _database_ready()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dyadcare", *args])


if __name__ == "__main__":
    main()
