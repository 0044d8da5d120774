"""Typed provenance: where a rule comes from, how sure we are, and when it applies.

Every rule in a clinical data file carries ``source`` (a key, or a list of keys, into the
file's top-level ``sources`` map), ``confidence`` and ``effective``; the loader has checked
them before any of these objects is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, cast

Confidence = Literal["verified", "inferred", "unverified"]
# Strongest first: "verified" (read in a primary source), "inferred" (a secondary source, or
# dyadcare's reading of one), "unverified" (not confirmed; configurable and labelled where used).
CONFIDENCES: tuple[Confidence, ...] = ("verified", "inferred", "unverified")


def strength(confidence: Confidence) -> int:
    """Higher is surer: verified 2, inferred 1, unverified 0."""
    return len(CONFIDENCES) - 1 - CONFIDENCES.index(confidence)


@dataclass(frozen=True)
class Source:
    key: str
    citation: str
    confidence: Confidence
    url: str | None = None


@dataclass(frozen=True)
class Effective:
    """The dates a rule applies (inclusive); ``until`` is None while it is current.
    ``confidence`` is that of the dates, which may be weaker than the rule's own."""

    start: date
    until: date | None
    confidence: Confidence
    note: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class Provenance:
    sources: tuple[Source, ...]
    confidence: Confidence
    effective: Effective

    def in_force(self, day: date) -> bool:
        return self.effective.covers(day)


def source_keys(entry: Mapping[str, Any]) -> tuple[str, ...]:
    cited = entry["source"]
    return (cited,) if isinstance(cited, str) else tuple(cited)


def parse_sources(raw: Mapping[str, Any]) -> dict[str, Source]:
    return {
        key: Source(
            key=key,
            citation=value["citation"],
            confidence=cast(Confidence, value["confidence"]),
            url=value.get("url"),
        )
        for key, value in raw.items()
    }


def parse_provenance(entry: Mapping[str, Any], sources: Mapping[str, Source]) -> Provenance:
    confidence = cast(Confidence, entry["confidence"])
    effective = entry["effective"]
    until = effective.get("until")
    return Provenance(
        sources=tuple(sources[key] for key in source_keys(entry)),
        confidence=confidence,
        effective=Effective(
            start=date.fromisoformat(effective["from"]),
            until=date.fromisoformat(until) if until else None,
            confidence=cast(Confidence, effective.get("confidence", confidence)),
            note=effective.get("note", ""),
        ),
    )
