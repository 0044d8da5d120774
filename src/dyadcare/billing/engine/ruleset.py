"""A payer's rule set (``billing/data/<payer>.json``), read once through the one loader into
plain frozen dataclasses the engine works on. No Django."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from dyadcare.clinicaldata import load
from dyadcare.clinicaldata.provenance import Provenance

PAYERS = ("medi-cal",)


@dataclass(frozen=True)
class Limit:
    id: str
    max: int
    window: str  # day | 12-months | first-year | lifetime
    per: str  # child | provider
    unless: str
    provenance: Provenance


@dataclass(frozen=True)
class Rule:
    id: str
    code: str
    slot: str
    descriptor: str
    unit: str  # encounter | 15-minutes
    modifiers: tuple[str, ...]
    trigger: Mapping[str, Any]
    requires: frozenset[str]
    renderers: str
    count_group: str
    limits: tuple[Limit, ...]
    flags: tuple[str, ...]
    provenance: Provenance

    @property
    def confidence(self) -> str:
        return self.provenance.confidence

    def in_force(self, day: date) -> bool:
        return self.provenance.in_force(day)


@dataclass(frozen=True)
class Part:
    """A piece of the rule set other than a code rule (a renderer group, the unit rounding,
    an instrument group's mapping, the FQHC notes): its id and provenance."""

    id: str
    provenance: Provenance
    value: Any = None

    @property
    def confidence(self) -> str:
        return self.provenance.confidence


@dataclass(frozen=True)
class RuleSet:
    payer: str
    rules: tuple[Rule, ...]
    instruments: Mapping[str, str]  # any spelling, lower case -> instrument group key
    group_subject: Mapping[str, str]
    groups: Mapping[str, Part]
    services: Mapping[str, str]  # any spelling -> service key
    service_parts: Mapping[str, Part]
    licences: Mapping[str, str]  # any spelling -> licence key
    licence_labels: Mapping[str, Mapping[str, str]]
    renderer_groups: Mapping[str, Part]  # key -> Part(value=frozenset of licence keys)
    units: Part  # value: (minutes_per_unit, minutes_for_first_unit)
    fqhc: tuple[Part, ...]  # value: frozenset of codes
    risk_factors: Mapping[str, Mapping[str, Any]]
    diagnosis: Part  # value: (codes by claim code, codes by "code modifier")

    def diagnosis_for(
        self, code: str, modifiers: Sequence[str], chosen: Mapping[str, Any]
    ) -> tuple[str, ...]:
        """A line's diagnosis codes: the clinic's choice for the code (or its "*"), else the
        rule set's unverified defaults (billing.md section 5)."""
        picked = chosen.get(code) or chosen.get("*")
        if picked:
            return tuple(str(c) for c in picked)
        by_code, by_modifier = self.diagnosis.value
        for modifier in modifiers:
            if f"{code} {modifier}" in by_modifier:
                return tuple(by_modifier[f"{code} {modifier}"])
        return tuple(by_code.get(code) or by_code["*"])

    def instrument_group(self, instrument: str) -> str | None:
        return self.instruments.get(instrument.strip().lower())

    def service_key(self, service: str) -> str | None:
        return self.services.get(service.strip().lower())

    def licence_key(self, licence: str) -> str | None:
        return self.licences.get(licence.strip().lower())


def _limits(data: Any, raw: list[Mapping[str, Any]]) -> tuple[Limit, ...]:
    return tuple(
        Limit(lim["id"], lim["max"], lim["window"], lim["per"], lim.get("unless", ""), data.provenance(lim))
        for lim in raw
    )


def _rules(data: Any) -> tuple[Rule, ...]:
    return tuple(
        Rule(
            id=r["id"],
            code=r["code"],
            slot=r["slot"],
            descriptor=r["descriptor"],
            unit=r["unit"],
            modifiers=tuple(r["modifiers"]),
            trigger=dict(r["trigger"]),
            requires=frozenset(r["requires"]),
            renderers=r["renderers"],
            count_group=r["count_group"],
            limits=_limits(data, r["limits"]),
            flags=tuple(r.get("flags", ())),
            provenance=data.provenance(r),
        )
        for r in data["rules"]
    )


def _spellings(entries: Any, aliases_of: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in entries:
        for spelling in (entry["key"], *aliases_of(entry)):
            out[spelling.strip().lower()] = entry["key"]
    return out


@cache
def ruleset(payer: str = "medi-cal") -> RuleSet:
    """The payer's rule set; ``KeyError`` for a payer with no data file."""
    if payer not in PAYERS:
        raise KeyError(payer)
    data = load(payer)
    instruments: dict[str, str] = {}
    for group in data["instrument_groups"]:
        for instrument in group["instruments"]:
            instruments[instrument.lower()] = group["key"]
        for alias in group["aliases"]:
            instruments[alias.lower()] = group["key"]
    units = data["units"]
    return RuleSet(
        payer=data["payer"],
        rules=_rules(data),
        instruments=instruments,
        group_subject={g["key"]: g["subject"] for g in data["instrument_groups"]},
        groups={
            g["key"]: Part(f"instruments.{g['key']}", data.provenance(g)) for g in data["instrument_groups"]
        },
        services=_spellings(data["services"], lambda s: s["aliases"]),
        service_parts={s["key"]: Part(f"services.{s['key']}", data.provenance(s)) for s in data["services"]},
        licences=_spellings(data["licences"], lambda lic: lic["aliases"]),
        licence_labels={lic["key"]: dict(lic["label"]) for lic in data["licences"]},
        renderer_groups={
            g["key"]: Part(f"renderers.{g['key']}", data.provenance(g), frozenset(g["licences"]))
            for g in data["renderer_groups"]
        },
        units=Part(
            units["id"], data.provenance(units), (units["minutes_per_unit"], units["minutes_for_first_unit"])
        ),
        fqhc=tuple(
            Part(data[k]["id"], data.provenance(data[k]), frozenset(data[k]["applies_to"]))
            for k in ("fqhc", "fqhc_ace")
        ),
        risk_factors={rf["key"]: dict(rf) for rf in data["risk_factors"]},
        diagnosis=Part(
            data["diagnosis_defaults"]["id"],
            data.provenance(data["diagnosis_defaults"]),
            (
                dict(data["diagnosis_defaults"]["codes"]),
                dict(data["diagnosis_defaults"]["codes_with_modifier"]),
            ),
        ),
    )
