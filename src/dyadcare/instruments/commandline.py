"""``dyadcare instruments`` and ``dyadcare score``: the command-line contract.

They need no database and no Django settings, so ``dyadcare.cli`` runs them before Django
starts. Output is one JSON document on stdout; invalid input exits with status 2 and one line
on stderr, with nothing on stdout.

- ``dyadcare instruments [--all]``: a JSON list of ``{"id", "title", "licence", "items",
  "languages"}``; ``--all`` adds the ten per-age CDC milestone checklists.
- ``dyadcare score INSTRUMENT --answers JSON [--age MONTHS] [--language es]``
- ``dyadcare score --response QR.json [--questionnaire Q.json]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from dyadcare.instruments.engine import (
    InputError,
    listing,
    load_library,
    parse_answers,
    score,
    score_response,
)
from dyadcare.instruments.engine.response import load_json

COMMANDS = ("instruments", "score")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise InputError(message)


def _read(path: str, what: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the {what} {path}: {exc.__class__.__name__}") from None
    return load_json(text, what)


def _instruments(argv: list[str]) -> Any:
    parser = _Parser(prog="dyadcare instruments", description="List the instrument library.")
    parser.add_argument("--all", action="store_true", help="also list each CDC milestone checklist by age")
    args = parser.parse_args(argv)
    return listing(load_library(), with_ages=args.all)


def _score(argv: list[str]) -> Any:
    parser = _Parser(prog="dyadcare score", description="Score answers or a FHIR QuestionnaireResponse.")
    parser.add_argument("instrument", nargs="?")
    parser.add_argument("--answers", help="JSON list, one entry per item in printed order")
    parser.add_argument("--age", type=int, help="months, for cdc-milestones")
    parser.add_argument(
        "--language", default="en", choices=["en", "es"], help="language the answers were given in"
    )
    parser.add_argument("--response", help="a FHIR QuestionnaireResponse (JSON file)")
    parser.add_argument("--questionnaire", help="its FHIR Questionnaire (JSON file)")
    args = parser.parse_args(argv)
    if args.response:
        if args.instrument or args.answers is not None or args.age is not None:
            raise InputError("give either INSTRUMENT --answers or --response, not both")
        response = _read(args.response, "QuestionnaireResponse")
        questionnaire = _read(args.questionnaire, "Questionnaire") if args.questionnaire else None
        try:
            return score_response(response, questionnaire).as_contract()
        except InputError:
            raise
        except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
            # A shape the checks above did not foresee: still the input's fault.
            raise InputError(f"the FHIR input is malformed ({exc.__class__.__name__})") from None
    if args.questionnaire:
        raise InputError("--questionnaire goes with --response")
    if not args.instrument or args.answers is None:
        raise InputError("give INSTRUMENT --answers JSON, or --response QR.json")
    instrument = load_library().get(args.instrument, age=args.age)
    answers = parse_answers(instrument, args.answers)
    return score(instrument, answers, language=args.language).as_contract()


def main(argv: list[str]) -> int:
    """Run ``argv`` (command first); return the exit status."""
    command, rest = argv[0], argv[1:]
    try:
        result = _instruments(rest) if command == "instruments" else _score(rest)
    except InputError as exc:
        sys.stderr.write(f"dyadcare {command}: {exc}\n")
        return 2
    except RecursionError:
        sys.stderr.write(f"dyadcare {command}: the input is nested too deeply\n")
        return 2
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0
