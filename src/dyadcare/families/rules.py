"""Pure rules about family records: parsing and checking identifiers and ages.

No Django here, so the rules can be used by the command line, the schedule engine and tests
without a database. The code lists, ranges and formats come from ``data/demographics.json``
(read and checked by :mod:`dyadcare.clinicaldata`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from dyadcare.clinicaldata import DataFile, DataFileError, Problem, Provenance, load


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


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    label_es: str
    cdcrec: str = ""


@dataclass(frozen=True)
class CodeList:
    title: str
    note: str
    entries: tuple[Code, ...]
    provenance: Provenance = field(compare=False, repr=False)


@dataclass(frozen=True)
class GestationalAgeRange:
    low: GestationalAge
    high: GestationalAge
    provenance: Provenance = field(compare=False, repr=False)


@dataclass(frozen=True)
class Demographics:
    """``data/demographics.json``, typed."""

    race_ethnicity: CodeList
    race_ethnicity_declined: Code
    languages: CodeList
    medi_cal_id_rule: str
    medi_cal_id_provenance: Provenance
    record_range: GestationalAgeRange
    preterm_before: GestationalAge
    preterm_provenance: Provenance
    term_setting: GestationalAgeRange


def _ga(text: str) -> GestationalAge:
    weeks, days = text.split("+")
    return GestationalAge(int(weeks), int(days))


def _code(entry: Mapping[str, Any]) -> Code:
    return Code(entry["code"], entry["label"], entry["label_es"], entry.get("cdcrec", ""))


def _code_list(data: DataFile, block: Mapping[str, Any], key: str) -> CodeList:
    entries = tuple(_code(e) for e in block[key])
    return CodeList(block["title"], block["note"], entries, data.provenance(block))


def _range(data: DataFile, block: Mapping[str, Any], where: str) -> GestationalAgeRange:
    low, high = _ga(block["min"]), _ga(block["max"])
    if low > high:
        raise DataFileError(data.path, [Problem(where, f"min {low} is above max {high}")])
    return GestationalAgeRange(low, high, data.provenance(block))


@cache
def demographics() -> Demographics:
    data = load("demographics")
    ga = data["gestational_age"]
    return Demographics(
        race_ethnicity=_code_list(data, data["race_ethnicity"], "categories"),
        race_ethnicity_declined=_code(data["race_ethnicity"]["declined"]),
        languages=_code_list(data, data["languages"], "choices"),
        medi_cal_id_rule=data["medi_cal_id"]["rule"],
        medi_cal_id_provenance=data.provenance(data["medi_cal_id"]),
        record_range=_range(data, ga["record_range"], "$.gestational_age.record_range"),
        preterm_before=_ga(ga["preterm"]["before"]),
        preterm_provenance=data.provenance(ga["preterm"]),
        term_setting=_range(data, ga["term_setting"], "$.gestational_age.term_setting"),
    )


GA_MIN = demographics().record_range.low
GA_MAX = demographics().record_range.high
# Born before this counts as preterm (the network's counts, the badge on a child's record).
PRETERM_BEFORE = demographics().preterm_before


def term_setting_range() -> tuple[GestationalAge, GestationalAge]:
    """The gestational ages a deployment may set as term for corrected age (DYADCARE_TERM)."""
    term = demographics().term_setting
    return term.low, term.high


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
    return [c.code for c in demographics().race_ethnicity.entries]


def coded_choices(section: str) -> list[tuple[str, str, str]]:
    """(code, English label, Spanish label) for a coded list in the data file
    (``race_ethnicity`` or ``languages``)."""
    lists = {"race_ethnicity": demographics().race_ethnicity, "languages": demographics().languages}
    block = lists[section]
    return [(e.code, e.label, e.label_es) for e in block.entries]
