"""Helpers for command-line contracts that scripts rely on: bad input exits with status 2
and one line on stderr, nothing on stdout."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser


class ContractParser(CommandParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: {message}\n")
        sys.exit(2)


class ContractCommand(BaseCommand):
    """A command whose argument errors and ``fail()`` calls exit 2 with a one-line message."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = ContractParser
        return parser

    def fail(self, message: str) -> NoReturn:
        sys.stderr.write(" ".join(message.split()) + "\n")
        sys.exit(2)
