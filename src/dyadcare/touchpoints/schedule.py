"""The birth-to-3 touchpoint schedule: target dates, windows, corrected age, what is due.

Pure Python (no Django): the rules come from ``data/periodicity.json`` (read and checked by
:mod:`dyadcare.clinicaldata`) and every function is a plain calculation on dates, so the
command line, the web pages and the benchmarks share one implementation.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any, Literal

from dyadcare.clinicaldata import Provenance, Source, load

Status = Literal["past", "current", "upcoming"]


def add_months(start: date, months: int) -> date:
    """Calendar months later, clamped to the end of a shorter month (Jan 31 + 1 = Feb 28/29)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Touchpoint:
    key: str
    label: str
    label_es: str
    months: int
    days: int
    due: tuple[str, ...]
    provenance: Provenance = field(compare=False, repr=False)

    def target(self, dob: date) -> date:
        return add_months(dob, self.months) + timedelta(days=self.days)

    @property
    def nominal_months(self) -> float:
        """The visit's age in months (3 days is 0.1 months)."""
        return self.months + self.days / correction_rule().days_per_month


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    label_es: str
    bring_forward_until_months: int | None
    provenance: Provenance = field(compare=False, repr=False)


def touchpoints() -> tuple[Touchpoint, ...]:
    return periodicity().touchpoints


@cache
def categories() -> dict[str, Category]:
    return {c.key: c for c in periodicity().categories}


def touchpoint(key: str) -> Touchpoint:
    for t in touchpoints():
        if t.key == key:
            return t
    raise KeyError(key)


@dataclass(frozen=True)
class CorrectionRule:
    """When a child is screened by corrected age (see the data file for the sources)."""

    term_days: int = 280
    threshold_days: int = 21
    until_months: int = 24
    days_per_month: float = 30.4375

    def days_early(self, gestational_age_days: int | None) -> int:
        if gestational_age_days is None:
            return 0
        return max(0, self.term_days - gestational_age_days)

    def applies(self, gestational_age_days: int | None) -> bool:
        """Born at least ``threshold_days`` before term."""
        return self.days_early(gestational_age_days) >= self.threshold_days


_rule_override: CorrectionRule | None = None


@dataclass(frozen=True)
class Periodicity:
    """``data/periodicity.json``, typed."""

    title: str
    edition: str
    sources: Mapping[str, Source]
    categories: tuple[Category, ...]
    touchpoints: tuple[Touchpoint, ...]
    last_window_end_months: int
    windows_provenance: Provenance
    corrected_age: CorrectionRule
    corrected_age_provenance: Provenance


def category_from(entry: Mapping[str, Any], provenance: Provenance) -> Category:
    return Category(
        entry["key"], entry["label"], entry["label_es"], entry["bring_forward_until_months"], provenance
    )


@cache
def periodicity() -> Periodicity:
    data = load("periodicity")
    windows, corrected = data["windows"], data["corrected_age"]
    return Periodicity(
        title=data["title"],
        edition=data["edition"],
        sources=data.sources,
        categories=tuple(category_from(c, data.provenance(c)) for c in data["categories"]),
        touchpoints=tuple(
            Touchpoint(
                key=t["key"],
                label=t["label"],
                label_es=t["label_es"],
                months=t["age"].get("months", 0),
                days=t["age"].get("days", 0),
                due=tuple(t["due"]),
                provenance=data.provenance(t),
            )
            for t in data["touchpoints"]
        ),
        last_window_end_months=windows["last_end_months"],
        windows_provenance=data.provenance(windows),
        corrected_age=CorrectionRule(
            corrected["term_days"],
            corrected["threshold_days"],
            corrected["until_months"],
            corrected["days_per_month"],
        ),
        corrected_age_provenance=data.provenance(corrected),
    )


CATEGORY_ORDER = tuple(c.key for c in periodicity().categories)
TOUCHPOINT_KEYS = tuple(t.key for t in periodicity().touchpoints)


def _data_rule() -> CorrectionRule:
    return periodicity().corrected_age


def correction_rule() -> CorrectionRule:
    return _rule_override or _data_rule()


def configure_correction(rule: CorrectionRule | None) -> None:
    """Replace the data file's rule (deployment configuration); ``None`` restores it."""
    global _rule_override
    _rule_override = rule


def windows(dob: date) -> list[tuple[Touchpoint, date, date, date]]:
    """(touchpoint, target, window start, window end) for every touchpoint. Windows are
    inclusive dates; each starts the day after the previous one ends (no gap, no overlap);
    the first starts at birth, the last ends at ``last_window_end_months``."""
    points = touchpoints()
    targets = [t.target(dob) for t in points]
    starts = [dob]
    for earlier, later in itertools.pairwise(targets):
        starts.append(earlier + timedelta(days=((later - earlier).days + 1) // 2))
    ends = [start - timedelta(days=1) for start in starts[1:]]
    ends.append(max(add_months(dob, periodicity().last_window_end_months), targets[-1]))
    return list(zip(points, targets, starts, ends, strict=True))


def chronological_months(dob: date, on: date) -> float:
    """Age in months as a decimal: completed calendar months plus the fraction of the next."""
    months = (on.year - dob.year) * 12 + on.month - dob.month
    if add_months(dob, months) > on:
        months -= 1
    anchor = add_months(dob, months)
    following = add_months(dob, months + 1)
    return months + (on - anchor).days / max(1, (following - anchor).days)


def screening_age_months(
    months: float, gestational_age_days: int | None, rule: CorrectionRule | None = None
) -> float:
    """The age to screen by at chronological age ``months``: corrected (minus the days born
    early) while correction applies and the child is under ``until_months``."""
    rule = rule or correction_rule()
    if rule.applies(gestational_age_days) and months < rule.until_months:
        return months - rule.days_early(gestational_age_days) / rule.days_per_month
    return months


@dataclass(frozen=True)
class ChildAge:
    """A child's age on a day, by the one rule every page and plan follows: visits and
    touchpoints go by chronological age (``days``, ``months``); instrument choice and
    validated-age checks go by ``screening_months``, the corrected age while correction
    applies (born ``threshold_days`` or more before term, under ``until_months``
    chronologically), else the chronological age. ``corrected_days`` is None when correction
    does not apply."""

    days: int
    months: float
    corrected_days: int | None
    corrected_months: float | None

    @property
    def screening_months(self) -> float:
        return self.months if self.corrected_months is None else self.corrected_months


def child_age(
    dob: date, gestational_age_days: int | None, on: date, rule: CorrectionRule | None = None
) -> ChildAge:
    """The child's age on ``on`` (see :class:`ChildAge`)."""
    rule = rule or correction_rule()
    months = chronological_months(dob, on)
    days = (on - dob).days
    if not rule.applies(gestational_age_days) or months >= rule.until_months:
        return ChildAge(days, months, None, None)
    early = rule.days_early(gestational_age_days)
    return ChildAge(days, months, days - early, screening_age_months(months, gestational_age_days, rule))


@dataclass(frozen=True)
class ScheduledTouchpoint:
    touchpoint: Touchpoint
    target_date: date
    window_start: date
    window_end: date
    screening_age_months: float
    corrected: bool
    status: Status

    @property
    def due(self) -> tuple[str, ...]:
        return self.touchpoint.due


def status_on(start: date, end: date, on: date) -> Status:
    if end < on:
        return "past"
    if start > on:
        return "upcoming"
    return "current"


def child_schedule(
    dob: date, gestational_age_days: int | None, as_of: date, rule: CorrectionRule | None = None
) -> list[ScheduledTouchpoint]:
    rule = rule or correction_rule()
    result = []
    for point, target, start, end in windows(dob):
        months = point.nominal_months
        corrected_age = screening_age_months(months, gestational_age_days, rule)
        result.append(
            ScheduledTouchpoint(
                touchpoint=point,
                target_date=target,
                window_start=start,
                window_end=end,
                screening_age_months=corrected_age,
                corrected=corrected_age != months,
                status=status_on(start, end, as_of),
            )
        )
    return result


def touchpoint_on(dob: date, day: date) -> Touchpoint | None:
    """The touchpoint whose window contains ``day`` (None before birth or after the last)."""
    for point, _target, start, end in windows(dob):
        if start <= day <= end:
            return point
    return None


def schedule_json(
    dob: date, gestational_age_days: int | None, as_of: date, rule: CorrectionRule | None = None
) -> dict[str, Any]:
    """The ``dyadcare schedule`` contract."""
    rule = rule or correction_rule()
    ga = None
    if gestational_age_days is not None:
        weeks, days = divmod(gestational_age_days, 7)
        ga = f"{weeks}+{days}"
    return {
        "dob": dob.isoformat(),
        "gestational_age": ga,
        "corrected": rule.applies(gestational_age_days),
        "touchpoints": [
            {
                "key": s.touchpoint.key,
                "target_date": s.target_date.isoformat(),
                "window_start": s.window_start.isoformat(),
                "window_end": s.window_end.isoformat(),
                "screening_age_months": round(s.screening_age_months, 1),
                "due": list(s.due),
                "status": s.status,
            }
            for s in child_schedule(dob, gestational_age_days, as_of, rule)
        ],
    }
