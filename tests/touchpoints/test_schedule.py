"""The schedule rules: calendar months, windows, corrected age, what is due."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyadcare.touchpoints.schedule import (
    CorrectionRule,
    add_months,
    child_schedule,
    chronological_months,
    schedule_json,
    screening_age_months,
    touchpoint_on,
    windows,
)

KEYS = ["newborn", "3-5d", "1m", "2m", "4m", "6m", "9m", "12m", "15m", "18m", "24m", "30m", "36m"]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap February
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2024, 12, 15), 2, date(2025, 2, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # a leap-day birthday in a common year
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2023, 10, 31), 4, date(2024, 2, 29)),
    ],
)
def test_calendar_months_clamp_to_the_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_targets_for_a_month_end_birthday() -> None:
    result = schedule_json(date(2024, 1, 31), None, date(2024, 6, 1))
    targets = {t["key"]: t["target_date"] for t in result["touchpoints"]}
    assert [t["key"] for t in result["touchpoints"]] == KEYS
    assert targets == {
        "newborn": "2024-01-31",
        "3-5d": "2024-02-03",
        "1m": "2024-02-29",
        "2m": "2024-03-31",
        "4m": "2024-05-31",
        "6m": "2024-07-31",
        "9m": "2024-10-31",
        "12m": "2025-01-31",
        "15m": "2025-04-30",
        "18m": "2025-07-31",
        "24m": "2026-01-31",
        "30m": "2026-07-31",
        "36m": "2027-01-31",
    }


def test_due_categories_follow_the_periodicity_schedule() -> None:
    due = {
        t["key"]: set(t["due"])
        for t in schedule_json(date(2025, 5, 5), None, date(2025, 5, 5))["touchpoints"]
    }
    for key in KEYS:
        assert "behavioral-social-emotional" in due[key]
    assert {k for k, cats in due.items() if "maternal-depression" in cats} == {"1m", "2m", "4m", "6m"}
    assert {k for k, cats in due.items() if "developmental" in cats} == {"9m", "18m", "30m"}
    assert {k for k, cats in due.items() if "autism" in cats} == {"18m", "24m"}
    family = [k for k in KEYS if "family-needs" in due[k]]
    assert family[0] == "newborn", "at the first visit"
    assert family == ["newborn", "12m", "24m", "36m"], "and once a year after"


@pytest.mark.parametrize(
    ("ga", "corrected", "at_18m", "at_24m"),
    [
        ("37+0", True, 17.3, 24.0),  # exactly 3 weeks early: corrected (18 - 21/30.4375)
        ("37+1", False, 18.0, 24.0),  # 20 days early: not corrected
        ("33+2", True, 16.5, 24.0),  # 47 days early
        ("40+0", False, 18.0, 24.0),
        ("42+3", False, 18.0, 24.0),  # post-term: never "corrected" upwards
    ],
)
def test_corrected_age_on_both_sides_of_3_weeks_and_24_months(
    ga: str, corrected: bool, at_18m: float, at_24m: float
) -> None:
    weeks, days = (int(p) for p in ga.split("+"))
    result = schedule_json(date(2024, 3, 10), weeks * 7 + days, date(2024, 3, 10))
    by_key = {t["key"]: t for t in result["touchpoints"]}
    assert result["corrected"] is corrected
    assert result["gestational_age"] == ga
    assert by_key["18m"]["screening_age_months"] == at_18m
    assert by_key["24m"]["screening_age_months"] == at_24m, "no correction from 24 months"
    assert by_key["30m"]["screening_age_months"] == 30.0


def test_correction_stops_exactly_at_24_months_of_chronological_age() -> None:
    ga = 33 * 7  # 49 days early
    assert screening_age_months(23.99, ga) == pytest.approx(23.99 - 49 / 30.4375)
    assert screening_age_months(24.0, ga) == 24.0


def test_visits_stay_on_chronological_age() -> None:
    term = schedule_json(date(2024, 3, 10), 280, date(2024, 3, 10))["touchpoints"]
    preterm = schedule_json(date(2024, 3, 10), 200, date(2024, 3, 10))["touchpoints"]
    strip = lambda rows: [(r["key"], r["target_date"], r["window_start"], r["window_end"]) for r in rows]  # noqa: E731
    assert strip(term) == strip(preterm)


def test_term_and_threshold_are_configurable() -> None:
    asq_convention = CorrectionRule(term_days=39 * 7, threshold_days=21)
    assert asq_convention.applies(36 * 7) and not asq_convention.applies(36 * 7 + 1)
    assert CorrectionRule(threshold_days=14).applies(38 * 7)


def test_status_and_unknown_gestational_age() -> None:
    result = schedule_json(date(2025, 1, 1), None, date(2025, 4, 20))
    assert result["gestational_age"] is None and result["corrected"] is False
    statuses = {t["key"]: t["status"] for t in result["touchpoints"]}
    assert statuses["2m"] == "past" and statuses["4m"] == "current" and statuses["6m"] == "upcoming"


def test_chronological_months() -> None:
    assert chronological_months(date(2024, 1, 31), date(2024, 2, 29)) == 1.0
    assert chronological_months(date(2024, 1, 15), date(2024, 1, 30)) == pytest.approx(15 / 31)
    assert chronological_months(date(2024, 1, 15), date(2025, 1, 14)) < 12


births = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))


@settings(max_examples=300)
@given(births)
def test_windows_touch_without_overlap_or_gap_from_birth_to_42_months(dob: date) -> None:
    spans = windows(dob)
    assert [s[0].key for s in spans] == KEYS
    assert spans[0][2] == dob
    for _p, target, start, end in spans:
        assert start <= target <= end
    for earlier, later in itertools.pairwise(spans):
        assert later[2] == earlier[3] + timedelta(days=1)
        assert later[1] > earlier[1]
    assert spans[-1][3] >= add_months(dob, 42)


@settings(max_examples=200)
@given(
    births,
    st.integers(min_value=0, max_value=42 * 31),
    st.one_of(st.none(), st.integers(min_value=154, max_value=314)),
)
def test_exactly_one_touchpoint_is_current_until_42_months(dob: date, offset: int, ga: int | None) -> None:
    day = dob + timedelta(days=offset)
    schedule = child_schedule(dob, ga, day)
    statuses = [s.status for s in schedule]
    if day <= schedule[-1].window_end:
        assert statuses.count("current") == 1
        current = statuses.index("current")
        assert set(statuses[:current]) <= {"past"} and set(statuses[current + 1 :]) <= {"upcoming"}
        assert touchpoint_on(dob, day) == schedule[current].touchpoint
    for s in schedule:
        assert s.screening_age_months <= s.touchpoint.nominal_months
        if s.touchpoint.months >= 24:
            assert s.screening_age_months == s.touchpoint.nominal_months
