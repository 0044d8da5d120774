"""The one answer validator: typed answers (``check_answer``) and the strings a form sends
(``answer_from_form``) are checked alike."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyadcare.instruments.engine import (
    AnswerError,
    AnswerItem,
    InputError,
    answer_from_form,
    check_answer,
    load_library,
    parse_answers,
)

LIBRARY = load_library()
ITEMS = [item for ident in sorted(LIBRARY.instruments) for item in LIBRARY.instruments[ident].items]
PHQ9_ITEM = LIBRARY.get("phq9").item(1)  # choice, 4 options
AHC_SAFETY = LIBRARY.get("ahc-hrsn").item(2)  # multi-select, option 7 "None of the above" exclusive
POSI_ITEM = LIBRARY.get("swyc-posi").item(6)  # multi-select, no exclusive option
ASQ_AREA = LIBRARY.get("asq3").item(1)  # score entry, 0 to 60


def problem(item: AnswerItem, values: list[str]) -> AnswerError:
    with pytest.raises(AnswerError) as caught:
        answer_from_form(item, values)
    assert caught.value.item == item.number
    return caught.value


def test_the_items_under_test_are_what_they_claim() -> None:
    assert (PHQ9_ITEM.kind, len(PHQ9_ITEM.options)) == ("choice", 4)
    assert AHC_SAFETY.kind == "multi"
    assert [o.position for o in AHC_SAFETY.options if o.exclusive] == [7]
    assert POSI_ITEM.kind == "multi" and not any(o.exclusive for o in POSI_ITEM.options)
    assert (ASQ_AREA.kind, ASQ_AREA.minimum, ASQ_AREA.maximum) == ("numeric", 0, 60)


# Single choice -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"), [([], None), ([""], None), (["  "], None), (["0"], 0), (["3"], 3)]
)
def test_choice_reads_one_position_and_blank_is_no_answer(values: list[str], expected: int | None) -> None:
    assert answer_from_form(PHQ9_ITEM, values) == expected


def test_choice_tolerates_the_whitespace_a_browser_might_keep() -> None:
    assert answer_from_form(PHQ9_ITEM, [" 2\n"]) == 2


@pytest.mark.parametrize(
    "value", ["4", "-1", "99999999999999999999", "1.0", "1,0", "one", "0x1", "1 2", "\x00"]
)
def test_choice_refuses_what_is_not_an_option(value: str) -> None:
    error = problem(PHQ9_ITEM, [value])
    assert error.code == "choose-option"
    assert error.option is None
    assert str(error).startswith("item 1: ")


def test_choice_takes_one_answer() -> None:
    error = problem(PHQ9_ITEM, ["1", "2"])
    assert error.code == "choose-option"
    assert "one answer" in str(error)


def test_a_single_string_is_a_programming_error_not_a_list() -> None:
    with pytest.raises(TypeError):
        answer_from_form(PHQ9_ITEM, "2")


# Multi-select --------------------------------------------------------------------------------


def test_multi_reads_positions_sorted_without_repeats() -> None:
    assert answer_from_form(POSI_ITEM, ["3", "0", "3", " 1"]) == [0, 1, 3]
    assert answer_from_form(AHC_SAFETY, ["6", "2"]) == [2, 6]


def test_multi_with_nothing_chosen_is_no_answer() -> None:
    assert answer_from_form(POSI_ITEM, []) is None


@pytest.mark.parametrize(
    ("item", "values"),
    [
        (POSI_ITEM, [""]),
        (POSI_ITEM, ["0", ""]),
        (POSI_ITEM, ["x"]),
        (POSI_ITEM, ["1.5"]),
        (POSI_ITEM, ["5"]),
        (POSI_ITEM, ["0", "-1"]),
        (AHC_SAFETY, ["8"]),
    ],
)
def test_multi_refuses_what_is_not_an_option(item: AnswerItem, values: list[str]) -> None:
    assert problem(item, values).code == "choose-option"


def test_an_exclusive_option_is_chosen_alone() -> None:
    assert answer_from_form(AHC_SAFETY, ["7"]) == [7]
    assert answer_from_form(AHC_SAFETY, ["7", "7"]) == [7]
    error = problem(AHC_SAFETY, ["0", "7"])
    assert (error.code, error.option) == ("exclusive", 7)
    assert "None of the above" in str(error)
    assert isinstance(error, InputError)


def test_the_exclusive_check_comes_after_the_option_check() -> None:
    assert problem(AHC_SAFETY, ["7", "8"]).code == "choose-option"
    assert problem(AHC_SAFETY, ["7", "x"]).code == "choose-option"


# Score entry ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        ([""], None),
        ([" "], None),
        (["35"], 35),
        (["35.0"], 35),
        (["0"], 0),
        (["60"], 60),
        (["3,5"], 3.5),
        (["3.5"], 3.5),
        ([" 42,25 "], 42.25),
        (["1e1"], 10),
    ],
)
def test_numeric_reads_a_number_with_a_decimal_point_or_comma(
    values: list[str], expected: float | None
) -> None:
    answer = answer_from_form(ASQ_AREA, values)
    assert answer == expected
    assert type(answer) is type(expected)  # whole numbers come back as int


@pytest.mark.parametrize(
    "value", ["inf", "-inf", "Infinity", "nan", "NaN", "abc", "1,2,3", "3.5.1", "12 a", "--1", "1e999"]
)
def test_numeric_needs_a_finite_number(value: str) -> None:
    error = problem(ASQ_AREA, [value])
    assert error.code == "enter-number"
    assert str(error) == "item 1: a number is needed"


@pytest.mark.parametrize("value", ["61", "60.5", "-0,5", "-1", "1e300"])
def test_numeric_must_be_within_the_item_range(value: str) -> None:
    error = problem(ASQ_AREA, [value])
    assert error.code == "enter-number"
    assert "out of range 0-60" in str(error)


def test_numeric_takes_one_answer() -> None:
    assert problem(ASQ_AREA, ["1", "2"]).code == "enter-number"


# Typed answers: the same checks, the same codes ----------------------------------------------


@pytest.mark.parametrize(
    ("item", "value", "code"),
    [
        (PHQ9_ITEM, 4, "choose-option"),
        (PHQ9_ITEM, True, "choose-option"),
        (PHQ9_ITEM, "1", "choose-option"),
        (PHQ9_ITEM, 1.0, "choose-option"),
        (POSI_ITEM, 1, "choose-option"),
        (POSI_ITEM, [0, 9], "choose-option"),
        (ASQ_AREA, "30", "enter-number"),
        (ASQ_AREA, True, "enter-number"),
        (ASQ_AREA, float("nan"), "enter-number"),
        (ASQ_AREA, 61, "enter-number"),
    ],
)
def test_check_answer_codes(item: AnswerItem, value: Any, code: str) -> None:
    with pytest.raises(AnswerError) as caught:
        check_answer(item, value)
    assert caught.value.code == code


def test_parse_answers_raises_answer_errors_for_one_item_and_input_errors_for_the_list() -> None:
    phq9 = LIBRARY.get("phq9")
    with pytest.raises(AnswerError, match=r"^item 9: position 4 is out of range 0-3$") as caught:
        parse_answers(phq9, "[0,0,0,0,0,0,0,0,4]")
    assert (caught.value.code, caught.value.item) == ("choose-option", 9)
    with pytest.raises(InputError, match="has 9 items") as wrong_count:
        parse_answers(phq9, "[0]")
    assert not isinstance(wrong_count.value, AnswerError)


# Properties ----------------------------------------------------------------------------------


def exclusive_with_others(item: AnswerItem, positions: list[int]) -> bool:
    return len(set(positions)) > 1 and any(item.options[p].exclusive for p in positions)


@st.composite
def typed_answer(draw: st.DrawFn) -> tuple[AnswerItem, Any]:
    """An item and a valid typed answer to it (repeats and any order for multi-select)."""
    item = draw(st.sampled_from(ITEMS))
    if draw(st.integers(0, 9)) == 0:
        return item, None
    if item.kind == "choice":
        return item, draw(st.integers(0, len(item.options) - 1))
    if item.kind == "multi":
        positions = st.lists(st.integers(0, len(item.options) - 1), max_size=len(item.options) + 2)
        return item, draw(positions.filter(lambda p: not exclusive_with_others(item, p)))
    assert item.minimum is not None and item.maximum is not None
    low, high = item.minimum, item.maximum
    return item, draw(st.integers(int(low), int(high)) | st.floats(low, high, allow_nan=False))


def as_form_strings(item: AnswerItem, answer: Any, comma: bool, padding: str) -> list[str]:
    """What a form sends for ``answer``: one string per chosen option, or the number typed."""
    if answer is None:
        return [] if item.kind == "multi" else [padding]
    if item.kind == "multi":
        return [f"{padding}{p}{padding}" for p in answer]
    text = str(answer)
    return [padding + (text.replace(".", ",") if comma else text) + padding]


@settings(max_examples=500, deadline=None)
@given(typed_answer(), st.booleans(), st.sampled_from(["", " ", "\t", "\n"]))
def test_a_valid_answer_written_as_strings_reads_back_the_same(
    case: tuple[AnswerItem, Any], comma: bool, padding: str
) -> None:
    item, answer = case
    expected = check_answer(item, answer)
    read = answer_from_form(item, as_form_strings(item, answer, comma, padding))
    assert read == expected
    if item.kind == "numeric" and read is not None:
        assert isinstance(read, int) == float(read).is_integer()


FORM_TEXT = st.text(max_size=12) | st.from_regex(
    r"\A[ +-]?[0-9]{0,3}([.,][0-9]{0,3})?([eE][+-]?[0-9]{1,3})?\Z"
)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(ITEMS), st.lists(FORM_TEXT, max_size=4))
def test_any_strings_give_an_answer_or_an_answer_error(item: AnswerItem, values: list[str]) -> None:
    error: AnswerError | None = None
    try:
        answer = answer_from_form(item, values)
    except AnswerError as caught:
        error = caught
    if error is None:
        assert check_answer(item, answer) == answer  # what the form gives, the typed check accepts
    else:
        assert error.code in {"choose-option", "enter-number", "exclusive"}
        assert error.item == item.number
        assert (error.option is not None) == (error.code == "exclusive")
        assert str(error)
        assert "\n" not in str(error)
