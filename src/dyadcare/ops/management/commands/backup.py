"""``dyadcare backup PATH``: a consistent copy of the database into the new folder PATH, while
the server runs (see ``dyadcare/ops/backup.py``). Prints one JSON object; a failure is one line
on stderr and exit status 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from dyadcare.ops.backup import BackupError, backup
from dyadcare.tenancy.cli import ContractCommand


class Command(ContractCommand):
    help = "Back up the database (with a manifest) into PATH, a new or empty folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a new or empty folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(options["path"])
        except BackupError as exc:
            self.fail(f"dyadcare backup: {exc}")
        summary = {
            "backup": str(options["path"]),
            "version": manifest["version"],
            "vendor": manifest["vendor"],
            "rows": sum(manifest["counts"].values()),
            "audit_chains": len(manifest["audit_heads"]),
        }
        self.stdout.write(json.dumps(summary))
