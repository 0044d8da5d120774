"""``dyadcare restore PATH``: put a backup made by ``dyadcare backup`` into an empty database,
then check every table's rows and the audit chains against its manifest. Prints one JSON object
``{"ok", "problems", "audit"}`` (``audit`` as ``dyadcare audit verify`` prints it) and exits 0
when everything matches, 1 when not; a refused backup (another version, a damaged file, a
database that is not empty) is one line on stderr and exit status 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from dyadcare.ops.backup import BackupError, restore
from dyadcare.tenancy.cli import ContractCommand


class Command(ContractCommand):
    help = "Restore a backup folder made by `dyadcare backup` into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the backup's folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checked = restore(options["path"])
        except BackupError as exc:
            self.fail(f"dyadcare restore: {exc}")
        self.stdout.write(json.dumps(checked))
        self.stdout.flush()
        if not checked["ok"]:
            sys.exit(1)
