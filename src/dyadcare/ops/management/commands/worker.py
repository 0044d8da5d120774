"""``dyadcare worker``: run the background queue (alert escalations) and, every minute, sweep
every clinic for safety alerts left unacknowledged past the escalation delay, send the
visit reminders due (outside each clinic's quiet hours) and refresh, once a day, each
clinic's outreach list (its dates roll)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from dyadcare.adherence.tasks import refresh_every_clinic as refresh_outreach
from dyadcare.adherence.tasks import sweep_every_clinic as send_reminders
from dyadcare.screening.tasks import sweep_every_clinic

SWEEP_SECONDS = 60.0


class Command(BaseCommand):
    help = "Run the background task queue, escalate unacknowledged safety alerts, send visit reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between checks when idle")
        parser.add_argument("--batch", action="store_true", help="run what is due and sweep once, then exit")

    def handle(self, *args: Any, interval: float, batch: bool, **options: Any) -> None:
        last_sweep = 0.0
        while True:
            call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
            if batch or time.monotonic() - last_sweep >= SWEEP_SECONDS:
                sweep_every_clinic()
                send_reminders()
                refresh_outreach()
                last_sweep = time.monotonic()
            if batch:
                return
            close_old_connections()
            time.sleep(interval)
