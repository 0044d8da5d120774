"""The items of a QuestionnaireResponse: walking them (items nested under answers included),
their answers by linkId, whether they fit the Questionnaire, and setting an item's answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dyadcare.instruments.engine import fhir
from dyadcare.instruments.engine.errors import InputError

Value = tuple[str, Any]  # ("valueCoding", {...}): an answer's value type and value


def response_items(items: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Every item of a response, depth first (items nested under answers included)."""
    found: list[Mapping[str, Any]] = []
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("linkId"), str):
            raise InputError("a QuestionnaireResponse item has no linkId")
        answers = item.get("answer", [])
        children = item.get("item", [])
        if not isinstance(answers, list) or not all(isinstance(a, Mapping) for a in answers):
            raise InputError(f"response item {item['linkId']}: answer must be a list of objects")
        if not isinstance(children, list):
            raise InputError(f"response item {item['linkId']}: item must be a list")
        found.append(item)
        for answer in answers:
            nested = answer.get("item", [])
            if not isinstance(nested, list):
                raise InputError(f"response item {item['linkId']}: answer.item must be a list")
            found.extend(response_items(nested))
        found.extend(response_items(children))
    return found


def answers_by_link(response: Mapping[str, Any]) -> dict[str, list[Value]]:
    by_link: dict[str, list[Value]] = {}
    for item in response_items(response.get("item", [])):
        values = by_link.setdefault(str(item["linkId"]), [])
        for answer in item.get("answer", []):
            values.append(fhir.answer_value(answer))
    return by_link


def check_response(model: fhir.FormModel, response: Mapping[str, Any]) -> None:
    """Raise InputError when the response does not fit its Questionnaire."""
    if response.get("resourceType") != "QuestionnaireResponse":
        raise InputError("not a FHIR QuestionnaireResponse")
    if not isinstance(response.get("item", []), list):
        raise InputError("QuestionnaireResponse.item must be a list")
    links = model.by_link()
    for item in response_items(response.get("item", [])):
        link = str(item["linkId"])
        definition = links.get(link)
        if definition is None:
            raise InputError(f"response item {link} is not in the Questionnaire")
        answers = item.get("answer", [])
        if not isinstance(answers, list):
            raise InputError(f"response item {link}: answer must be a list")
        if answers and not definition.is_question:
            raise InputError(f"response item {link} is a {definition.type} and takes no answer")
        if len(answers) > 1 and not definition.repeats:
            raise InputError(f"response item {link} has {len(answers)} answers but does not repeat")
        for answer in answers:
            kind, value = fhir.answer_value(answer)
            if kind not in fhir.ANSWER_TYPES.get(definition.type, set()):
                raise InputError(f"response item {link}: {kind} does not fit a {definition.type} item")
            if (
                definition.type == "choice"
                and definition.options
                and not _matches_option(definition, kind, value)
            ):
                raise InputError(f"response item {link}: the answer is not one of its options")


def _matches_option(definition: fhir.FormItem, kind: str, value: Any) -> bool:
    for option in definition.options:
        if kind == "valueCoding" and option.code is not None:
            if value.get("code") == option.code and (
                not value.get("system") or not option.system or value.get("system") == option.system
            ):
                return True
        elif option.value is not None and value == option.value:
            return True
    return False


def set_answers(
    response: dict[str, Any], model: fhir.FormModel, link: str, answers: list[dict[str, Any]]
) -> None:
    """Put ``answers`` on the response item ``link``, creating it (and its groups) if needed."""
    path: list[str] = []

    def find(items: Sequence[fhir.FormItem], trail: list[str]) -> bool:
        for item in items:
            if item.link_id == link:
                path.extend([*trail, link])
                return True
            if find(item.children, [*trail, item.link_id]):
                return True
        return False

    find(model.items, [])
    container = response
    for step in path:
        siblings = container.setdefault("item", [])
        target = next((i for i in siblings if i.get("linkId") == step), None)
        if target is None:
            target = {"linkId": step}
            siblings.append(target)
        container = target
    if answers:
        container["answer"] = answers
    else:
        container.pop("answer", None)
