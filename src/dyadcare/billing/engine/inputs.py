"""What the engine reads and writes: plain frozen dataclasses, no Django, no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


class InputError(ValueError):
    """Input the engine cannot evaluate (an event naming an unknown child, say)."""


@dataclass(frozen=True)
class Child:
    id: str
    dob: date
    # Enrolled in Medi-Cal on the date of service (the caregiver's coverage never matters).
    medi_cal: bool
    medi_cal_id: str = ""  # the CIN billed under; "" with medi_cal True: not recorded yet
    plan: str = ""  # managed care plan key, "" for fee for service
    # A mental health diagnosis or a listed risk factor on file: lifts the five-session limit.
    therapy_basis: bool = False
    check_cin: bool = False  # hold a line when medi_cal_id is empty (the app; not the CLI)


@dataclass(frozen=True)
class Staff:
    id: str
    licence: str  # a licence key or any alias of one (LCSW, ASW, CHW, MD ...)
    npi: str = ""
    aces_attested_on: date | None = None  # date.min: attested, date unknown (the CLI's bool)
    supervisor: str = ""  # an associate's supervising clinician


@dataclass(frozen=True)
class Event:
    """One piece of the clinic's work: a screening result or a logged service."""

    id: str
    date: date
    child: str
    staff: str
    type: str  # screening | service
    instrument: str = ""
    subject: str = "child"  # child | caregiver
    positive: bool | None = None
    ace_score: int | None = None
    follow_up_plan: bool = False
    service: str = ""
    minutes: int | None = None
    child_present: bool = True
    prior_authorization: bool = False  # 96110 for a child of 6 or more in fee for service


@dataclass(frozen=True)
class PriorLine:
    """A line billed already whose source is not evaluated again (exported, say): it counts
    toward frequency limits on either side of an event's date."""

    child: str
    staff: str
    date: date
    code: str
    count_group: str


@dataclass(frozen=True)
class Override:
    """A clinic's (or one plan's) choice about an inferred or unverified rule."""

    enabled: bool = True
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    clinic_type: str = ""  # "" | fqhc | rhc | tribal
    eight_minute_rule: bool = True
    minutes_for_first_unit: int | None = None  # None: the rule set's (8)
    # (plan, rule id) -> override; plan "" applies to every plan of the clinic.
    overrides: Mapping[tuple[str, str], Override] = field(default_factory=dict)

    def override(self, plan: str, rule_id: str) -> Override | None:
        return self.overrides.get((plan, rule_id)) or self.overrides.get(("", rule_id))


@dataclass(frozen=True)
class Reason:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)} if self.params else {"code": self.code}


@dataclass
class Line:
    event: str
    rule_id: str
    slot: str
    code: str
    modifiers: list[str]
    units: int
    minutes: int | None
    status: str  # ready | held
    reasons: list[Reason]
    notes: list[Reason]
    child: str
    staff: str
    date: date
    count_group: str
    medi_cal_id: str = ""
    plan: str = ""
