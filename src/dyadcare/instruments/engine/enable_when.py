"""``enableWhen``: which items of a Questionnaire are enabled under a response's answers.

R4 semantics for every operator and ``enableBehavior``; an item whose parent is disabled is
disabled too, and a disabled question's answers count as absent for the conditions that name
it. ``enableWhenExpression`` results come from the caller (FHIRPath, see
:mod:`dyadcare.instruments.engine.calculated`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from dyadcare.instruments.engine.errors import InputError
from dyadcare.instruments.engine.fhir import EnableWhen, FormItem, FormModel


def _comparable(kind: str, value: Any) -> tuple[str, Any]:
    if kind == "valueCoding":
        return "coding", (value.get("system"), value.get("code"))
    if kind in ("valueInteger", "valueDecimal"):
        return "number", Decimal(str(value))
    if kind == "valueQuantity":
        return "number", Decimal(str(value.get("value")))
    if kind in ("valueDate", "valueDateTime", "valueTime"):
        return "temporal", str(value)
    if kind == "valueReference":
        return "string", str(value.get("reference"))
    if kind == "valueBoolean":
        return "boolean", bool(value)
    return "string", str(value)


def compare(operator: str, answer: tuple[str, Any], target: tuple[str, Any]) -> bool:
    """One answer against an enableWhen value (``=`` and the orderings; not ``exists``)."""
    a_kind, a_value = _comparable(*answer)
    t_kind, t_value = _comparable(*target)
    if a_kind != t_kind:
        return False
    if a_kind == "coding":
        same = a_value[1] == t_value[1] and (not a_value[0] or not t_value[0] or a_value[0] == t_value[0])
        if operator in ("=", "!="):
            return same
        return False
    if a_kind == "temporal":
        size = min(len(a_value), len(t_value))
        a_value, t_value = a_value[:size], t_value[:size]
    if operator in ("=", "!="):
        return bool(a_value == t_value)
    if a_kind == "boolean":
        return False
    outcome: bool = {
        ">": a_value > t_value,
        "<": a_value < t_value,
        ">=": a_value >= t_value,
        "<=": a_value <= t_value,
    }[operator]
    return outcome


def condition_holds(condition: EnableWhen, answers: list[tuple[str, Any]]) -> bool:
    """R4 semantics: ``exists`` compares whether there is an answer; ``!=`` holds when no
    answer equals the value (so also when there is no answer); the others hold when at least
    one answer meets them."""
    target = (condition.answer_type, condition.answer)
    if condition.operator == "exists":
        return bool(answers) == bool(condition.answer)
    if condition.operator == "!=":
        return not any(compare("=", a, target) for a in answers)
    return any(compare(condition.operator, a, target) for a in answers)


def enabled_links(
    model: FormModel,
    answers: Mapping[str, list[tuple[str, Any]]],
    expression: Callable[[FormItem], bool | None] | None = None,
) -> set[str]:
    """The linkIds enabled under ``answers``. A disabled question's answers count as absent,
    and the children of a disabled item are disabled."""
    parents: dict[str, str | None] = {}
    for top in model.items:
        parents[top.link_id] = None
        for item in top.walk():
            for child in item.children:
                parents[child.link_id] = item.link_id
    links = model.by_link()
    memo: dict[str, bool] = {}
    visiting: set[str] = set()

    def own(item: FormItem) -> bool:
        if item.enable_when_expression and expression is not None:
            result = expression(item)
            if result is not None:
                return result
        if not item.enable_when:
            return True
        results = []
        for condition in item.enable_when:
            source = condition.question
            present = answers.get(source, []) if is_enabled(source) else []
            results.append(condition_holds(condition, present))
        return all(results) if item.enable_behavior == "all" else any(results)

    def is_enabled(link: str) -> bool:
        if link in memo:
            return memo[link]
        if link in visiting:
            raise InputError(f"enableWhen conditions loop through item {link}")
        visiting.add(link)
        parent = parents.get(link)
        value = (parent is None or is_enabled(parent)) and own(links[link])
        visiting.discard(link)
        memo[link] = value
        return value

    return {link for link in links if is_enabled(link)}
