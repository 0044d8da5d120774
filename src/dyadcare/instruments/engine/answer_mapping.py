"""A library instrument's answers from a QuestionnaireResponse: each response item is matched
to an answer item by linkId, else by LOINC code (the Questionnaire's item codes, the item's
``definition`` or an LHC-Forms style linkId), and each answer to an option by code (and
system), else by its label in any language. Answers that match no option are left out with a
warning; several answers to a single-choice item count as the highest-risk one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dyadcare.instruments.engine import fhir
from dyadcare.instruments.engine.answers import Answer
from dyadcare.instruments.engine.definition import AnswerItem, Instrument
from dyadcare.instruments.engine.library import item_code
from dyadcare.instruments.engine.response_items import Value, response_items


def _option_position(item: AnswerItem, kind: str, value: Any) -> int | None:
    if kind == "valueCoding":
        for option in item.options:
            same_system = not value.get("system") or not option.system or value.get("system") == option.system
            if option.code and value.get("code") == option.code and same_system:
                return option.position
        text = str(value.get("display", "")).strip().lower()
    elif kind == "valueString":
        text = str(value).strip().lower()
    else:
        return None
    for option in item.options:
        if text and text in {label.strip().lower() for label in option.translations.values()}:
            return option.position
    return None


def map_answers(
    instrument: Instrument,
    model: fhir.FormModel,
    response: Mapping[str, Any],
    enabled: set[str],
) -> tuple[list[Answer], list[str]]:
    """The instrument's answers from a response (by linkId, else by LOINC item code), and
    warnings about answers that could not be counted as given."""
    warnings: list[str] = []
    values = _values_by_item(instrument, model, response, enabled)
    answers = [_answer(item, values[item.number], warnings) for item in instrument.items]
    return answers, warnings


def _values_by_item(
    instrument: Instrument, model: fhir.FormModel, response: Mapping[str, Any], enabled: set[str]
) -> dict[int, list[Value]]:
    """Item number → the answer values the enabled response items give it."""
    links = model.by_link()
    values: dict[int, list[Value]] = {item.number: [] for item in instrument.items}
    by_code = {code: item for item in instrument.items for code in item.codes}
    by_link = {item.link_id: item for item in instrument.items}
    for raw in response_items(response.get("item", [])):
        link = str(raw["linkId"])
        if link not in enabled:
            continue
        target = by_link.get(link)
        if target is None:
            codes = [
                *(links[link].codes if link in links else ()),
                item_code(link, raw.get("definition")) or link,
            ]
            target = next((by_code[c] for c in codes if c in by_code), None)
        if target is not None:
            values[target.number].extend(fhir.answer_value(a) for a in raw.get("answer", []))
    return values


def _answer(item: AnswerItem, values: list[Value], warnings: list[str]) -> Answer:
    if item.kind == "numeric":
        numbers = [
            float(v["value"] if k == "valueQuantity" else v)
            for k, v in values
            if k in ("valueInteger", "valueDecimal") or (k == "valueQuantity" and "value" in v)
        ]
        return max(numbers) if numbers else None
    positions = _positions(item, values, warnings)
    if item.kind == "multi":
        return sorted(set(positions)) or None
    if not positions:
        return None
    if len(set(positions)) > 1:
        warnings.append(f"item {item.number}: several answers; the highest-risk one counts")
    return max(positions, key=lambda p: (item.options[p].weight, p))


def _positions(item: AnswerItem, values: list[Value], warnings: list[str]) -> list[int]:
    """The option positions the values name; a warning for each value that names none."""
    positions = []
    for kind, value in values:
        position = _option_position(item, kind, value)
        if position is None:
            warnings.append(f"item {item.number}: an answer that is not one of its options was not counted")
        else:
            positions.append(position)
    return positions
