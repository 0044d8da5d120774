"""Pure rules about family records: parsing and checking identifiers and ages.

No Django here, so the rules can be used by the command line, the schedule engine and tests
without a database. The ranges and formats come from ``data/demographics.json``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).with_name("data") / "demographics.json"


@cache
def demographics() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


class RuleError(ValueError):
    """Input that breaks a rule; the message is written for the person who typed it."""


@dataclass(frozen=True, order=True)
class GestationalAge:
    weeks: int
    days: int

    @property
    def total_days(self) -> int:
        return self.weeks * 7 + self.days

    def __str__(self) -> str:
        return f"{self.weeks}+{self.days}"


_GA_PATTERN = re.compile(r"^\s*(\d{1,2})\s*(?:\+\s*(\d))?\s*$")


def _ga_bound(key: str) -> GestationalAge:
    weeks, days = demographics()["gestational_age"][key].split("+")
    return GestationalAge(int(weeks), int(days))


GA_MIN = _ga_bound("min")
GA_MAX = _ga_bound("max")


def parse_gestational_age(text: str) -> GestationalAge:
    """Parse ``"33+2"`` (weeks+days) or ``"38"`` (whole weeks) and check the accepted range."""
    match = _GA_PATTERN.match(text)
    if not match:
        raise RuleError(f"Write gestational age as weeks+days, for example 38+4 (got {text!r})")
    weeks, days = int(match.group(1)), int(match.group(2) or 0)
    if days > 6:
        raise RuleError("The days part of a gestational age is 0 to 6")
    ga = GestationalAge(weeks, days)
    if not GA_MIN <= ga <= GA_MAX:
        raise RuleError(f"Gestational age must be between {GA_MIN} and {GA_MAX} weeks")
    return ga


_CIN = re.compile(r"^\d{8}[A-Z]$")
_BIC = re.compile(r"^(\d{8}[A-Z])\d{5}$")


def normalize_medi_cal_id(text: str) -> str:
    """Upper-case, drop spaces and dashes, reduce a 14-character card number to its CIN, and
    check the 9-character form. An empty value stays empty."""
    cleaned = re.sub(r"[\s-]", "", text).upper()
    if not cleaned:
        return ""
    card = _BIC.match(cleaned)
    if card:
        cleaned = card.group(1)
    if not _CIN.match(cleaned):
        raise RuleError("A Medi-Cal ID (CIN) is 8 digits followed by a letter, for example 91234567A")
    return cleaned


def search_key(text: str) -> str:
    """Lower case without accents or punctuation: 'José García-López' -> 'jose garcia lopez'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.findall(r"[a-z0-9]+", stripped.lower())
    return " ".join(words)


def race_ethnicity_codes() -> list[str]:
    return [c["code"] for c in demographics()["race_ethnicity"]["categories"]]


def coded_choices(section: str) -> list[tuple[str, str, str]]:
    """(code, English label, Spanish label) for a coded list in the data file."""
    block = demographics()[section]
    entries = block.get("categories") or block.get("choices") or []
    return [(e["code"], e["label"], e["label_es"]) for e in entries]
