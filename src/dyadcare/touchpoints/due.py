"""What a child is due for on a given day: the touchpoint's categories, and the categories
missed at earlier touchpoints that are brought forward (Bright Futures: bring the schedule up
to date as soon as possible). Pure Python."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dyadcare.touchpoints.bundles import Bundle
from dyadcare.touchpoints.schedule import Touchpoint, chronological_months, windows


@dataclass(frozen=True)
class PastVisit:
    """A visit as far as the schedule cares: when, and which categories were done."""

    day: date
    completed_categories: frozenset[str]


@dataclass(frozen=True)
class DueItem:
    category: str
    instruments: tuple[str, ...]
    overdue_since: str | None  # the touchpoint at which it was first missed
    done: bool

    @property
    def overdue(self) -> bool:
        return self.overdue_since is not None


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


def due_on(
    *,
    dob: date,
    day: date,
    bundle: Bundle,
    history: Iterable[PastVisit],
    touchpoint_key: str | None = None,
) -> DueReport:
    """The categories due on ``day``: those of the touchpoint (``touchpoint_key``, or the one
    whose window holds ``day``) and, marked overdue, those of earlier touchpoints not done at
    any visit since (while still worth doing: see ``bring_forward_until_months``)."""
    spans = windows(dob)
    current = None
    if touchpoint_key:
        current = next((s for s in spans if s[0].key == touchpoint_key), None)
    else:
        current = next((s for s in spans if s[2] <= day <= s[3]), None)
    visits = list(history)
    done_today = frozenset().union(*(v.completed_categories for v in visits if v.day == day))
    items: list[DueItem] = []
    now_keys: set[str] = set()
    if current is not None:
        for entry in bundle.due_at(current[0].key):
            now_keys.add(entry.category)
            items.append(DueItem(entry.category, entry.instruments, None, entry.category in done_today))
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
            if any(category in v.completed_categories and v.day >= start for v in visits):
                continue
            seen.add(category)
            instruments = bundle.instruments(category, current[0].key) if current else entry.instruments
            items.append(
                DueItem(category, instruments or entry.instruments, point.key, category in done_today)
            )
    return DueReport(touchpoint=current[0] if current else None, items=tuple(items))
