"""FHIRPath on a QuestionnaireResponse: ``variable`` values, ``calculatedExpression`` items
(filled in and recomputed until stable, at most three passes) and ``enableWhenExpression``,
which together with ``enableWhen`` decide the enabled items."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from dyadcare.instruments.engine import enable_when, fhir, fhirpath
from dyadcare.instruments.engine.response_items import answers_by_link, set_answers


def _first_bool(values: list[Any]) -> bool | None:
    if len(values) == 1 and isinstance(values[0], bool):
        return values[0]
    return None if values else False


def compute(
    model: fhir.FormModel, questionnaire: Mapping[str, Any], response: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, list[Any]], set[str]]:
    """The response with calculated items filled in, the calculated values and the enabled
    linkIds."""
    working = fhirpath.annotate_weights(response, questionnaire)
    env: dict[str, Any] = {"resource": working, "questionnaire": dict(questionnaire), "context": working}
    for name, text in model.variables:
        env[name] = fhirpath.evaluate(text, working, env)
    calculated: dict[str, list[Any]] = {}
    calculated_items = [item for item in model.walk() if item.calculated_expression]
    for _pass in range(3):
        changed = False
        for item in calculated_items:
            assert item.calculated_expression is not None
            local = {**env, **_item_variables(model, item, working, env)}
            values = fhirpath.evaluate(item.calculated_expression, working, local)
            if values != calculated.get(item.link_id):
                changed = True
                calculated[item.link_id] = values
                answers = [a for a in (as_answer(item, v) for v in values) if a is not None]
                set_answers(working, model, item.link_id, answers)
        if not changed:
            break

    def expression(item: fhir.FormItem) -> bool | None:
        assert item.enable_when_expression is not None
        local = {**env, **_item_variables(model, item, working, env)}
        return _first_bool(fhirpath.evaluate(item.enable_when_expression, working, local))

    enabled = enable_when.enabled_links(model, answers_by_link(working), expression)
    return working, calculated, enabled


def _item_variables(
    model: fhir.FormModel, item: fhir.FormItem, working: dict[str, Any], env: Mapping[str, Any]
) -> dict[str, Any]:
    declared = model.item_variables.get(item.link_id, ())
    if not declared:
        return {}
    local = dict(env)
    for name, expression in declared:
        local[name] = fhirpath.evaluate(expression, working, local)
    return {name: local[name] for name, _ in declared}


# A calculated value as an answer -------------------------------------------------------------


def as_answer(item: fhir.FormItem, value: Any) -> dict[str, Any] | None:
    """A calculated ``value`` as an answer to ``item`` (``{"valueInteger": 3}``), or None when
    the value does not fit the item's type."""
    if isinstance(value, Decimal):
        value = float(value)
    if item.type in ("date", "dateTime", "time"):
        return {"value" + item.type[0].upper() + item.type[1:]: value} if isinstance(value, str) else None
    convert = _ANSWER_OF_TYPE.get(item.type)
    return convert(value) if convert is not None else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _integer(value: Any) -> dict[str, Any] | None:
    return {"valueInteger": int(value)} if _is_number(value) else None


def _decimal(value: Any) -> dict[str, Any] | None:
    return {"valueDecimal": value} if _is_number(value) else None


def _boolean(value: Any) -> dict[str, Any] | None:
    return {"valueBoolean": value} if isinstance(value, bool) else None


def _string(value: Any) -> dict[str, Any] | None:
    return {"valueString": str(value)} if value is not None else None


def _coding(value: Any) -> dict[str, Any] | None:
    if isinstance(value, Mapping) and "code" in value:
        return {"valueCoding": {k: v for k, v in value.items() if k != "extension"}}
    return None


def _quantity(value: Any) -> dict[str, Any] | None:
    return {"valueQuantity": dict(value)} if isinstance(value, Mapping) else None


_ANSWER_OF_TYPE: dict[str, Callable[[Any], dict[str, Any] | None]] = {
    "integer": _integer,
    "decimal": _decimal,
    "boolean": _boolean,
    "string": _string,
    "text": _string,
    "choice": _coding,
    "open-choice": _coding,
    "quantity": _quantity,
}
