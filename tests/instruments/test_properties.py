"""Invariants of the scoring engine, over generated answers (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dyadcare.instruments.engine import Instrument, load_library, score
from dyadcare.instruments.engine.definition import AnswerItem

LIBRARY = load_library()
INSTRUMENTS = [LIBRARY.instruments[i] for i in sorted(LIBRARY.instruments)]


def answer_for(item: AnswerItem) -> st.SearchStrategy[Any]:
    if item.kind == "choice":
        return st.integers(0, len(item.options) - 1)
    if item.kind == "multi":
        return st.lists(st.integers(0, len(item.options) - 1), min_size=1, unique=True).map(sorted)
    assert item.minimum is not None and item.maximum is not None
    return st.integers(int(item.minimum), int(item.maximum))


@st.composite
def answered(draw: st.DrawFn, missing: bool = False) -> tuple[Instrument, list[Any]]:
    instrument = draw(st.sampled_from(INSTRUMENTS))
    answers = []
    for item in instrument.items:
        value = draw(answer_for(item))
        if missing and draw(st.booleans()):
            value = None
        answers.append(value)
    return instrument, answers


def weight(instrument: Instrument, item: AnswerItem, answer: Any) -> float:
    if answer is None:
        return -1.0
    if item.kind == "numeric":
        return float(answer)
    positions = answer if isinstance(answer, list) else [answer]
    return max(item.options[p].weight for p in positions)


@settings(max_examples=400, deadline=None)
@given(answered())
def test_totals_stay_within_the_declared_range(case: tuple[Instrument, list[Any]]) -> None:
    instrument, answers = case
    result = score(instrument, answers)
    assert result.complete
    low, high = instrument.scoring.total_range or (float("-inf"), float("inf"))
    assert result.total is not None and low <= result.total <= high
    assert score(instrument, answers) == result  # deterministic


@settings(max_examples=400, deadline=None)
@given(answered(missing=True), st.data())
def test_a_higher_risk_answer_never_lowers_the_result(
    case: tuple[Instrument, list[Any]], data: st.DataObject
) -> None:
    instrument, answers = case
    number = data.draw(st.integers(1, len(instrument.items)))
    item = instrument.item(number)
    current = weight(instrument, item, answers[number - 1])
    candidate = data.draw(answer_for(item))
    if weight(instrument, item, candidate) < current:
        return
    riskier = list(answers)
    riskier[number - 1] = candidate
    before, after = score(instrument, answers), score(instrument, riskier)
    if before.total is not None and instrument.scoring.total == "sum":
        assert after.total is not None and after.total >= before.total
    if before.positive:
        assert after.positive
    assert set(before.critical_items) <= set(after.critical_items)
    assert [k for k, v in before.domains.items() if v] == [
        k for k, v in before.domains.items() if after.domains[k] and v
    ]
    for name, value in before.subscores.items():
        assert after.subscores[name] >= value


@settings(max_examples=400, deadline=None)
@given(answered(missing=True), st.data())
def test_missing_answers_never_hide_a_positive(
    case: tuple[Instrument, list[Any]], data: st.DataObject
) -> None:
    """A positive (or domain, or critical item) reported on an incomplete response holds
    whatever the missing answers turn out to be."""
    instrument, answers = case
    partial = score(instrument, answers)
    completed = [
        a if a is not None else data.draw(answer_for(item))
        for item, a in zip(instrument.items, answers, strict=True)
    ]
    full = score(instrument, completed)
    if partial.positive:
        assert full.positive
    assert set(partial.critical_items) <= set(full.critical_items)
    for name, value in partial.domains.items():
        if value:
            assert full.domains[name]
    if instrument.scoring.total == "sum" and not instrument.scoring.optional_items:
        assert partial.complete == all(a is not None for a in answers)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=10, max_size=10))
def test_epds_reverse_keying(answers: list[int]) -> None:
    """Items 1, 2 and 4 score their position; items 3 and 5-10 score 3 minus it."""
    epds = LIBRARY.get("epds")
    result = score(epds, answers)
    expected = [p if n in (1, 2, 4) else 3 - p for n, p in enumerate(answers, start=1)]
    assert list(result.item_scores) == expected
    assert result.total == sum(expected)


PHQ9_BANDS = [(0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately-severe"), (20, "severe")]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_phq9_band_boundaries(answers: list[int]) -> None:
    result = score(LIBRARY.get("phq9"), answers)
    total = sum(answers)
    assert result.total == total
    assert result.band == [band for low, band in PHQ9_BANDS if total >= low][-1]
    assert result.positive == (total >= 10)
    assert (9 in result.critical_items) == (answers[8] > 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0, 1]), min_size=20, max_size=20))
def test_mchat_r_total_counts_risk_answers(answers: list[int]) -> None:
    result = score(LIBRARY.get("mchat-r"), answers)
    risk = sum(1 for n, a in enumerate(answers, start=1) if (a == 0) == (n in (2, 5, 12)))
    assert result.total == risk
    assert result.band == ("low" if risk <= 2 else "medium" if risk <= 7 else "high")
    assert result.positive == (risk >= 3)
