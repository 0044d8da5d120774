"""Pure rules: gestational age, Medi-Cal IDs, search keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dyadcare.families.phones import PhoneError, format_us_phone, normalize_us_phone
from dyadcare.families.rules import (
    GA_MAX,
    GA_MIN,
    GestationalAge,
    RuleError,
    normalize_medi_cal_id,
    parse_gestational_age,
    search_key,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("33+2", GestationalAge(33, 2)),
        ("22+0", GA_MIN),
        ("44+6", GA_MAX),
        ("38", GestationalAge(38, 0)),
        (" 40 + 1 ", GestationalAge(40, 1)),
    ],
)
def test_gestational_age_parses(text: str, expected: GestationalAge) -> None:
    assert parse_gestational_age(text) == expected


@pytest.mark.parametrize("text", ["21+6", "45+0", "33+7", "33.2", "thirty", "", "+3"])
def test_gestational_age_outside_the_range_or_malformed(text: str) -> None:
    with pytest.raises(RuleError):
        parse_gestational_age(text)


@given(st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=9))
def test_gestational_age_accepts_exactly_22_0_to_44_6(weeks: int, days: int) -> None:
    inside = days <= 6 and 22 * 7 <= weeks * 7 + days <= 44 * 7 + 6
    try:
        ga = parse_gestational_age(f"{weeks}+{days}")
    except RuleError:
        assert not inside
    else:
        assert inside and ga.total_days == weeks * 7 + days and str(ga) == f"{weeks}+{days}"


@pytest.mark.parametrize(
    ("text", "cin"),
    [
        ("91234567A", "91234567A"),
        ("9123 4567-a", "91234567A"),
        ("91234567A312345", None),
        ("91234567A31234", "91234567A"),
        ("", ""),
    ],
)
def test_medi_cal_ids(text: str, cin: str | None) -> None:
    if cin is None:
        with pytest.raises(RuleError):
            normalize_medi_cal_id(text)
    else:
        assert normalize_medi_cal_id(text) == cin


@pytest.mark.parametrize("text", ["1234567A", "912345678", "A1234567B", "91234567", "9123456AA"])
def test_malformed_medi_cal_ids(text: str) -> None:
    with pytest.raises(RuleError):
        normalize_medi_cal_id(text)


def test_search_key_drops_accents_case_and_punctuation() -> None:
    assert search_key("José García-López") == "jose garcia lopez"
    assert search_key("Ñúñez, MARÍA José") == "nunez maria jose"


def test_phones() -> None:
    assert normalize_us_phone("(510) 555-0134") == "+15105550134"
    assert normalize_us_phone("1-510-555-0134") == "+15105550134"
    assert format_us_phone("+15105550134") == "(510) 555-0134"
    for bad in ("555-0134", "(010) 555-0134", "510 055 0134", "51055501345"):
        with pytest.raises(PhoneError):
            normalize_us_phone(bad)
