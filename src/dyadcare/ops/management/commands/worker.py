"""``dyadcare worker``: run the background queue (alert escalations), polling every few seconds."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background task queue (escalation of unacknowledged safety alerts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between checks when idle")
        parser.add_argument("--batch", action="store_true", help="run what is due, then exit")

    def handle(self, *args: Any, interval: float, batch: bool, **options: Any) -> None:
        call_command("db_worker", interval=interval, batch=batch, reload=False, startup_delay=False)
