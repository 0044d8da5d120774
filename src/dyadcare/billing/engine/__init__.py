"""Billing's pure evaluation engine: plain dataclasses in (children, staff, events, prior
lines, settings), claim lines out. No Django: the app and ``dyadcare billing evaluate`` both
call :func:`evaluate`, so there is one evaluation."""

from dyadcare.billing.engine.evaluate import add_months, add_years, evaluate, rules_for, units_for
from dyadcare.billing.engine.inputs import (
    Child,
    Event,
    InputError,
    Line,
    Override,
    PriorLine,
    Reason,
    Settings,
    Staff,
)
from dyadcare.billing.engine.ruleset import Rule, RuleSet, ruleset

__all__ = [
    "Child",
    "Event",
    "InputError",
    "Line",
    "Override",
    "PriorLine",
    "Reason",
    "Rule",
    "RuleSet",
    "Settings",
    "Staff",
    "add_months",
    "add_years",
    "evaluate",
    "rules_for",
    "ruleset",
    "units_for",
]
