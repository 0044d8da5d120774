"""The billing engine's rules at their boundaries (pure: no database)."""

from __future__ import annotations

from datetime import date

import pytest

from dyadcare.billing.engine import (
    Child,
    Event,
    InputError,
    Line,
    Override,
    PriorLine,
    Settings,
    Staff,
    add_months,
    evaluate,
    ruleset,
    units_for,
)

DOB = date(2025, 1, 15)
NPI = "1234567893"
LCSW = Staff("lcsw", "LCSW", NPI, date(2024, 1, 1))
LCSW2 = Staff("lcsw2", "lcsw", NPI, date(2024, 1, 1))
UNATTESTED = Staff("md", "MD", NPI, None)
CHW = Staff("chw", "CHW", NPI)
BABY = Child("c", DOB, True)
STAFF = [LCSW, LCSW2, UNATTESTED, CHW]


def run(
    *events: Event,
    child: Child = BABY,
    settings: Settings | None = None,
    history: list[PriorLine] | None = None,
) -> list[Line]:
    return evaluate(
        ruleset=ruleset(),
        children=[child],
        staff=STAFF,
        events=events,
        settings=settings,
        history=history or [],
    )


def maternal(n: int, day: date, *, positive: bool = False, plan: bool = False, staff: str = "lcsw") -> Event:
    return Event(
        f"m{n}",
        day,
        "c",
        staff,
        "screening",
        instrument="epds",
        subject="caregiver",
        positive=positive,
        follow_up_plan=plan,
    )


def ace(n: str, day: date, score: int, staff: str = "lcsw") -> Event:
    return Event(
        n,
        day,
        "c",
        staff,
        "screening",
        instrument="PEARLS",
        subject="child",
        positive=score >= 4,
        ace_score=score,
    )


def service(
    n: str,
    kind: str,
    minutes: int | None,
    *,
    staff: str = "lcsw",
    day: date = date(2025, 3, 3),
    present: bool = True,
) -> Event:
    return Event(n, day, "c", staff, "service", service=kind, minutes=minutes, child_present=present)


def codes(line: Line) -> list[str]:
    return [r.code for r in line.reasons]


# Maternal depression screening: G8431/G8510 with HD, four in the infant's first year.


def test_a_negative_maternal_screen_bills_g8510_with_hd() -> None:
    (line,) = run(maternal(1, date(2025, 2, 15)))
    assert (line.code, line.modifiers, line.units, line.status) == ("G8510", ["HD"], 1, "ready")


def test_a_positive_maternal_screen_needs_a_follow_up_plan() -> None:
    (without,) = run(maternal(1, date(2025, 2, 15), positive=True))
    (with_plan,) = run(maternal(1, date(2025, 2, 15), positive=True, plan=True))
    assert (without.code, without.status, codes(without)) == ("G8431", "held", ["no-follow-up-plan"])
    assert (with_plan.code, with_plan.modifiers, with_plan.status) == ("G8431", ["HD"], "ready")


def test_the_fourth_maternal_screen_bills_and_the_fifth_is_held() -> None:
    days = [date(2025, 2, 15), date(2025, 3, 15), date(2025, 5, 15), date(2025, 7, 15), date(2025, 9, 15)]
    lines = run(*(maternal(n, d, positive=n % 2 == 0, plan=True) for n, d in enumerate(days)))
    assert [line.status for line in lines] == ["ready", "ready", "ready", "ready", "held"]
    assert codes(lines[4]) == ["frequency-limit"]
    assert lines[4].reasons[0].params["max"] == 4


def test_a_held_maternal_screen_does_not_count_toward_the_four() -> None:
    days = [date(2025, 2, 15), date(2025, 3, 15), date(2025, 5, 15), date(2025, 7, 15), date(2025, 9, 15)]
    events = [maternal(n, d, positive=True, plan=n != 0) for n, d in enumerate(days)]
    assert [line.status for line in run(*events)] == ["held", "ready", "ready", "ready", "ready"]


def test_the_day_before_the_first_birthday_bills_and_the_birthday_does_not() -> None:
    (before,) = run(maternal(1, date(2026, 1, 14)))
    (birthday,) = run(maternal(1, date(2026, 1, 15)))
    assert before.status == "ready"
    assert (birthday.status, codes(birthday)) == ("held", ["after-first-year"])


def test_maternal_screens_are_taken_in_date_order_whatever_the_file_order() -> None:
    days = [date(2025, 9, 15), date(2025, 2, 15), date(2025, 3, 15), date(2025, 5, 15), date(2025, 7, 15)]
    lines = run(*(maternal(n, d) for n, d in enumerate(days)))
    assert [(line.event, line.status) for line in lines][-1] == ("m0", "held")


def test_two_providers_do_not_both_bill_one_caregiver_screen_on_one_day() -> None:
    lines = run(maternal(1, date(2025, 2, 15)), maternal(2, date(2025, 2, 15), staff="lcsw2"))
    assert [line.status for line in lines] == ["ready", "held"]


def test_a_caregiver_without_coverage_is_still_billed_under_the_child() -> None:
    # The caregiver's coverage is not an input at all: only the child's enrolment decides.
    (line,) = run(maternal(1, date(2025, 2, 15)), child=Child("c", DOB, True, medi_cal_id="91234567A"))
    assert (line.status, line.medi_cal_id) == ("ready", "91234567A")
    assert "caregiver-service-under-child-id" in [n.code for n in line.notes]


def test_a_child_not_enrolled_holds_the_line() -> None:
    (line,) = run(maternal(1, date(2025, 2, 15)), child=Child("c", DOB, False))
    assert (line.status, codes(line)) == ("held", ["child-not-enrolled"])


# ACE screening: G9919 for 4 or more, G9920 for 0-3, once per 12 months per provider, attested.


@pytest.mark.parametrize(("score", "code"), [(0, "G9920"), (3, "G9920"), (4, "G9919"), (10, "G9919")])
def test_the_ace_score_picks_the_code(score: int, code: str) -> None:
    (line,) = run(ace("a", date(2025, 6, 1), score))
    assert (line.code, line.status) == (code, "ready")


def test_one_provider_bills_one_ace_screen_per_12_months() -> None:
    lines = run(
        ace("a1", date(2025, 6, 1), 2), ace("a2", date(2026, 5, 31), 5), ace("a3", date(2026, 6, 1), 5)
    )
    assert [(line.event, line.status) for line in lines] == [("a1", "ready"), ("a2", "held"), ("a3", "ready")]
    assert codes(lines[1]) == ["frequency-limit"]


def test_another_provider_may_screen_within_the_12_months() -> None:
    lines = run(ace("a1", date(2025, 6, 1), 2), ace("a2", date(2025, 8, 1), 2, staff="lcsw2"))
    assert [line.status for line in lines] == ["ready", "ready"]


def test_an_unattested_provider_holds_the_ace_line() -> None:
    (line,) = run(ace("a", date(2025, 6, 1), 2, staff="md"))
    assert (line.status, codes(line)) == ("held", ["provider-not-aces-attested"])


def test_an_attestation_after_the_screen_does_not_cover_it() -> None:
    late = Staff("late", "lcsw", NPI, date(2025, 6, 2))
    (line,) = evaluate(
        ruleset=ruleset(), children=[BABY], staff=[late], events=[ace("a", date(2025, 6, 1), 2, staff="late")]
    )
    assert codes(line) == ["provider-not-aces-attested"]


def test_an_exported_ace_line_counts_on_either_side_of_the_date() -> None:
    history = [PriorLine("c", "lcsw", date(2025, 9, 1), "G9920", "ace")]
    (line,) = run(ace("a", date(2025, 6, 1), 2), history=history)
    assert codes(line) == ["frequency-limit"]


# Timed dyadic services: units by the 8-minute rule (configurable).


@pytest.mark.parametrize(("minutes", "units"), [(7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3)])
def test_units_by_the_eight_minute_rule(minutes: int, units: int) -> None:
    assert units_for(minutes, per_unit=15, first_unit=8, eight_minute_rule=True) == units


def test_seven_minutes_holds_the_line_and_eight_bill_one_unit() -> None:
    lines = run(
        service("s7", "community-supports", 7),
        service("s8", "psychoeducation", 8),
        service("s23", "family-training", 23),
    )
    seven, eight, twenty_three = (
        next(line for line in lines if line.event == e) for e in ("s7", "s8", "s23")
    )
    assert (seven.code, seven.units, seven.status, codes(seven)) == (
        "H2015",
        0,
        "held",
        ["under-minimum-minutes"],
    )
    assert (eight.code, eight.units, eight.status) == ("H2027", 1, "ready")
    assert (twenty_three.code, twenty_three.units, twenty_three.status) == ("T1027", 2, "ready")


def test_whole_units_only_when_the_clinic_turns_the_rule_off() -> None:
    (line,) = run(service("s", "community-supports", 22), settings=Settings(eight_minute_rule=False))
    (fifteen,) = run(service("s", "community-supports", 15), settings=Settings(eight_minute_rule=False))
    assert (line.units, line.status) == (1, "ready")
    assert (fifteen.units) == 1
    (short,) = run(service("s", "community-supports", 14), settings=Settings(eight_minute_rule=False))
    assert short.status == "held"


def test_the_dbh_visit_bills_per_encounter_and_is_flagged_not_blocked() -> None:
    (line,) = run(service("d", "dbh-well-child", 90))
    assert (line.code, line.units, line.status) == ("H1011", 1, "ready")
    assert "may-duplicate-well-child" in [n.code for n in line.notes]


def test_the_service_log_key_of_the_dbh_visit_is_accepted_too() -> None:
    (line,) = run(service("d", "dbh-visit", 45))
    assert line.code == "H1011"


def test_several_dyadic_services_bill_on_one_day() -> None:
    lines = run(
        service("a", "dbh-well-child", 60),
        service("b", "community-supports", 30),
        service("c", "psychoeducation", 30),
    )
    assert [line.status for line in lines] == ["ready", "ready", "ready"]


def test_a_community_health_worker_cannot_render_a_dyadic_service() -> None:
    (line,) = run(service("s", "community-supports", 30, staff="chw"))
    assert (line.status, codes(line)) == ("held", ["renderer-not-eligible"])


@pytest.mark.parametrize(
    "licence", ["LCSW", "LMFT", "LPCC", "psychologist", "ASW", "AMFT", "psychiatrist", "PMHNP"]
)
def test_licensed_and_supervised_providers_render_dyadic_services(licence: str) -> None:
    who = Staff("x", licence, NPI, None, supervisor="lcsw")
    (line,) = evaluate(
        ruleset=ruleset(),
        children=[BABY],
        staff=[who],
        events=[service("s", "family-training", 30, staff="x")],
    )
    assert line.status == "ready", licence


def test_a_renderer_without_an_npi_is_held() -> None:
    who = Staff("x", "LCSW", "")
    (line,) = evaluate(
        ruleset=ruleset(),
        children=[BABY],
        staff=[who],
        events=[service("s", "family-training", 30, staff="x")],
    )
    assert codes(line) == ["renderer-no-npi"]


def test_every_dyadic_line_says_it_rests_on_an_inferred_code() -> None:
    (line,) = run(service("s", "family-training", 30))
    assert {"rule": "family-training", "confidence": "inferred"} in [dict(n.params) for n in line.notes]


# Family therapy: five sessions before a diagnosis unless a listed risk factor applies.


def test_the_sixth_family_therapy_session_needs_a_diagnosis_or_risk_factor() -> None:
    sessions = [service(f"t{n}", "family-therapy", 50, day=date(2025, 3, 1 + n)) for n in range(6)]
    lines = run(*sessions)
    assert [line.status for line in lines] == ["ready"] * 5 + ["held"]
    assert codes(lines[5]) == ["needs-diagnosis-or-risk-factor"]
    with_basis = run(*sessions, child=Child("c", DOB, True, therapy_basis=True))
    assert [line.status for line in with_basis] == ["ready"] * 6


def test_family_therapy_without_the_child_bills_90846() -> None:
    (with_child,) = run(service("a", "family-therapy", 50))
    (without,) = run(service("b", "family-therapy", 50, present=False))
    assert (with_child.code, without.code) == ("90847", "90846")


# Screenings of development and behaviour.


def test_developmental_and_autism_screens_bill_96110_with_kx_for_autism() -> None:
    asq = Event("q", date(2025, 10, 1), "c", "lcsw", "screening", instrument="ASQ-3", positive=False)
    mchat = Event("m", date(2026, 7, 1), "c", "lcsw", "screening", instrument="m-chat-r", positive=True)
    bpsc = Event("b", date(2025, 10, 1), "c", "lcsw", "screening", instrument="swyc-bpsc", positive=False)
    lines = run(asq, mchat, bpsc)
    assert {(line.event, line.code, tuple(line.modifiers)) for line in lines} == {
        ("q", "96110", ()),
        ("m", "96110", ("KX",)),
        ("b", "96127", ()),
    }


def test_work_nothing_bills_yields_no_line() -> None:
    assert run(Event("x", date(2025, 3, 1), "c", "lcsw", "screening", instrument="cdc-milestones-2m")) == []
    assert run(service("y", "ror-book", None)) == []


# The clinic's choices: FQHC, overrides of inferred rules (never of verified ones).


def test_an_fqhc_clinic_notes_the_ffs_payment_outside_pps() -> None:
    (line,) = run(service("s", "psychoeducation", 30), settings=Settings(clinic_type="fqhc"))
    (plain,) = run(service("s", "psychoeducation", 30))
    assert "fqhc.dyadic-ffs" in [n.code for n in line.notes]
    assert "fqhc.dyadic-ffs" not in [n.code for n in plain.notes]
    assert line.status == plain.status == "ready"


def test_a_plan_may_turn_off_an_inferred_rule_and_a_verified_one_stays() -> None:
    off = Settings(
        overrides={
            ("plan-x", "dbh-well-child"): Override(enabled=False),
            ("", "maternal-depression.four-in-first-year"): Override(enabled=False),
        }
    )
    on_plan = Child("c", DOB, True, plan="plan-x")
    assert run(service("d", "dbh-well-child", 60), child=on_plan, settings=off) == []
    assert len(run(service("d", "dbh-well-child", 60), settings=off)) == 1
    days = [date(2025, 2, 15), date(2025, 3, 15), date(2025, 5, 15), date(2025, 7, 15), date(2025, 9, 15)]
    lines = run(*(maternal(n, d) for n, d in enumerate(days)), settings=off)
    assert lines[4].status == "held"


def test_the_first_unit_minutes_may_be_changed_for_a_plan() -> None:
    settings = Settings(
        overrides={("", "units.eight-minute-rule"): Override(params={"minutes_for_first_unit": 10})}
    )
    (line,) = run(service("s", "psychoeducation", 9), settings=settings)
    assert (line.status, codes(line)) == ("held", ["under-minimum-minutes"])


def test_an_event_naming_an_unknown_child_is_an_input_error() -> None:
    with pytest.raises(InputError):
        run(Event("x", date(2025, 3, 1), "nobody", "lcsw", "service", service="psychoeducation", minutes=30))


def test_add_months_keeps_the_end_of_the_month() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), -12) == date(2023, 2, 28)


def test_a_developmental_screen_from_age_6_needs_prior_authorization() -> None:
    five = Event("a", date(2031, 1, 14), "c", "lcsw", "screening", instrument="asq3", positive=False)
    six = Event("b", date(2031, 1, 15), "c", "lcsw", "screening", instrument="asq3", positive=False)
    authorized = Event(
        "c",
        date(2031, 6, 1),
        "c",
        "lcsw",
        "screening",
        instrument="asq3",
        positive=False,
        prior_authorization=True,
    )
    lines = run(five, six, authorized)
    assert [(line.event, line.status) for line in lines] == [("a", "ready"), ("b", "held"), ("c", "ready")]
    assert codes(lines[1]) == ["needs-prior-authorization"]


def test_dyadic_services_end_at_the_21st_birthday() -> None:
    (twenty,) = run(service("a", "psychoeducation", 30, day=date(2046, 1, 14)))
    (twenty_one,) = run(service("b", "psychoeducation", 30, day=date(2046, 1, 15)))
    assert (twenty.status, twenty_one.status, codes(twenty_one)) == ("ready", "held", ["over-age"])


def test_a_code_before_its_effective_date_is_held() -> None:
    old = Child("c", date(2021, 1, 1), True)
    (line,) = run(service("a", "psychoeducation", 30, day=date(2022, 12, 31)), child=old)
    assert codes(line) == ["not-in-effect"]
