"""Crisis lines shown to a family who answered a safety question (``data/crisis.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "crisis.json"


@dataclass(frozen=True)
class CrisisResource:
    key: str
    name: str
    how: str
    phone: str

    @property
    def phone_display(self) -> str:
        """1-800-799-7233 for "18007997233"; short numbers (988, 911) as they are."""
        digits = self.phone
        if len(digits) == 11 and digits.startswith("1"):
            return f"1-{digits[1:4]}-{digits[4:7]}-{digits[7:]}"
        return digits


@cache
def _crisis_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


def crisis_resources(language: str) -> list[CrisisResource]:
    """The crisis lines from ``data/crisis.json`` in ``language`` (English when missing)."""
    return [
        CrisisResource(
            key=str(entry["key"]),
            name=entry["name"].get(language) or entry["name"]["en"],
            how=entry["how"].get(language) or entry["how"]["en"],
            phone=str(entry["phone"]),
        )
        for entry in _crisis_data()["resources"]
    ]
