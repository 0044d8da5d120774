"""Reminder timing, pure Python: the clinic's days and quiet hours, from its own settings or
the data file's defaults (``data/reminders.json``, with their sources)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from functools import cache

from dyadcare.clinicaldata import load


@dataclass(frozen=True)
class ReminderPlan:
    enabled: bool
    days: tuple[int, ...]  # days before the visit, largest first
    quiet_start: time
    quiet_end: time

    def quiet_at(self, moment: time) -> bool:
        """Whether ``moment`` (clinic local time) is inside the quiet hours. The hours may run
        over midnight (20:00 to 08:00); equal start and end mean no quiet hours."""
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= moment < self.quiet_end
        return moment >= self.quiet_start or moment < self.quiet_end


@cache
def default_plan() -> ReminderPlan:
    data = load("reminders")
    return ReminderPlan(
        enabled=True,
        days=tuple(sorted(data["days_before"]["days"], reverse=True)),
        quiet_start=time.fromisoformat(data["quiet_hours"]["start"]),
        quiet_end=time.fromisoformat(data["quiet_hours"]["end"]),
    )
