"""``dyadcare audit verify``: check the audit log's hash chains and its append-only triggers.

Prints one JSON object ``{"entries": n, "chains": n, "ok": bool, "problems": [{"chain",
"entry", "reason"}]}`` and exits 0 when every chain is whole and every trigger in place, 1
when not (2 on bad arguments). A command-line contract scripts rely on: keep it stable.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import CommandParser

from dyadcare.tenancy.cli import ContractCommand


class Command(ContractCommand):
    help = "Check the audit log: `dyadcare audit verify` walks every hash chain and checks the triggers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["verify"], help="verify: check every chain and trigger")

    def handle(self, *args: Any, **options: Any) -> None:
        from dyadcare.tenancy.auditverify import verify

        report = verify()
        self.stdout.write(json.dumps(report.as_json()))
        self.stdout.flush()
        if not report.ok:
            sys.exit(1)
