"""The referral Task's rule (referrals/data/task_transitions.json, Gravity SDOH Clinical Care):
every move the IG allows is allowed, every other is refused; final states are final;
``received`` and ``ready`` are never referral Task statuses; a reason where the IG needs one."""

from __future__ import annotations

from datetime import date

import pytest

from dyadcare.referrals import workflow
from dyadcare.referrals.workflow import TransitionRefused, check_move

STATUSES = ["requested", "accepted", "rejected", "cancelled", "in-progress", "on-hold", "completed", "failed"]
ALLOWED = {
    ("requested", "accepted"), ("requested", "rejected"), ("requested", "cancelled"),
    ("accepted", "in-progress"), ("accepted", "on-hold"), ("accepted", "cancelled"),
    ("accepted", "completed"), ("accepted", "failed"),
    ("in-progress", "on-hold"), ("in-progress", "completed"),
    ("in-progress", "failed"), ("in-progress", "cancelled"),
    ("on-hold", "in-progress"), ("on-hold", "completed"), ("on-hold", "failed"), ("on-hold", "cancelled"),
}  # fmt: skip
NEEDS_REASON = {"rejected", "cancelled", "on-hold", "failed"}


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("new", STATUSES)
def test_only_the_igs_moves_are_allowed(current: str, new: str) -> None:
    reason = "the family moved" if new in NEEDS_REASON else ""
    if (current, new) in ALLOWED:
        check_move(current, new, reason=reason)
    else:
        with pytest.raises(TransitionRefused):
            check_move(current, new, reason=reason)


@pytest.mark.parametrize("final", ["rejected", "cancelled", "completed", "failed"])
def test_final_states_have_no_way_out(final: str) -> None:
    assert workflow.is_final(final)
    assert workflow.allowed_moves(final) == frozenset()
    assert workflow.next_due(final, date(2026, 12, 1)) is None


@pytest.mark.parametrize("status", ["received", "ready", "draft", "entered-in-error", "nonsense"])
@pytest.mark.parametrize("current", ["requested", "accepted", "in-progress"])
def test_received_and_ready_are_refused(status: str, current: str) -> None:
    with pytest.raises(TransitionRefused, match="not a referral Task status"):
        check_move(current, status, reason="x")


@pytest.mark.parametrize("new", sorted(NEEDS_REASON))
def test_a_reason_is_required_where_the_ig_asks(new: str) -> None:
    current = "requested" if new in {"rejected", "cancelled"} else "accepted"
    with pytest.raises(TransitionRefused, match="needs a reason"):
        check_move(current, new)
    check_move(current, new, reason="  words  ")
    outcome = workflow.outcomes_for(new)[0].code
    check_move(current, new, outcome=outcome)


def test_an_outcome_must_belong_to_its_status() -> None:
    with pytest.raises(TransitionRefused, match="not an outcome"):
        check_move("accepted", "completed", outcome="no-capacity")
    check_move("accepted", "completed", outcome="service-provided")
    check_move("requested", "rejected", outcome="no-capacity")


def test_each_status_sets_the_next_due_date_from_data() -> None:
    day = date(2026, 12, 1)
    assert workflow.next_due("requested", day) == date(2026, 12, 8)
    assert workflow.next_due("in-progress", day) == date(2026, 12, 15)
    assert workflow.workflow().provenance.confidence in {"inferred", "unverified"}


def test_the_outcome_reasons_are_the_local_ones() -> None:
    codes = set(workflow.workflow().outcomes)
    assert {
        "family-declined",
        "unable-to-contact",
        "not-eligible",
        "no-capacity",
        "lost-to-follow-up",
    } <= codes


def test_a_positive_food_domain_suggests_the_food_need() -> None:
    need = workflow.need_for_domain("food")
    assert need is not None and need.key == "food" and need.category == "food-insecurity"
    assert workflow.need_for_domain("safety").labels == ("SDV",)  # type: ignore[union-attr]
