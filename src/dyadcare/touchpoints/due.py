"""What a child is due for on a given day: the touchpoint's categories, and the categories
missed at earlier touchpoints that are brought forward (Bright Futures: bring the schedule up
to date as soon as possible). Pure Python.

A category is done only by evidence (:class:`Done`): a scored result, a paper form entered by
staff, or a screen recorded as done elsewhere with its instrument, date and reason. The
domains that hold the evidence feed it in (see ``touchpoints/evidence.py``); nothing here
reads a database."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from dyadcare.touchpoints.bundles import Bundle
from dyadcare.touchpoints.schedule import Touchpoint, chronological_months, windows

EvidenceKind = Literal["result", "paper", "elsewhere"]


@dataclass(frozen=True)
class Done:
    """Evidence that a screening category was done: on ``day`` (the day of the visit a result
    belongs to, or the date a screen elsewhere was given), at ``visit_id`` when it was recorded
    at a visit, with the instrument that filled it."""

    category: str
    day: date
    instrument_id: str
    kind: EvidenceKind = "result"
    visit_id: uuid.UUID | None = None


@dataclass(frozen=True)
class DueItem:
    category: str
    instruments: tuple[str, ...]
    overdue_since: str | None  # the touchpoint at which it was first missed
    evidence: tuple[Done, ...] = ()  # what shows it done at this visit (or in this window)

    @property
    def overdue(self) -> bool:
        return self.overdue_since is not None

    @property
    def done(self) -> bool:
        return bool(self.evidence)


@dataclass(frozen=True)
class DueReport:
    touchpoint: Touchpoint | None
    items: tuple[DueItem, ...]

    @property
    def due(self) -> tuple[DueItem, ...]:
        return tuple(i for i in self.items if not i.overdue)

    @property
    def overdue(self) -> tuple[DueItem, ...]:
        return tuple(i for i in self.items if i.overdue)

    @property
    def done(self) -> tuple[DueItem, ...]:
        return tuple(i for i in self.items if i.done)

    @property
    def not_done(self) -> tuple[DueItem, ...]:
        return tuple(i for i in self.items if not i.done)


@dataclass(frozen=True)
class _Evidence:
    """The child's evidence split around the day: at this visit or on the day, and before."""

    now: tuple[Done, ...]
    before: tuple[Done, ...]

    @classmethod
    def split(cls, history: Iterable[Done], day: date, visit_id: uuid.UUID | None) -> _Evidence:
        now, before = [], []
        for done in history:
            if (visit_id is not None and done.visit_id == visit_id) or done.day == day:
                now.append(done)
            elif done.day < day:
                before.append(done)
        return cls(tuple(now), tuple(before))

    def at_this_visit(self, category: str) -> tuple[Done, ...]:
        return tuple(d for d in self.now if d.category == category)

    def since(self, category: str, start: date) -> tuple[Done, ...]:
        return tuple(d for d in self.before if d.category == category and d.day >= start)


def due_on(
    *,
    dob: date,
    day: date,
    bundle: Bundle,
    history: Iterable[Done],
    touchpoint_key: str | None = None,
    visit_id: uuid.UUID | None = None,
) -> DueReport:
    """The categories due on ``day`` (at the visit ``visit_id``, if any): those of the
    touchpoint (``touchpoint_key``, or the one whose window holds ``day``) and, marked overdue,
    those of earlier touchpoints with no evidence since (while still worth doing: see
    ``bring_forward_until_months``). ``history`` is the child's evidence, wherever it was
    recorded; evidence after ``day`` counts only when it belongs to this visit. An item is done
    by evidence at this visit or on the day, or, for the touchpoint's own categories, earlier
    in its window."""
    spans = windows(dob)
    if touchpoint_key:
        current = next((s for s in spans if s[0].key == touchpoint_key), None)
    else:
        current = next((s for s in spans if s[2] <= day <= s[3]), None)
    evidence = _Evidence.split(history, day, visit_id)
    items: list[DueItem] = []
    now_keys: set[str] = set()
    if current is not None:
        for entry in bundle.due_at(current[0].key):
            now_keys.add(entry.category)
            shown = evidence.at_this_visit(entry.category) or evidence.since(entry.category, current[2])
            items.append(DueItem(entry.category, entry.instruments, None, shown))
    age = chronological_months(dob, day)
    earlier = [s for s in spans if s[3] < (current[2] if current else day)]
    seen: set[str] = set()
    for point, _target, start, _end in earlier:
        for entry in bundle.due_at(point.key):
            category = entry.category
            if category in now_keys or category in seen:
                continue
            until = bundle.bring_forward_until(category)
            if until is not None and age >= until:
                continue
            if evidence.since(category, start):
                continue
            seen.add(category)
            instruments = bundle.instruments(category, current[0].key) if current else entry.instruments
            items.append(
                DueItem(
                    category,
                    instruments or entry.instruments,
                    point.key,
                    evidence.at_this_visit(category),
                )
            )
    return DueReport(touchpoint=current[0] if current else None, items=tuple(items))
