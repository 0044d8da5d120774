"""The 837P writer, checked by pyx12's own validator against the 005010X222A1 map."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from dyadcare.billing.export import x12
from dyadcare.billing.export.validate import problems

ADDRESS = x12.Address("100 Main St #4", "Oakland", "CA", "94607")
ANA = x12.Provider("1234567893", "Rivera", "Ana", taxonomy="1041C0700X")
LI = x12.Provider("1245319599", "Chen", "Li")


def _child(cin: str = "91234567A", first: str = "Maya") -> x12.Subscriber:
    return x12.Subscriber(cin, "López*", first, date(2025, 3, 1), "F", ADDRESS)


def _claim(child: x12.Subscriber, day: int, *lines: x12.ServiceLine) -> x12.Claim:
    return x12.Claim(f"C-{child.member_id}-{day}", child, date(2025, 11, day), ("Z13.31", "Z00.129"), lines)


def _interchange(*claims: x12.Claim, control: int = 7) -> x12.Interchange:
    return x12.Interchange(
        control_number=control,
        created=datetime(2025, 12, 1, 9, 30),
        submitter=x12.Party("Clinic A", "SUB123", "Pat Doe", "(510) 555-1234"),
        receiver=x12.Party("Medi-Cal", "610442"),
        billing=x12.BillingProvider(x12.Provider("1003000126", "Clinic A~"), "12-3456789", ADDRESS),
        payer=x12.Party("Medi-Cal", "610442"),
        claims=claims,
        reference="batch-1",
    )


def _line(code: str, *mods: str, who: x12.Provider = ANA, units: int = 1, ptr=(1,)) -> x12.ServiceLine:
    return x12.ServiceLine(code, mods, Decimal("12.50"), units, ptr, who, reference=f"L-{code}")


def test_a_month_of_claims_for_two_children_passes_pyx12() -> None:
    maya, leo = _child(), _child("92345678B", "Leo")
    text = x12.write_837p(
        _interchange(
            _claim(maya, 3, _line("G8431", "HD"), _line("H2015", who=LI, units=2, ptr=(1, 2))),
            _claim(leo, 3, _line("96110")),
            _claim(maya, 17, _line("G9920", who=LI)),
        )
    )
    assert problems(text) == []
    segments = [s.strip() for s in text.split("~") if s.strip()]
    assert [s.split("*")[0] for s in segments].count("CLM") == 3
    # one subscriber loop per child, the second claim of a child under the same loop
    assert [s for s in segments if s.startswith("HL*")] == ["HL*1**20*1", "HL*2*1*22*0", "HL*3*1*22*0"]
    assert "NM1*IL*1*LOPEZ*MAYA****MI*91234567A" in segments
    assert "SV1*HC:G8431:HD*12.5*UN*1***1" in segments
    assert "HI*ABK:Z1331*ABF:Z00129" in segments
    # Li renders a line of a claim whose first line is Ana's: 2420A names Li
    assert segments.index("NM1*82*1*CHEN*LI****XX*1245319599") > segments.index(
        "SV1*HC:H2015*12.5*UN*2***1:2"
    )
    se = next(s for s in segments if s.startswith("SE*"))
    st = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    assert int(se.split("*")[1]) == segments.index(se) - st + 1
    assert segments[-1] == "IEA*1*000000007" and segments[-2] == "GE*1*7"
    assert "NM1*85*2*CLINIC A*****XX*1003000126" in segments  # the separator in the name is gone


def test_the_validator_reports_a_broken_file() -> None:
    text = x12.write_837p(_interchange(_claim(_child(), 3, _line("G8431", "HD"))))
    assert problems(text) == []
    wrong_count = text.replace("SE*", "SE*9", 1)
    assert any("SE count" in p for p in problems(wrong_count))
    no_procedure = text.replace("SV1*HC:", "SV1*ZZ:", 1)
    assert problems(no_procedure)
    no_diagnosis = "".join(s + "~" for s in text.split("~") if s.strip() and not s.strip().startswith("HI*"))
    assert problems(no_diagnosis)


def test_isa_fields_are_fixed_width() -> None:
    text = x12.write_837p(_interchange(_claim(_child(), 3, _line("T1027")), control=123))
    isa = text.split("~")[0]
    assert len(isa) + 1 == 106  # with its terminator
    assert isa.split("*")[13] == "000000123"


@pytest.mark.parametrize("control", [0, 1_000_000_000])
def test_control_numbers_out_of_range_are_refused(control: int) -> None:
    with pytest.raises(ValueError):
        x12.write_837p(_interchange(_claim(_child(), 3, _line("T1027")), control=control))


def test_an_empty_interchange_is_refused() -> None:
    with pytest.raises(ValueError):
        x12.write_837p(_interchange())
