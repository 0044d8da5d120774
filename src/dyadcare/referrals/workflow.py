"""The referral Task's life as data: its statuses, the only moves between them, the local outcome
reasons (``Task.businessStatus``), when the next update is due, and the needs a referral
answers. Pure Python over ``data/task_transitions.json`` and ``data/referral_needs.json``
(Gravity SDOH Clinical Care IG, Task For Referral Management): no Django models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from dyadcare.clinicaldata import load
from dyadcare.clinicaldata.provenance import Provenance

REQUESTED = "requested"
ACCEPTED = "accepted"
REJECTED = "rejected"
CANCELLED = "cancelled"
IN_PROGRESS = "in-progress"
ON_HOLD = "on-hold"
COMPLETED = "completed"
FAILED = "failed"


class TransitionRefused(ValueError):
    """A move the referral Task may not make (or a reason missing where one is required)."""


@dataclass(frozen=True)
class Status:
    code: str
    label: dict[str, str]
    final: bool
    set_by: str  # requester, target or either


@dataclass(frozen=True)
class Outcome:
    code: str
    label: dict[str, str]
    statuses: frozenset[str]


@dataclass(frozen=True)
class Need:
    key: str
    label: dict[str, str]
    category: str  # the Gravity SDOH category code
    screening_domains: tuple[str, ...]
    labels: tuple[str, ...]  # HL7 sensitivity labels the need carries


@dataclass(frozen=True)
class Workflow:
    statuses: dict[str, Status]
    refused: frozenset[str]
    moves: dict[str, frozenset[str]]
    reason_required: frozenset[str]
    outcomes: dict[str, Outcome]
    follow_up_days: dict[str, int]
    link_days: int
    provenance: Provenance


@cache
def workflow() -> Workflow:
    data = load("task_transitions")
    return Workflow(
        statuses={
            s["code"]: Status(s["code"], dict(s["label"]), s["final"], s["set_by"]) for s in data["statuses"]
        },
        refused=frozenset(data["refused"]["codes"]),
        moves={t["from"]: frozenset(t["to"]) for t in data["transitions"]},
        reason_required=frozenset(data["reason_required"]["statuses"]),
        outcomes={
            b["code"]: Outcome(b["code"], dict(b["label"]), frozenset(b["statuses"]))
            for b in data["business_statuses"]
        },
        follow_up_days=dict(data["follow_up"]["days"]),
        link_days=int(data["link"]["days"]),
        provenance=data.provenance(data["follow_up"]),
    )


@cache
def needs() -> dict[str, Need]:
    data = load("referral_needs")
    return {
        n["key"]: Need(
            n["key"], dict(n["label"]), n["category"], tuple(n["screening_domains"]), tuple(n["labels"])
        )
        for n in data["needs"]
    }


def need_for_domain(domain: str) -> Need | None:
    """The need a positive screening domain suggests (``food`` → food)."""
    return next((n for n in needs().values() if domain in n.screening_domains), None)


def is_final(status: str) -> bool:
    return workflow().statuses[status].final


def allowed_moves(status: str) -> frozenset[str]:
    """Where a Task in ``status`` may go next (nothing from a final status)."""
    return workflow().moves.get(status, frozenset())


def check_move(current: str, new: str, *, outcome: str = "", reason: str = "") -> None:
    """Raise TransitionRefused unless ``current`` → ``new`` is one of the IG's moves, with an
    outcome that fits ``new`` and a reason (an outcome or words) where the IG asks for one."""
    flow = workflow()
    if new in flow.refused or new not in flow.statuses:
        raise TransitionRefused(f"{new!r} is not a referral Task status")
    if new not in allowed_moves(current):
        raise TransitionRefused(f"a referral Task cannot go from {current!r} to {new!r}")
    if outcome and (outcome not in flow.outcomes or new not in flow.outcomes[outcome].statuses):
        raise TransitionRefused(f"{outcome!r} is not an outcome of {new!r}")
    if new in flow.reason_required and not (outcome or reason.strip()):
        raise TransitionRefused(f"{new!r} needs a reason")


def outcomes_for(status: str) -> list[Outcome]:
    return [o for o in workflow().outcomes.values() if status in o.statuses]


def next_due(status: str, changed_on: date) -> date | None:
    """When the next update is due after a change to ``status`` (None once final)."""
    days = workflow().follow_up_days.get(status)
    return changed_on + timedelta(days=days) if days and not is_final(status) else None


def label(codes: dict[str, str], language: str) -> str:
    return codes.get(language) or codes["en"]
