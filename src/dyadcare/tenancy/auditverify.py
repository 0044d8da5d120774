"""``dyadcare audit verify``: walk every audit chain and check the append-only triggers.

The report names, for each broken chain, its first broken entry and why: an entry missing
before it (a deletion), an entry outside any chain or out of place (an insertion), content that
no longer matches its hash (an edit), a time earlier than the entry before it (a back-dated
entry), entries cut off the end (the head says more), and every trigger that is missing,
disabled or no longer refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection

from dyadcare.tenancy.audit_triggers import missing_triggers
from dyadcare.tenancy.auditchain import GENESIS, chain_of, digest
from dyadcare.tenancy.models import AuditChainHead, AuditEvent


@dataclass
class Report:
    entries: int = 0
    chains: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {"entries": self.entries, "chains": self.chains, "ok": self.ok, "problems": self.problems}

    def add(self, chain: str | None, entry: int | None, reason: str) -> None:
        self.problems.append({"chain": chain, "entry": entry, "reason": reason})


@dataclass
class _Walk:
    """Where the walk of one chain stands."""

    chain: str
    seq: int = 0
    hash: str = GENESIS
    at: datetime | None = None
    last_id: int | None = None
    broken: bool = False


def _check(walk: _Walk, entry: AuditEvent) -> str:
    """Why ``entry`` does not follow ``walk`` ("" when it does)."""
    if entry.chain != chain_of(entry):
        return f"filed in chain {entry.chain} but belongs to {chain_of(entry)} (moved or inserted)"
    expected = walk.seq + 1
    if entry.seq is None or entry.seq < expected:
        return f"position {entry.seq} repeats or precedes the chain's order (inserted)"
    if entry.seq > expected:
        gap = f"{expected}" if entry.seq == expected + 1 else f"{expected} to {entry.seq - 1}"
        return f"entry at position {gap} is missing before it (deleted)"
    if entry.hash != digest(walk.hash, entry):
        return "its content does not match its hash (edited, or inserted with a forged hash)"
    if walk.at is not None and entry.at < walk.at:
        return "dated before the entry it follows (back-dated)"
    return ""


def _walk_entries(report: Report) -> dict[str, _Walk]:
    walks: dict[str, _Walk] = {}
    events = AuditEvent._base_manager.order_by("chain", "seq", "id")
    for entry in events.iterator(chunk_size=5000):
        report.entries += 1
        if not entry.chain or entry.seq is None:
            report.add(chain_of(entry), entry.pk, "not in any chain (written outside the application)")
            continue
        walk = walks.setdefault(entry.chain, _Walk(entry.chain))
        if walk.broken:
            continue
        reason = _check(walk, entry)
        if reason:
            walk.broken = True
            report.add(walk.chain, entry.pk, reason)
            continue
        walk.seq, walk.hash, walk.at, walk.last_id = entry.seq, entry.hash, entry.at, entry.pk
    return walks


def _compare_heads(report: Report, walks: dict[str, _Walk]) -> set[str]:
    """Compare each chain's end with its head; returns the names of every chain."""
    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    names = set(walks) | {c for c, h in heads.items() if h.seq}
    for name in sorted(names):
        walk = walks.get(name) or _Walk(name)
        if walk.broken:
            continue
        head = heads.get(name)
        if head is None:
            report.add(name, walk.last_id, "the chain has no head (its head row was removed)")
        elif head.seq > walk.seq:
            report.add(
                name, walk.last_id, f"entries {walk.seq + 1} to {head.seq} are missing at the end (deleted)"
            )
        elif head.seq < walk.seq or head.hash != walk.hash:
            report.add(name, walk.last_id, "the chain's end does not match its head (inserted or rewritten)")
    return names


def verify() -> Report:
    """Check every chain and the triggers; read-only."""
    report = Report()
    for trigger in missing_triggers(connection):
        report.add(None, None, f"trigger {trigger} is missing or disabled: the database no longer refuses it")
    walks = _walk_entries(report)
    report.chains = len(_compare_heads(report, walks))
    return report
