"""Crisis lines shown to a family who answered a safety question (``data/crisis.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from dyadcare.clinicaldata import Provenance, load


@dataclass(frozen=True)
class CrisisResource:
    key: str
    name: str
    how: str
    phone: str
    provenance: Provenance = field(compare=False, repr=False)

    @property
    def phone_display(self) -> str:
        """1-800-799-7233 for "18007997233"; short numbers (988, 911) as they are."""
        digits = self.phone
        if len(digits) == 11 and digits.startswith("1"):
            return f"1-{digits[1:4]}-{digits[4:7]}-{digits[7:]}"
        return digits


@dataclass(frozen=True)
class CrisisLine:
    """One line as the data file gives it, with its text in every language."""

    key: str
    name: Mapping[str, str]
    how: Mapping[str, str]
    phone: str
    provenance: Provenance

    def in_language(self, language: str) -> CrisisResource:
        return CrisisResource(
            key=self.key,
            name=self.name.get(language) or self.name["en"],
            how=self.how.get(language) or self.how["en"],
            phone=self.phone,
            provenance=self.provenance,
        )


@cache
def _crisis_data() -> tuple[CrisisLine, ...]:
    data = load("crisis")
    return tuple(
        CrisisLine(
            key=entry["key"],
            name=entry["name"],
            how=entry["how"],
            phone=entry["phone"],
            provenance=data.provenance(entry),
        )
        for entry in data["resources"]
    )


def crisis_resources(language: str) -> list[CrisisResource]:
    """The crisis lines from ``data/crisis.json`` in ``language`` (English when missing)."""
    return [line.in_language(language) for line in _crisis_data()]
