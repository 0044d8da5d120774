"""The bundled library: one JSON data file per instrument in ``instruments/library/``.

Loaded once per process (about 30 small files) and kept; lookups by id, by the
Questionnaire's canonical URL or an alias, or by LOINC panel and item codes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from dyadcare.instruments.engine.datafile import parse_instrument
from dyadcare.instruments.engine.definition import Instrument
from dyadcare.instruments.engine.errors import InputError

LIBRARY_DIR = Path(__file__).resolve().parent.parent / "library"
# The instrument ids of the contract, in the order ``dyadcare instruments`` prints them.
CONTRACT_IDS = (
    "phq2",
    "phq9",
    "gad2",
    "gad7",
    "epds",
    "mchat-r",
    "mchat-rf",
    "hvs",
    "ahc-hrsn",
    "hits",
    "taps1",
    "swyc-bpsc",
    "swyc-ppsc",
    "swyc-posi",
    "pearls-child",
    "asq3",
    "asqse2",
)
MILESTONES = "cdc-milestones"
MILESTONE_AGES = (2, 4, 6, 9, 12, 15, 18, 24, 30, 36)
MILESTONES_TITLE = "CDC “Learn the Signs. Act Early.” milestone checklists, 2 to 36 months (surveillance)"
_LOINC_IN_URL = re.compile(r"^https?://loinc\.org/q/([0-9]+-[0-9])$")
_LOINC_IN_LINK = re.compile(r"([0-9]{3,6}-[0-9])$")


@dataclass(frozen=True)
class Library:
    instruments: dict[str, Instrument]

    def ids(self, *, with_ages: bool = False) -> list[str]:
        ids = [*CONTRACT_IDS, MILESTONES]
        if with_ages:
            ids += [milestone_id(age) for age in MILESTONE_AGES]
        return ids

    def get(self, ident: str, *, age: int | None = None) -> Instrument:
        """The instrument ``ident``; ``cdc-milestones`` needs the checklist ``age`` in months."""
        if ident == MILESTONES:
            if age is None:
                raise InputError(
                    "cdc-milestones needs the checklist age: --age 2, 4, 6, 9, 12, 15, 18, 24, 30 or 36"
                )
            ident = milestone_id(age)
            if ident not in self.instruments:
                raise InputError(f"there is no CDC milestone checklist for {age} months")
        elif age is not None and not ident.startswith(MILESTONES):
            raise InputError("--age applies to cdc-milestones only")
        instrument = self.instruments.get(ident)
        if instrument is None:
            raise InputError(f"unknown instrument {ident!r}")
        return instrument

    def milestones(self) -> list[Instrument]:
        return [self.instruments[milestone_id(age)] for age in MILESTONE_AGES]

    def family(self, family_id: str) -> list[Instrument]:
        """The instruments whose data files name ``family_id`` as their family (one form per
        age, such as the CDC checklists), youngest first; empty when no file names it."""
        members = [i for i in self.instruments.values() if i.raw.get("family") == family_id]
        return sorted(members, key=lambda i: i.age_months[0] or 0)

    def for_age(self, family_id: str, months: float) -> Instrument | None:
        """The family's form for a child of ``months``: the oldest whose age starts at or
        before it (between two ages the younger form, as the data files say), or None when
        the child is younger than every form."""
        fitting = [i for i in self.family(family_id) if (i.age_months[0] or 0) <= months]
        return fitting[-1] if fitting else None

    def validated_at(self, instrument: Instrument, months: float) -> bool:
        """Whether ``instrument`` is meant for a child of ``months`` (the screening age: the
        corrected age while it applies). A form of a family by age is when it is the family's
        form for that age, chosen by :meth:`for_age`; any other instrument when the age is
        within its ages in completed months (16 to 30 months includes 30 months and 20 days)."""
        family = instrument.raw.get("family")
        if family:
            form = self.for_age(family, months)
            return form is not None and form.id == instrument.id
        low, high = instrument.age_months
        return (low is None or months >= low) and (high is None or int(months) <= high)

    def find(
        self, questionnaire: dict[str, Any] | None = None, *, url: str | None = None
    ) -> Instrument | None:
        """The library instrument a Questionnaire (or a canonical URL) stands for: same URL or
        an alias, the same LOINC panel, or LOINC item codes that cover its answer items."""
        if questionnaire is not None:
            url = url or questionnaire.get("url")
        base_url = (url or "").split("|")[0]
        for instrument in self.instruments.values():
            if base_url and (base_url == instrument.url or base_url in instrument.aliases):
                return instrument
        panels = set()
        if match := _LOINC_IN_URL.match(base_url):
            panels.add(match.group(1))
        if questionnaire is not None:
            panels |= {
                c.get("code") for c in questionnaire.get("code", []) if "loinc" in str(c.get("system", ""))
            }
        for instrument in self.instruments.values():
            if instrument.loinc_panel and instrument.loinc_panel in panels:
                return instrument
        return None

    def find_by_item_codes(self, codes: Iterable[str]) -> Instrument | None:
        """The instrument whose answer items all carry LOINC codes and whose codes best cover
        ``codes`` (at least half of its items), for a response that names no known form."""
        given = set(codes)
        best: tuple[float, Instrument] | None = None
        for instrument in self.instruments.values():
            items = instrument.items
            if not items or not all(item.codes for item in items):
                continue
            covered = sum(1 for item in items if given & set(item.codes))
            share = covered / len(items)
            extra = len(given - {c for item in items for c in item.codes})
            if share >= 0.5 and (best is None or (share, -extra) > (best[0], 0)):
                best = (share - extra * 0.001, instrument)
        return best[1] if best else None


def milestone_id(age: int) -> str:
    return f"{MILESTONES}-{age}m"


def item_code(link_id: str, definition: str | None = None) -> str | None:
    """A LOINC code from an item's ``definition`` or an LHC-Forms style linkId (``/44250-9``)."""
    for text in (definition or "", link_id):
        if match := _LOINC_IN_LINK.search(text.rstrip("/")):
            return match.group(1)
    return None


@cache
def load_library() -> Library:
    instruments = {}
    for path in sorted(LIBRARY_DIR.glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
        instrument = parse_instrument(data)
        if instrument.id != path.stem:
            raise ValueError(f"{path.name}: id {instrument.id} does not match the file name")
        instruments[instrument.id] = instrument
    return Library(instruments=instruments)


def listing(library: Library, *, with_ages: bool = False) -> list[dict[str, Any]]:
    """What ``dyadcare instruments`` prints: id, title, licence, items, languages."""
    entries: list[dict[str, Any]] = []
    for ident in library.ids(with_ages=with_ages):
        if ident == MILESTONES:
            first = library.milestones()[0]
            entries.append(
                {
                    "id": MILESTONES,
                    "title": MILESTONES_TITLE,
                    "licence": first.licence,
                    "items": None,
                    "languages": list(first.languages),
                }
            )
            continue
        instrument = library.instruments[ident]
        entries.append(
            {
                "id": instrument.id,
                "title": instrument.title["en"],
                "licence": instrument.licence,
                "items": len(instrument.items),
                "languages": list(instrument.languages),
            }
        )
    return entries
