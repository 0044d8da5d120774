"""``dyadcare schedule --dob YYYY-MM-DD [--gestational-age WW+D] [--as-of YYYY-MM-DD]``:
a child's touchpoints as one JSON object (a contract that scripts rely on)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from dyadcare.families.rules import RuleError, parse_gestational_age
from dyadcare.tenancy.cli import ContractCommand
from dyadcare.touchpoints.schedule import schedule_json

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Command(ContractCommand):
    help = "Print a child's well-child touchpoints, windows and due screenings as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dob", required=True, help="date of birth, YYYY-MM-DD")
        parser.add_argument("--gestational-age", help="weeks+days at birth, e.g. 33+2")
        parser.add_argument("--as-of", help="the day to report status on (default today)")

    def _date(self, text: str, name: str) -> date:
        if not _ISO_DATE.match(text):
            self.fail(f"{name} must be a date as YYYY-MM-DD, not {text!r}")
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(f"{name} is not a real date: {text!r}")

    def handle(
        self, *args: Any, dob: str, gestational_age: str | None, as_of: str | None, **options: Any
    ) -> None:
        born = self._date(dob, "--dob")
        day = self._date(as_of, "--as-of") if as_of else timezone.localdate()
        if born > day:
            self.fail(f"--dob {born} is after --as-of {day}")
        ga_days = None
        if gestational_age is not None:
            try:
                ga_days = parse_gestational_age(gestational_age).total_days
            except RuleError as exc:
                self.fail(f"--gestational-age: {exc}")
        self.stdout.write(json.dumps(schedule_json(born, ga_days, day)))
