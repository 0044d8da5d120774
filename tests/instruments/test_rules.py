"""Each instrument's rules against cases worked by hand from the published scoring guides.

Positions are 0-based in printed order (see each data file's notes)."""

from __future__ import annotations

import pytest

from dyadcare.instruments.engine import InputError, Library
from tests.instruments.conftest import run


def contract(instrument: str, answers: list[object], language: str = "en") -> dict[str, object]:
    return run(instrument, answers, language).as_contract()


# PHQ-9 (Kroenke, Spitzer & Williams 2001; LOINC LL382-3 bands): 0-4 minimal, 5-9 mild,
# 10-14 moderate, 15-19 moderately severe, 20-27 severe; item 9 > 0 is critical.
@pytest.mark.parametrize(
    ("answers", "total", "band", "positive"),
    [
        ([0] * 9, 0, "minimal", False),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "minimal", False),
        ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "mild", False),
        ([1, 1, 2, 2, 1, 0, 0, 2, 0], 9, "mild", False),
        ([1, 1, 2, 2, 1, 1, 0, 2, 0], 10, "moderate", True),
        ([3, 3, 3, 2, 1, 1, 0, 1, 0], 14, "moderate", True),
        ([3, 3, 3, 3, 3, 0, 0, 0, 0], 15, "moderately-severe", True),
        ([3, 3, 3, 3, 3, 2, 2, 0, 0], 19, "moderately-severe", True),
        ([3, 3, 3, 3, 3, 3, 2, 0, 0], 20, "severe", True),
        ([3] * 9, 27, "severe", True),
    ],
)
def test_phq9_totals_and_bands(answers: list[int], total: int, band: str, positive: bool) -> None:
    result = contract("phq9", answers)
    assert (result["total"], result["band"], result["positive"]) == (total, band, positive)
    assert result["complete"] is True
    assert result["critical_items"] == ([9] if answers[8] else [])


def test_phq9_item_9_is_critical_whatever_the_total() -> None:
    result = contract("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert result == {
        "instrument": "phq9",
        "total": 1,
        "band": "minimal",
        "positive": False,
        "critical_items": [9],
        "subscores": {},
        "domains": {},
        "complete": True,
    }


def test_phq9_options_print_in_the_published_order(library: Library) -> None:
    labels = [o.display for o in library.get("phq9").item(1).options]
    assert labels == ["Not at all", "Several days", "More than half the days", "Nearly every day"]
    assert library.get("phq9").item(1).options[0].label("es") == "Ningún día"
    assert len(library.get("phq9").items) == 9  # the difficulty question is not scored


# PHQ-2 and GAD-2: positive at 3 (Kroenke 2003, 2007).
@pytest.mark.parametrize("instrument", ["phq2", "gad2"])
def test_two_item_screens_are_positive_at_3(instrument: str) -> None:
    assert contract(instrument, [1, 1])["positive"] is False
    assert contract(instrument, [1, 2])["positive"] is True
    assert contract(instrument, [3, 0])["positive"] is True
    assert contract(instrument, [3, 3])["total"] == 6


# GAD-7 (Spitzer 2006): 5/10/15 mild/moderate/severe; positive at 10.
@pytest.mark.parametrize(
    ("answers", "band", "positive"),
    [
        ([1, 1, 1, 1, 0, 0, 0], "minimal", False),
        ([1, 1, 1, 1, 1, 0, 0], "mild", False),
        ([2, 2, 2, 1, 1, 1, 0], "mild", False),
        ([2, 2, 2, 1, 1, 1, 1], "moderate", True),
        ([3, 3, 3, 3, 3, 0, 0], "severe", True),
    ],
)
def test_gad7_bands(answers: list[int], band: str, positive: bool) -> None:
    result = contract("gad7", answers)
    assert (result["band"], result["positive"]) == (band, positive)


# EPDS (Cox, Holden & Sagovsky 1987): items 1, 2, 4 score 0-3 from the top; items 3 and 5-10
# are reverse-keyed (3-0 from the top); 10+ possible, 13+ probable; item 10 > 0 is critical.
def test_epds_top_options_everywhere_score_21() -> None:
    result = contract("epds", [0] * 10)
    assert result["subscores"] == {}  # the EPDS-3A anxiety items are summed apart
    assert run("epds", [0] * 10).measures == {"anxiety": 6}
    assert result["total"] == 21  # seven reverse-keyed items x 3
    assert result["band"] == "probable" and result["positive"] is True
    assert result["critical_items"] == [10]


def test_epds_bottom_options_everywhere_score_9() -> None:
    result = contract("epds", [3] * 10)
    assert result["total"] == 9  # items 1, 2 and 4 x 3
    assert result["band"] == "unlikely" and result["positive"] is False
    assert result["critical_items"] == []


def test_epds_worked_example() -> None:
    # 1 "as much as always" 0; 2 "rather less" 1; 3 "yes, some of the time" 2; 4 "hardly ever" 1;
    # 5 "no, not much" 1; 6 "yes, sometimes" 2; 7 "not very often" 1; 8 "not very often" 1;
    # 9 "only occasionally" 1; 10 "hardly ever" 1  → 11, possible depression, item 10 flagged.
    result = contract("epds", [0, 1, 1, 1, 2, 1, 2, 2, 2, 2])
    assert result["total"] == 11
    assert result["band"] == "possible" and result["positive"] is True
    assert result["critical_items"] == [10]


def test_epds_item_10_never_is_not_critical() -> None:
    assert contract("epds", [3, 3, 3, 3, 3, 3, 3, 3, 3, 3])["critical_items"] == []
    assert contract("epds", [3, 3, 3, 3, 3, 3, 3, 3, 3, 2])["critical_items"] == [10]


# M-CHAT-R (Robins, Fein & Barton 2009 scoring template): risk answer Yes on 2, 5, 12 and No
# elsewhere; low 0-2, medium 3-7, high 8-20; positive from 3.
def test_mchat_r_typical_child_scores_0() -> None:
    answers = [1 if n in (2, 5, 12) else 0 for n in range(1, 21)]
    result = contract("mchat-r", answers)
    assert (result["total"], result["band"], result["positive"]) == (0, "low", False)


def test_mchat_r_all_yes_scores_the_three_reverse_items() -> None:
    result = contract("mchat-r", [0] * 20)
    assert (result["total"], result["band"], result["positive"]) == (3, "medium", True)


@pytest.mark.parametrize(
    ("failed", "band", "positive"),
    [
        ([], "low", False),
        ([1, 3], "low", False),
        ([1, 3, 4], "medium", True),
        (list(range(1, 8)), "medium", True),
        (list(range(1, 9)), "high", True),
    ],
)
def test_mchat_r_bands(failed: list[int], band: str, positive: bool) -> None:
    typical = {n: (1 if n in (2, 5, 12) else 0) for n in range(1, 21)}
    answers = [1 - typical[n] if n in failed else typical[n] for n in range(1, 21)]
    result = contract("mchat-r", answers)
    assert (result["total"], result["band"], result["positive"]) == (len(failed), band, positive)


def test_mchat_r_all_no_is_high_risk() -> None:
    assert contract("mchat-r", [1] * 20)["total"] == 17


# M-CHAT-R/F: follow-up on the failed items only; positive when 2 or more fail.
def test_mchat_rf_counts_failed_items_among_those_administered() -> None:
    answers: list[object] = [None] * 20
    answers[1], answers[4], answers[11] = 0, 1, 0
    result = contract("mchat-rf", answers)
    assert (result["total"], result["positive"], result["band"], result["complete"]) == (
        1,
        False,
        "negative",
        True,
    )
    answers[11] = 1
    assert contract("mchat-rf", answers)["positive"] is True
    assert contract("mchat-rf", [None] * 20)["complete"] is False


# Hunger Vital Sign (Hager 2010): at risk if either item is often or sometimes true.
@pytest.mark.parametrize(
    ("answers", "positive"),
    [([2, 2], False), ([1, 2], True), ([2, 0], True), ([0, 0], True)],
)
def test_hvs(answers: list[int], positive: bool) -> None:
    result = contract("hvs", answers)
    assert result["positive"] is positive
    assert result["band"] == ("at-risk" if positive else "no-risk")
    assert result["domains"] == {"food": positive}


# AHC HRSN (CMS core questions): safety items 7-10 score Never 1 … Frequently 5, positive above 10.
def test_ahc_hrsn_no_needs() -> None:
    result = contract("ahc-hrsn", [0, [7], 2, 2, 1, 1, 0, 0, 0, 0])
    assert result["total"] == 0 and result["positive"] is False
    assert result["subscores"] == {}
    assert run("ahc-hrsn", [0, [7], 2, 2, 1, 1, 0, 0, 0, 0]).measures == {"safety": 4}
    assert set(result["domains"]) == {
        "housing-instability",
        "housing-quality",
        "food",
        "transportation",
        "utilities",
        "safety",
    }
    assert not any(result["domains"].values())  # type: ignore[attr-defined]


def test_ahc_hrsn_safety_sum_of_10_is_not_positive_but_11_is() -> None:
    ten = contract("ahc-hrsn", [0, [7], 2, 2, 1, 1, 0, 1, 2, 3])  # 1+2+3+4
    assert run("ahc-hrsn", [0, [7], 2, 2, 1, 1, 0, 1, 2, 3]).measures == {"safety": 10}
    assert ten["domains"]["safety"] is False  # type: ignore[index]
    eleven = contract("ahc-hrsn", [0, [7], 2, 2, 1, 1, 1, 1, 2, 3])  # 2+2+3+4
    assert eleven["domains"]["safety"] is True and eleven["positive"] is True  # type: ignore[index]


def test_ahc_hrsn_each_domain() -> None:
    result = contract("ahc-hrsn", [2, [1, 4], 1, 2, 0, 2, 0, 0, 0, 0])
    assert result["domains"] == {
        "housing-instability": True,
        "housing-quality": True,
        "food": True,
        "transportation": True,
        "utilities": True,
        "safety": False,
    }
    assert result["total"] == 5


def test_ahc_hrsn_prints_none_of_the_above_last(library: Library) -> None:
    item = library.get("ahc-hrsn").item(2)
    assert item.kind == "multi" and item.options[-1].display == "None of the above"


# HITS (Sherin 1998): 4 items 1-5, positive above 10; Spanish form positive at 6 (Chen 2005).
def test_hits() -> None:
    assert contract("hits", [0, 0, 0, 0])["total"] == 4
    assert contract("hits", [2, 2, 2, 0])["positive"] is False  # 3+3+3+1 = 10
    assert contract("hits", [2, 2, 2, 1])["positive"] is True  # 11
    assert contract("hits", [4, 4, 4, 4])["total"] == 20


def test_hits_spanish_cut_off() -> None:
    assert contract("hits", [1, 1, 0, 0], language="es")["positive"] is True  # 2+2+1+1 = 6
    assert contract("hits", [1, 0, 0, 0], language="es")["positive"] is False  # 5
    assert contract("hits", [1, 1, 0, 0])["positive"] is False


# TAPS-1 (NIDA): each substance positive when not Never.
def test_taps1_domains() -> None:
    none = contract("taps1", [0, 0, 0, 0])
    assert none["positive"] is False and none["total"] == 0
    result = contract("taps1", [0, 1, 0, 4])
    assert result["domains"] == {
        "tobacco": False,
        "alcohol": True,
        "illicit-drugs": False,
        "prescription-misuse": True,
    }
    assert result["positive"] is True and result["total"] == 2


# SWYC BPSC (Scoring Directions v1.06): three 4-item subscales, positive when any is 3 or more.
def test_bpsc_subscores() -> None:
    result = contract("swyc-bpsc", [1, 1, 0, 0, 1, 1, 0, 0, 2, 0, 0, 0])
    assert result["subscores"] == {"irritability": 2, "inflexibility": 2, "routines": 2}
    assert result["positive"] is False
    result = contract("swyc-bpsc", [0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0])
    assert result["subscores"]["inflexibility"] == 3 and result["positive"] is True  # type: ignore[index]


# SWYC PPSC: total of 18 items, positive at 9 by default.
def test_ppsc_threshold(library: Library) -> None:
    assert contract("swyc-ppsc", [2, 2, 2, 2, 0] + [0] * 13)["positive"] is False  # 8
    assert contract("swyc-ppsc", [2, 2, 2, 2, 1] + [0] * 13)["positive"] is True  # 9
    stricter = library.get("swyc-ppsc").with_overrides({"positive_at_least": 10})
    assert run(stricter, [2, 2, 2, 2, 1] + [0] * 13).positive is False


# SWYC POSI: 1 point in the three right-most columns; items 6-7 check-all; positive at 3.
def test_posi(library: Library) -> None:
    typical = contract("swyc-posi", [0, 1, 1, 0, 0, [0, 1], [0]])
    assert typical["total"] == 0 and typical["positive"] is False
    result = contract("swyc-posi", [2, 0, 0, 0, 4, [1, 2], [3]])
    assert result["total"] == 4 and result["positive"] is True
    last_two = library.get("swyc-posi").with_overrides({"check_all_weights": [0, 0, 0, 1, 1]})
    assert run(last_two, [2, 0, 0, 0, 4, [1, 2], [3]]).total == 3


# PEARLS (ACEs Aware): ACE score = Part 1; low 0, intermediate 1-3, high 4+; Part 2 apart.
@pytest.mark.parametrize(
    ("yes", "band", "positive"),
    [
        (0, "low", False),
        (1, "intermediate", False),
        (3, "intermediate", False),
        (4, "high", True),
        (10, "high", True),
    ],
)
def test_pearls(yes: int, band: str, positive: bool) -> None:
    answers = [0 if n <= yes else 1 for n in range(1, 11)] + [0, 0, 1, 1, 1, 1, 1]
    result = contract("pearls-child", answers)
    assert result["total"] == yes
    assert (result["band"], result["positive"]) == (band, positive)
    assert result["subscores"] == {"part2": 2}


# ASQ-3 and ASQ:SE-2: staff enter scores and zones.
def test_asq3_score_entry() -> None:
    result = contract("asq3", [55, 0, 40, 1, 60, 0, 50, 0, 45, 0])
    assert (result["total"], result["band"], result["positive"]) == (0, "monitoring", False)
    assert result["subscores"]["gross-motor"] == 40  # type: ignore[index]
    result = contract("asq3", [55, 0, 20, 2, 60, 0, 50, 0, 45, 0])
    assert result["domains"]["gross-motor"] is True and result["positive"] is True  # type: ignore[index]
    with pytest.raises(InputError, match="out of range"):
        run("asq3", [65, 0, 40, 1, 60, 0, 50, 0, 45, 0])


def test_asqse2_score_entry() -> None:
    assert contract("asqse2", [35, 0])["positive"] is False
    result = contract("asqse2", [120, 2])
    assert (result["total"], result["band"], result["positive"]) == (120, "above-cutoff", True)


# CDC milestones: surveillance, never a pass or fail.
def test_cdc_milestones_never_give_a_result(library: Library) -> None:
    checklist = library.get("cdc-milestones", age=9)
    answers = [2] * len(checklist.items)
    result = run(checklist, answers)
    assert result.positive is None and result.band is None
    assert result.total == len(checklist.items)
    assert sum(result.subscores.values()) == result.total
