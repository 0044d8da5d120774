"""The one evaluation of the clinic's work into claim lines, used by the app (billing's
subscribers and services) and by ``dyadcare billing evaluate``. Pure: no Django.

Events are taken in date order (then id) so that frequency limits count the lines before
them; a line that is held does not count toward a limit (it is not billed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from dyadcare.billing.engine.inputs import (
    Child,
    Event,
    InputError,
    Line,
    PriorLine,
    Reason,
    Settings,
    Staff,
)
from dyadcare.billing.engine.ruleset import Limit, Part, Rule, RuleSet

_NPI = re.compile(r"^[0-9]{10}$")
VERIFIED = "verified"


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return date(day.year + years, 3, 1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def units_for(minutes: int, *, per_unit: int, first_unit: int, eight_minute_rule: bool) -> int:
    """Units of a timed code: with the 8-minute rule, ``first_unit`` minutes bill one unit and
    each further ``per_unit`` (7 → 0, 8-22 → 1, 23-37 → 2); without it, whole units only."""
    if not eight_minute_rule:
        return minutes // per_unit
    return max(0, (minutes + per_unit - first_unit) // per_unit)


class _Context:
    """One evaluation: the inputs by id, the settings, and the lines billed so far."""

    def __init__(
        self,
        ruleset: RuleSet,
        children: Mapping[str, Child],
        staff: Mapping[str, Staff],
        settings: Settings,
        history: Sequence[PriorLine],
    ) -> None:
        self.ruleset = ruleset
        self.children = children
        self.staff = staff
        self.settings = settings
        self.history: dict[str, list[PriorLine]] = {}
        for prior in history:
            self.history.setdefault(prior.child, []).append(prior)
        self.billed: dict[str, list[Line]] = {}  # by child: the lines billed so far

    def override(self, child: Child, part_id: str, confidence: str) -> tuple[bool, Mapping[str, object]]:
        """(applies, params) of an inferred or unverified rule for the child's plan; a verified
        rule is never overridden."""
        if confidence == VERIFIED:
            return True, {}
        found = self.settings.override(child.plan, part_id)
        return (found.enabled, found.params) if found else (True, {})


def _note_part(notes: list[Reason], part_id: str, confidence: str, overridden: bool = False) -> None:
    if confidence != VERIFIED:
        params: dict[str, Any] = {"rule": part_id, "confidence": confidence}
        if overridden:
            params["overridden"] = True
        if Reason("rule-confidence", params) not in notes:
            notes.append(Reason("rule-confidence", params))


def _matches(ruleset: RuleSet, rule: Rule, event: Event) -> bool:
    trigger = rule.trigger
    if trigger["kind"] != event.type:
        return False
    if event.type == "service":
        if ruleset.service_key(event.service) != trigger["service"]:
            return False
        return "child_present" not in trigger or trigger["child_present"] == event.child_present
    if ruleset.instrument_group(event.instrument) != trigger["group"]:
        return False
    subject = ruleset.group_subject[trigger["group"]]
    if subject != "any" and subject != event.subject:
        return False
    if "result" in trigger and (
        event.positive is None or trigger["result"] != ("positive" if event.positive else "negative")
    ):
        return False
    if "ace_min" in trigger or "ace_max" in trigger:
        score = event.ace_score if event.ace_score is not None else (4 if event.positive else 0)
        return bool(int(trigger.get("ace_min", 0)) <= score <= int(trigger.get("ace_max", 10**6)))
    return True


def _eligibility(ctx: _Context, rule: Rule, event: Event, child: Child) -> list[Reason]:
    reasons: list[Reason] = []
    if not rule.in_force(event.date):
        reasons.append(Reason("not-in-effect", {"code": rule.code}))
    if not child.medi_cal:
        reasons.append(Reason("child-not-enrolled"))
    elif child.check_cin and not child.medi_cal_id:
        reasons.append(Reason("no-medi-cal-id"))
    if event.date < child.dob:
        reasons.append(Reason("before-birth"))
    if "under-21" in rule.requires and event.date >= add_years(child.dob, 21):
        reasons.append(Reason("over-age", {"years": 21}))
    if "child-under-1" in rule.requires and event.date >= add_years(child.dob, 1):
        reasons.append(Reason("after-first-year"))
    needs_pa = "under-6-or-authorized" in rule.requires and event.date >= add_years(child.dob, 6)
    if needs_pa and not event.prior_authorization:
        reasons.append(Reason("needs-prior-authorization"))
    if "follow-up-plan" in rule.requires and not event.follow_up_plan:
        reasons.append(Reason("no-follow-up-plan"))
    return reasons


def _renderer(ctx: _Context, rule: Rule, event: Event, child: Child, notes: list[Reason]) -> list[Reason]:
    if not event.staff:
        return [Reason("no-rendering-provider")]
    staff = ctx.staff[event.staff]
    reasons: list[Reason] = []
    group: Part = ctx.ruleset.renderer_groups[rule.renderers]
    applies, params = ctx.override(child, group.id, group.confidence)
    chosen: Any = params.get("licences", group.value)
    allowed = frozenset(chosen) if applies else None
    _note_part(notes, group.id, group.confidence, overridden=bool(params) or not applies)
    licence = ctx.ruleset.licence_key(staff.licence)
    if licence is None:
        reasons.append(Reason("renderer-licence-unknown", {"licence": staff.licence}))
    elif allowed is not None and licence not in allowed:
        reasons.append(Reason("renderer-not-eligible", {"licence": licence}))
    elif licence == "associate" and not staff.supervisor:
        notes.append(Reason("associate-no-supervisor"))
    if not _NPI.match(staff.npi or ""):
        reasons.append(Reason("renderer-no-npi"))
    if "aces-attestation" in rule.requires:
        attested = staff.aces_attested_on
        if attested is None or attested > event.date:
            reasons.append(Reason("provider-not-aces-attested"))
    return reasons


def _units(
    ctx: _Context, rule: Rule, event: Event, child: Child, notes: list[Reason]
) -> tuple[int, list[Reason]]:
    if rule.unit != "15-minutes":
        return 1, []
    part = ctx.ruleset.units
    per_unit, first_unit = part.value
    applies, params = ctx.override(child, part.id, part.confidence)
    first_unit = int(params.get("minutes_for_first_unit", ctx.settings.minutes_for_first_unit or first_unit))  # type: ignore[call-overload]
    eight = ctx.settings.eight_minute_rule and applies
    if eight:
        _note_part(notes, part.id, part.confidence, overridden=bool(params))
    if not event.minutes:
        return 0, [Reason("no-minutes")]
    units = units_for(event.minutes, per_unit=per_unit, first_unit=first_unit, eight_minute_rule=eight)
    if units == 0:
        needed = first_unit if eight else per_unit
        return 0, [Reason("under-minimum-minutes", {"minutes": event.minutes, "needed": needed})]
    return units, []


def _in_window(limit: Limit, child: Child, event: Event, other: date, before_only: bool) -> bool:
    if before_only and other > event.date:
        return False
    if limit.window == "day":
        return other == event.date
    if limit.window == "first-year":
        return child.dob <= other < add_years(child.dob, 1)
    if limit.window == "12-months":
        return add_months(other, -12) < event.date < add_months(other, 12) or other == event.date
    return True  # lifetime


def _count(ctx: _Context, rule: Rule, limit: Limit, event: Event, child: Child) -> int:
    def counts(staff: str, group: str) -> bool:
        return group == rule.count_group and (limit.per == "child" or staff == event.staff)

    prior = sum(
        1
        for p in ctx.history.get(child.id, ())
        if counts(p.staff, p.count_group) and _in_window(limit, child, event, p.date, False)
    )
    now = sum(
        1
        for line in ctx.billed.get(child.id, ())
        if counts(line.staff, line.count_group) and _in_window(limit, child, event, line.date, True)
    )
    return prior + now


def _limits(ctx: _Context, rule: Rule, event: Event, child: Child, notes: list[Reason]) -> list[Reason]:
    reasons: list[Reason] = []
    for limit in rule.limits:
        if not limit.provenance.in_force(event.date):
            continue
        applies, params = ctx.override(child, limit.id, limit.provenance.confidence)
        _note_part(notes, limit.id, limit.provenance.confidence, overridden=bool(params) or not applies)
        if not applies:
            continue
        if limit.unless == "diagnosis-or-risk-factor" and child.therapy_basis:
            continue
        most = int(params.get("max", limit.max))  # type: ignore[call-overload]
        if _count(ctx, rule, limit, event, child) >= most:
            code = "needs-diagnosis-or-risk-factor" if limit.unless else "frequency-limit"
            reasons.append(
                Reason(code, {"limit": limit.id, "max": most, "window": limit.window, "per": limit.per})
            )
    return reasons


def _notes_for(ctx: _Context, rule: Rule, event: Event, child: Child) -> list[Reason]:
    notes: list[Reason] = []
    _note_part(notes, rule.id, rule.confidence)
    if event.type == "screening":
        group = ctx.ruleset.groups[rule.trigger["group"]]
        _note_part(notes, group.id, group.confidence)
    else:
        service = ctx.ruleset.service_parts[rule.trigger["service"]]
        _note_part(notes, service.id, service.confidence)
    notes.extend(Reason(flag) for flag in rule.flags)
    if event.subject == "caregiver":
        notes.append(Reason("caregiver-service-under-child-id"))
    if ctx.settings.clinic_type:
        for part in ctx.ruleset.fqhc:
            if rule.code in part.value and part.provenance.in_force(event.date):
                notes.append(Reason(part.id, {"clinic_type": ctx.settings.clinic_type}))
    return notes


def _line(ctx: _Context, rule: Rule, event: Event) -> Line:
    child = ctx.children[event.child]
    notes = _notes_for(ctx, rule, event, child)
    reasons = _eligibility(ctx, rule, event, child)
    reasons += _renderer(ctx, rule, event, child, notes)
    units, unit_reasons = _units(ctx, rule, event, child, notes)
    reasons += unit_reasons
    reasons += _limits(ctx, rule, event, child, notes)
    return Line(
        event=event.id,
        rule_id=rule.id,
        slot=rule.slot,
        code=rule.code,
        modifiers=list(rule.modifiers),
        units=units,
        minutes=event.minutes,
        status="held" if reasons else "ready",
        reasons=reasons,
        notes=notes,
        child=child.id,
        staff=event.staff,
        date=event.date,
        count_group=rule.count_group,
        medi_cal_id=child.medi_cal_id,
        plan=child.plan,
    )


def rules_for(ruleset: RuleSet, event: Event) -> list[Rule]:
    """The rules an event maps to (none for work nothing bills, such as a book given)."""
    if event.type == "service":
        key, field = ruleset.service_key(event.service), "service"
    else:
        key, field = ruleset.instrument_group(event.instrument), "group"
    if key is None:
        return []
    return [
        rule for rule in ruleset.rules if rule.trigger.get(field) == key and _matches(ruleset, rule, event)
    ]


def evaluate(
    *,
    ruleset: RuleSet,
    children: Iterable[Child],
    staff: Iterable[Staff],
    events: Iterable[Event],
    history: Sequence[PriorLine] = (),
    settings: Settings | None = None,
) -> list[Line]:
    """The claim lines of ``events``, each ready or held with its reasons, in date order.
    Raises :class:`InputError` for an event naming a child or staff member not given."""
    ctx = _Context(
        ruleset, {c.id: c for c in children}, {s.id: s for s in staff}, settings or Settings(), history
    )
    lines: list[Line] = []
    for event in sorted(events, key=lambda e: (e.date, e.id)):
        if event.child not in ctx.children:
            raise InputError(f"event {event.id}: no child {event.child!r}")
        if event.staff and event.staff not in ctx.staff:
            raise InputError(f"event {event.id}: no staff member {event.staff!r}")
        for rule in rules_for(ruleset, event):
            child = ctx.children[event.child]
            applies, _params = ctx.override(child, rule.id, rule.confidence)
            if not applies:
                continue
            line = _line(ctx, rule, event)
            lines.append(line)
            if line.status == "ready":
                ctx.billed.setdefault(line.child, []).append(line)
    return lines
