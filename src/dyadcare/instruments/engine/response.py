"""Scoring a FHIR QuestionnaireResponse against its Questionnaire.

1. The response is checked against the Questionnaire (known linkIds, answer types, options).
2. FHIRPath ``variable`` and ``calculatedExpression`` values are computed, then ``enableWhen``
   and ``enableWhenExpression`` decide which items count (a disabled item's answers do not).
3. When the Questionnaire stands for a library instrument (its URL, an alias, its LOINC panel,
   or the LOINC codes of its items), the answers are mapped to the instrument's items and
   scored by its rules; otherwise the total is the sum of the answer weights.
4. LOINC-coded Observations are extracted (:mod:`dyadcare.instruments.engine.extract`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dyadcare.instruments.engine import enable_when, extract, fhir, fhirpath
from dyadcare.instruments.engine.definition import AnswerItem, Instrument
from dyadcare.instruments.engine.errors import InputError
from dyadcare.instruments.engine.library import Library, item_code, load_library
from dyadcare.instruments.engine.scoring import Answer, ScoreResult, score

Value = tuple[str, Any]


@dataclass
class ResponseScore:
    score: ScoreResult
    instrument: Instrument | None
    model: fhir.FormModel
    enabled: set[str]
    calculated: dict[str, list[Any]]
    observations: list[dict[str, Any]]
    answers: list[Answer] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_contract(self) -> dict[str, Any]:
        return {**self.score.as_contract(), "observations": self.observations}


def load_json(text: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        raise InputError(f"the {what} is not valid JSON") from None
    if not isinstance(data, dict):
        raise InputError(f"the {what} is not a JSON object")
    return data


def _language(response: Mapping[str, Any]) -> str:
    return str(response.get("language") or "en").split("-")[0].lower() or "en"


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


def _answers_by_link(response: Mapping[str, Any]) -> dict[str, list[Value]]:
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


# FHIRPath: variables, calculated values, enableWhenExpression ---------------------------------


def _coerce(item: fhir.FormItem, value: Any) -> dict[str, Any] | None:
    if isinstance(value, Decimal):
        value = float(value)
    if item.type == "integer" and isinstance(value, int | float) and not isinstance(value, bool):
        return {"valueInteger": int(value)}
    if item.type == "decimal" and isinstance(value, int | float) and not isinstance(value, bool):
        return {"valueDecimal": value}
    if item.type == "boolean" and isinstance(value, bool):
        return {"valueBoolean": value}
    if item.type in ("string", "text") and value is not None:
        return {"valueString": str(value)}
    if item.type in ("choice", "open-choice") and isinstance(value, Mapping) and "code" in value:
        return {"valueCoding": {k: v for k, v in value.items() if k != "extension"}}
    if item.type in ("date", "dateTime", "time") and isinstance(value, str):
        return {"value" + item.type[0].upper() + item.type[1:]: value}
    if item.type == "quantity" and isinstance(value, Mapping):
        return {"valueQuantity": dict(value)}
    return None


def _set_answers(
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
                answers = [a for a in (_coerce(item, v) for v in values) if a is not None]
                _set_answers(working, model, item.link_id, answers)
        if not changed:
            break

    def expression(item: fhir.FormItem) -> bool | None:
        assert item.enable_when_expression is not None
        local = {**env, **_item_variables(model, item, working, env)}
        return _first_bool(fhirpath.evaluate(item.enable_when_expression, working, local))

    enabled = enable_when.enabled_links(model, _answers_by_link(working), expression)
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


# Mapping a response to a library instrument's answers ---------------------------------------


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
    """The instrument's answers from a response (by linkId, else by LOINC item code)."""
    warnings: list[str] = []
    links = model.by_link()
    candidates: dict[int, list[Value]] = {item.number: [] for item in instrument.items}
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
        if target is None:
            continue
        candidates[target.number].extend(fhir.answer_value(a) for a in raw.get("answer", []))
    answers: list[Answer] = []
    for item in instrument.items:
        values = candidates[item.number]
        if item.kind == "numeric":
            numbers = [
                float(v["value"] if k == "valueQuantity" else v)
                for k, v in values
                if k in ("valueInteger", "valueDecimal") or (k == "valueQuantity" and "value" in v)
            ]
            answers.append(max(numbers) if numbers else None)
            continue
        positions = []
        for kind, value in values:
            position = _option_position(item, kind, value)
            if position is None:
                warnings.append(
                    f"item {item.number}: an answer that is not one of its options was not counted"
                )
            else:
                positions.append(position)
        if item.kind == "multi":
            answers.append(sorted(set(positions)) or None)
        elif positions:
            best = max(positions, key=lambda p: (item.options[p].weight, p))
            if len(set(positions)) > 1:
                warnings.append(f"item {item.number}: several answers; the highest-risk one counts")
            answers.append(best)
        else:
            answers.append(None)
    return answers, warnings


def _generic_score(model: fhir.FormModel, working: Mapping[str, Any], enabled: set[str]) -> ScoreResult:
    by_link = _answers_by_link(working)
    total = 0.0
    weighted = False
    missing = False
    answered = 0
    for item in model.walk():
        if not item.is_question or item.link_id not in enabled:
            continue
        if item.calculated_expression or item.read_only or item.hidden:
            continue
        values = by_link.get(item.link_id, [])
        if values:
            answered += 1
        else:
            missing = True
        for _kind, value in values:
            weights = fhirpath.weights_of(value) if isinstance(value, Mapping) else []
            if weights:
                weighted = True
                total += weights[0]
        if item.options and any(o.weight is not None for o in item.options):
            weighted = True
    return ScoreResult(
        instrument=model.url or "questionnaire",
        total=total if weighted else None,
        band=None,
        positive=None,
        critical_items=(),
        subscores={},
        domains={},
        complete=not missing,
        answered=answered,
    )


def score_response(
    response: Mapping[str, Any],
    questionnaire: Mapping[str, Any] | None = None,
    *,
    library: Library | None = None,
    instrument: Instrument | None = None,
) -> ResponseScore:
    """Score a QuestionnaireResponse. Without ``questionnaire``, the library Questionnaire
    named by ``response.questionnaire`` (URL, alias or LOINC code) is used."""
    if not isinstance(response, Mapping) or response.get("resourceType") != "QuestionnaireResponse":
        raise InputError("not a FHIR QuestionnaireResponse")
    library = library or load_library()
    if questionnaire is None:
        reference = str(response.get("questionnaire") or "")
        instrument = instrument or library.find(url=reference)
        if instrument is None:
            codes = [
                item_code(str(i["linkId"]), i.get("definition"))
                for i in response_items(response.get("item", []))
            ]
            instrument = library.find_by_item_codes(c for c in codes if c)
        if instrument is None:
            raise InputError(
                f"no Questionnaire in the library for {reference or 'this response'}; give --questionnaire"
            )
        questionnaire = instrument.questionnaire
        if reference.split("|")[0] != instrument.url:
            return _score_foreign(response, instrument, library)
    elif instrument is None:
        instrument = library.find(dict(questionnaire))
    model = fhir.form_model(questionnaire, _language(response))
    check_response(model, response)
    working, calculated, enabled = compute(model, questionnaire, response)
    warnings: list[str] = []
    answers: list[Answer] = []
    if instrument is not None:
        answers, warnings = map_answers(instrument, model, working, enabled)
        result = score(instrument, answers, language=_language(response))
    else:
        result = _generic_score(model, working, enabled)
    observations = extract.observations(
        model=model,
        response=working,
        enabled=enabled,
        instrument=instrument,
        result=result,
    )
    return ResponseScore(
        score=result,
        instrument=instrument,
        model=model,
        enabled=enabled,
        calculated=calculated,
        observations=observations,
        answers=answers,
        warnings=warnings,
    )


def _score_foreign(response: Mapping[str, Any], instrument: Instrument, library: Library) -> ResponseScore:
    """A response to another form of a library instrument (an alias URL or matching LOINC
    codes) with no Questionnaire at hand: items are matched by LOINC code only, and the
    response is checked for structure, not against that other form."""
    if not isinstance(response.get("item", []), list):
        raise InputError("QuestionnaireResponse.item must be a list")
    items = response_items(response.get("item", []))
    shell: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "url": str(response.get("questionnaire") or ""),
        "code": [{"system": fhir.LOINC, "code": instrument.loinc_panel}] if instrument.loinc_panel else [],
        "item": [],
    }
    seen: set[str] = set()
    for raw in items:
        link = str(raw["linkId"])
        if link in seen:
            continue
        seen.add(link)
        code = item_code(link, raw.get("definition")) or next(
            (item.loinc for item in instrument.items if link in item.codes), None
        )
        entry: dict[str, Any] = {
            "linkId": link,
            "type": "string",
            "repeats": True,
            "text": raw.get("text", ""),
        }
        if raw.get("answer"):
            kind = fhir.answer_value(raw["answer"][0])[0]
            entry["type"] = {
                "valueCoding": "choice",
                "valueInteger": "integer",
                "valueDecimal": "decimal",
                "valueBoolean": "boolean",
                "valueDate": "date",
                "valueDateTime": "dateTime",
                "valueTime": "time",
                "valueQuantity": "quantity",
            }.get(kind, "string")
        if code:
            entry["code"] = [{"system": fhir.LOINC, "code": code, "display": raw.get("text", "")}]
        shell["item"].append(entry)
    flat = {**dict(response), "item": [{k: v for k, v in i.items() if k != "item"} for i in items]}
    for entry in flat["item"]:
        for answer in entry.get("answer", []):
            answer.pop("item", None)
    return score_response(flat, shell, library=library, instrument=instrument)


def build_response(
    instrument: Instrument,
    answers: Sequence[Answer],
    *,
    language: str = "en",
    subject: Mapping[str, Any] | None = None,
    authored: str | None = None,
    response_id: str | None = None,
) -> dict[str, Any]:
    """A QuestionnaireResponse to the library Questionnaire from checked answers."""
    if len(answers) != len(instrument.items):
        raise InputError(f"{instrument.id} has {len(instrument.items)} items")
    model = fhir.form_model(instrument.questionnaire, language)
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{instrument.url}|{instrument.questionnaire.get('version', instrument.version)}",
        "status": "completed" if all(a is not None for a in answers) else "in-progress",
        "language": language,
    }
    if response_id:
        response["id"] = response_id
    if subject:
        response["subject"] = dict(subject)
    if authored:
        response["authored"] = authored
    for item, answer in zip(instrument.items, answers, strict=True):
        if answer is None:
            continue
        if item.kind == "numeric":
            value: list[dict[str, Any]] = [{"valueDecimal": answer}]
        else:
            positions = answer if isinstance(answer, list) else [answer]
            value = []
            for position in positions:
                option = item.options[int(position)]
                coding: dict[str, Any] = {"display": option.label(language)}
                if option.code:
                    coding = {"system": option.system, "code": option.code, "display": option.label(language)}
                value.append({"valueCoding": coding})
        _set_answers(response, model, item.link_id, value)
    return response
