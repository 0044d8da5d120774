"""``dyadcare billing evaluate EVENTS.json [--explain]``: the claim lines a file of children,
staff and events yields, as one JSON object ``{"lines": [...]}`` (a contract that scripts rely
on; see DEVELOPERS.md). The same engine the app evaluates its lines with; no database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from dyadcare.billing.engine import InputError, evaluate, ruleset
from dyadcare.billing.engine.document import line_json, parse
from dyadcare.tenancy.cli import ContractCommand, ContractParser


class Command(ContractCommand):
    help = "Billing tools. `evaluate EVENTS.json`: print the claim lines the events yield, as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=ContractParser)
        evaluate_parser = sub.add_parser("evaluate", help="evaluate a file of events into claim lines")
        evaluate_parser.add_argument("events", help="the JSON file of payer, children, staff and events")
        evaluate_parser.add_argument(
            "--explain", action="store_true", help="also print each line's rule, reason codes and notes"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "evaluate":
            self.evaluate(options["events"], explain=options["explain"])

    def evaluate(self, file_name: str, *, explain: bool) -> None:
        path = Path(file_name)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.fail(f"{file_name}: no such file")
        except (OSError, UnicodeDecodeError) as exc:
            self.fail(f"{file_name}: cannot be read ({exc})")
        except json.JSONDecodeError as exc:
            self.fail(f"{file_name}: not valid JSON ({exc})")
        try:
            document = parse(raw)
            lines = evaluate(
                ruleset=ruleset(document.payer),
                children=document.children,
                staff=document.staff,
                events=document.events,
                settings=document.settings,
            )
        except InputError as exc:
            self.fail(f"{file_name}: {exc}")
        self.stdout.write(json.dumps({"lines": [line_json(line, explain=explain) for line in lines]}))
