"""Scoring a FHIR QuestionnaireResponse against its Questionnaire.

1. The response is checked against the Questionnaire (known linkIds, answer types, options:
   :mod:`dyadcare.instruments.engine.response_items`).
2. FHIRPath ``variable`` and ``calculatedExpression`` values are computed, then ``enableWhen``
   and ``enableWhenExpression`` decide which items count (a disabled item's answers do not:
   :mod:`dyadcare.instruments.engine.calculated`).
3. When the Questionnaire stands for a library instrument (its URL, an alias, its LOINC panel,
   or the LOINC codes of its items), the answers are mapped to the instrument's items
   (:mod:`dyadcare.instruments.engine.answer_mapping`) and scored by its rules; otherwise the
   total is the sum of the answer weights.
4. LOINC-coded Observations are extracted (:mod:`dyadcare.instruments.engine.extract`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dyadcare.instruments.engine import extract, fhir, fhirpath
from dyadcare.instruments.engine.answer_mapping import map_answers
from dyadcare.instruments.engine.answers import Answer
from dyadcare.instruments.engine.calculated import compute
from dyadcare.instruments.engine.definition import Instrument
from dyadcare.instruments.engine.errors import InputError
from dyadcare.instruments.engine.library import Library, item_code, load_library
from dyadcare.instruments.engine.response_items import (
    answers_by_link,
    check_response,
    response_items,
    set_answers,
)
from dyadcare.instruments.engine.scoring import ScoreResult, score


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


def _generic_score(model: fhir.FormModel, working: Mapping[str, Any], enabled: set[str]) -> ScoreResult:
    by_link = answers_by_link(working)
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
        instrument = instrument or _library_instrument(response, reference, library)
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


def _library_instrument(response: Mapping[str, Any], reference: str, library: Library) -> Instrument:
    """The library instrument a response names (its Questionnaire's URL or an alias), else the
    one its items' LOINC codes point to."""
    instrument = library.find(url=reference)
    if instrument is None:
        codes = [
            item_code(str(i["linkId"]), i.get("definition")) for i in response_items(response.get("item", []))
        ]
        instrument = library.find_by_item_codes(c for c in codes if c)
    if instrument is None:
        raise InputError(
            f"no Questionnaire in the library for {reference or 'this response'}; give --questionnaire"
        )
    return instrument


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
        set_answers(response, model, item.link_id, value)
    return response
