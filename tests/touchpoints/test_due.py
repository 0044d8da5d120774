"""What is due and overdue at a visit, and the clinic's bundle."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from dyadcare.touchpoints.bundles import Bundle, Rule
from dyadcare.touchpoints.due import Done, due_on
from dyadcare.touchpoints.schedule import add_months

DOB = date(2025, 1, 10)


def _visit(months: int, *done: str) -> list[Done]:
    """Results for ``done`` at a visit ``months`` after birth."""
    return [Done(category, add_months(DOB, months), "result-of-" + category) for category in done]


def test_due_at_the_touchpoint_with_the_models_instruments() -> None:
    report = due_on(dob=DOB, day=add_months(DOB, 1), bundle=Bundle("healthysteps"), history=[])
    assert report.touchpoint and report.touchpoint.key == "1m"
    due = {i.category: i.instruments for i in report.due}
    assert due["maternal-depression"] == ("epds",)
    assert "behavioral-social-emotional" in due
    assert due["interpersonal-safety"] == ("hits",), "a category the model adds"


def test_missed_categories_are_brought_forward_until_done() -> None:
    bundle = Bundle("other")
    history = [
        *_visit(0, "behavioral-social-emotional", "family-needs"),
        *_visit(2, "behavioral-social-emotional"),
    ]
    report = due_on(dob=DOB, day=add_months(DOB, 4), bundle=bundle, history=history)
    assert report.touchpoint and report.touchpoint.key == "4m"
    overdue = {i.category: i.overdue_since for i in report.overdue}
    # Maternal depression is due at 4 months anyway: listed once, as due.
    assert "maternal-depression" not in overdue and "maternal-depression" in {i.category for i in report.due}
    history += _visit(4, "maternal-depression", "behavioral-social-emotional")
    at_9m = due_on(dob=DOB, day=add_months(DOB, 9), bundle=bundle, history=history)
    assert {i.category: i.overdue_since for i in at_9m.overdue} == {"maternal-depression": "6m"}


def test_maternal_depression_is_not_brought_forward_after_12_months() -> None:
    report = due_on(dob=DOB, day=add_months(DOB, 15), bundle=Bundle("other"), history=[])
    overdue = {i.category for i in report.overdue}
    assert "maternal-depression" not in overdue
    assert "developmental" in overdue, "a missed 9-month developmental screen stays overdue"
    assert "family-needs" in overdue


def test_autism_screen_brought_forward_until_30_months() -> None:
    # At 27 months the child is still in the 24-month window, where autism is due anyway.
    at_27 = due_on(
        dob=DOB, day=add_months(DOB, 27), bundle=Bundle("other"), history=_visit(18, "developmental")
    )
    assert at_27.touchpoint and at_27.touchpoint.key == "24m"
    assert "autism" in {i.category for i in at_27.due}
    at_28 = due_on(
        dob=DOB, day=add_months(DOB, 28), bundle=Bundle("other"), history=_visit(18, "developmental")
    )
    assert at_28.touchpoint and at_28.touchpoint.key == "30m"
    assert {i.category: i.overdue_since for i in at_28.overdue}["autism"] == "18m"
    at_31 = due_on(dob=DOB, day=add_months(DOB, 31), bundle=Bundle("other"), history=[])
    assert "autism" not in {i.category for i in at_31.overdue}


def test_done_today_is_marked() -> None:
    day = add_months(DOB, 9)
    report = due_on(dob=DOB, day=day, bundle=Bundle("other"), history=[Done("developmental", day, "asq3")])
    done = {i.category: i.done for i in report.items}
    assert done["developmental"] is True and done["behavioral-social-emotional"] is False


def test_clinic_rules_override_instruments_and_add_categories() -> None:
    bundle = Bundle(
        "healthysteps",
        rules=(
            Rule("maternal-depression", "*", ("phq9",)),
            Rule("maternal-depression", "2m", ("phq2",)),
            Rule("father-depression", "2m", ("phq9",), label="Second caregiver depression"),
        ),
    )
    at_2m = {d.category: d.instruments for d in bundle.due_at("2m")}
    assert at_2m["maternal-depression"] == ("phq2",)
    assert at_2m["father-depression"] == ("phq9",)
    assert {d.category: d.instruments for d in bundle.due_at("4m")}["maternal-depression"] == ("phq9",)
    assert bundle.label("father-depression") == "Second caregiver depression"
    assert bundle.label("autism", "es") == "Evaluación del autismo"


def test_dulce_screens_family_needs_at_every_visit_to_6_months() -> None:
    dulce = Bundle("dulce")
    for key in ("newborn", "3-5d", "1m", "2m", "4m", "6m"):
        assert "family-needs" in {d.category for d in dulce.due_at(key)}
    assert "family-needs" not in {d.category for d in dulce.due_at("9m")}


# Evidence: a category is done only by a record that shows it -----------------------------


def test_nothing_is_done_without_evidence() -> None:
    report = due_on(dob=DOB, day=add_months(DOB, 2), bundle=Bundle("healthysteps"), history=[])
    assert report.items and report.done == () and report.not_done == report.items
    assert all(item.evidence == () for item in report.items)


def test_evidence_of_this_visit_counts_whatever_its_day_and_later_evidence_does_not() -> None:
    day = add_months(DOB, 2)
    visit = uuid.uuid4()
    answered_the_evening_before = Done("maternal-depression", day, "phq2", "result", visit)
    later_elsewhere = Done("family-needs", add_months(DOB, 3), "hvs", "elsewhere")
    report = due_on(
        dob=DOB,
        day=day,
        bundle=Bundle("other"),
        history=[answered_the_evening_before, later_elsewhere],
        visit_id=visit,
    )
    items = {i.category: i for i in report.items}
    assert items["maternal-depression"].evidence == (answered_the_evening_before,)
    assert not items["family-needs"].done, "evidence after the day belongs to a later visit"


def test_a_touchpoint_category_done_earlier_in_its_window_is_done() -> None:
    two_months = add_months(DOB, 2)
    earlier_in_window = Done("behavioral-social-emotional", two_months.replace(day=1), "swyc-bpsc", "paper")
    before_window = Done("maternal-depression", add_months(DOB, 1), "epds", "paper")
    report = due_on(
        dob=DOB, day=two_months, bundle=Bundle("other"), history=[earlier_in_window, before_window]
    )
    items = {i.category: i for i in report.items}
    bse = items["behavioral-social-emotional"]
    assert bse.done and bse.evidence == (earlier_in_window,)
    assert not items["maternal-depression"].done, "the 1-month screen does not fill the 2-month one"


def test_an_overdue_category_given_at_this_visit_stays_listed_as_done() -> None:
    day = add_months(DOB, 9)
    visit = uuid.uuid4()
    epds = Done("maternal-depression", day, "epds", "paper", visit)
    report = due_on(dob=DOB, day=day, bundle=Bundle("other"), history=[epds], visit_id=visit)
    overdue = {i.category: i for i in report.overdue}
    assert overdue["maternal-depression"].overdue_since == "1m"
    assert overdue["maternal-depression"].evidence == (epds,)
    later = due_on(
        dob=DOB, day=add_months(DOB, 12) - timedelta(days=20), bundle=Bundle("other"), history=[epds]
    )
    assert "maternal-depression" not in {i.category for i in later.overdue}, "done since: no longer overdue"


def test_every_model_falls_back_from_the_epds_to_the_phq2_then_the_phq9() -> None:
    for model in ("healthysteps", "dulce", "other"):
        bundle = Bundle(model)
        fallback = bundle.fallback("maternal-depression", "epds")
        assert fallback is not None, model
        assert fallback.use == ("phq2",) and fallback.after_positive == {"phq2": ("phq9",)}
        assert fallback.provenance.confidence == "inferred"
        assert bundle.fallback("maternal-depression", "phq9") is None
        assert bundle.fallback("autism", "mchat-r") is None, "no free fallback is named for it"


def test_the_category_an_instrument_fills() -> None:
    bundle = Bundle("healthysteps", rules=(Rule("caregiver-anxiety", "2m", ("gad7",), label="Anxiety"),))
    assert bundle.category_of("asq3", "9m") == "developmental"
    assert bundle.category_of("swyc-ppsc", "18m") == "behavioral-social-emotional"
    assert bundle.category_of("phq2") == bundle.category_of("phq9") == "maternal-depression", "fallbacks"
    assert bundle.category_of("gad7", "2m") == "caregiver-anxiety", "the clinic's own category"
    assert bundle.category_of("gad2") == "", "added on concern: fills no category"
