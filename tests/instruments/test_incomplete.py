"""Missing answers never hide a positive (issue 4): complete is false, total counts what was
answered, positives and critical items are reported once the answers make them certain."""

from __future__ import annotations

from tests.instruments.conftest import run


def test_phq9_positive_already_reached() -> None:
    result = run("phq9", [3, 3, 3, 1, None, None, None, None, None])
    assert (result.total, result.positive, result.complete) == (10, True, False)


def test_phq9_not_yet_positive_is_reported_negative_but_incomplete() -> None:
    result = run("phq9", [3, 3, 3, None, None, None, None, None, None])
    assert (result.total, result.positive, result.complete) == (9, False, False)


def test_critical_item_with_everything_else_missing() -> None:
    result = run("phq9", [None] * 8 + [2])
    assert result.critical_items == (9,) and result.total == 2 and not result.complete
    assert run("epds", [None] * 9 + [0]).critical_items == (10,)


def test_unanswered_critical_item_is_not_flagged() -> None:
    assert run("phq9", [3] * 8 + [None]).critical_items == ()


def test_hits_positive_certain_from_three_items() -> None:
    # 5 + 5 + 1 = 11 > 10 with one item missing (which scores at least 1).
    result = run("hits", [4, 4, 0, None])
    assert (result.total, result.positive, result.complete) == (11, True, False)
    # 3 + 3 + 4 = 10 answered; the missing item adds at least 1, so the total is at least 11.
    assert run("hits", [2, 2, 3, None]).positive is True
    assert run("hits", [2, 2, 2, None]).positive is False  # 9 + at least 1 = 10: not certain


def test_ahc_domain_positive_from_one_answered_item() -> None:
    result = run("ahc-hrsn", [None, None, 0, None, None, None, None, None, None, None])
    assert result.domains["food"] is True and result.positive is True and result.total == 1
    assert not result.complete


def test_ahc_safety_certain_before_all_four_items() -> None:
    result = run("ahc-hrsn", [0, [7], 2, 2, 1, 1, 4, 4, None, None])  # 5 + 5 + at least 1 + 1
    assert result.domains["safety"] is True and result.measures["safety"] == 10


def test_bpsc_subscore_positive_with_a_missing_item() -> None:
    result = run("swyc-bpsc", [2, 1, None, None] + [0] * 8)
    assert result.positive is True and not result.complete


def test_mchat_r_positive_from_partial_answers() -> None:
    # No on item 1, Yes on item 2 (its risk answer), No on items 3 and 4: four risk answers.
    result = run("mchat-r", [1, 0, 1, 1] + [None] * 16)
    assert (result.total, result.positive, result.band, result.complete) == (4, True, "medium", False)


def test_multi_select_empty_list_counts_as_unanswered() -> None:
    result = run("ahc-hrsn", [0, [], 2, 2, 1, 1, 0, 0, 0, 0])
    assert result.complete is False and result.domains["housing-quality"] is False
