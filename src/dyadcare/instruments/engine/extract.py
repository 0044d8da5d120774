"""LOINC-coded FHIR Observations from a scored QuestionnaireResponse, after the SDC idea of
Observation-based extraction.

- Items flagged with ``sdc-questionnaire-observationExtract`` (on the item, an ancestor or the
  Questionnaire) are extracted; a Questionnaire with no flag at all extracts every enabled,
  answered item that carries a LOINC code. One Observation per answer.
- A library instrument's results (a total score, a risk) are added from the engine's result,
  not copied from the form, and replace any answer the form gave for the same code.
- When the Questionnaire has a LOINC panel code, a panel Observation lists the others in
  ``hasMember``. Every Observation is ``derivedFrom`` the response, carries the instrument's
  sensitivity labels in ``meta.security``, and is ``preliminary`` while answers are missing.
- Ids are UUIDv5 of the response and the item, so the same response gives the same ids.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dyadcare.instruments.engine import fhir

if TYPE_CHECKING:
    from dyadcare.instruments.engine.definition import Instrument, ResultCode
    from dyadcare.instruments.engine.scoring import ScoreResult

CATEGORY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
UCUM = "http://unitsofmeasure.org"


def _value(kind: str, value: Any, item: fhir.FormItem | None) -> dict[str, Any] | None:
    if kind == "valueCoding":
        coding = {k: v for k, v in value.items() if k in ("system", "code", "display")}
        concept: dict[str, Any] = {"coding": [coding]}
        if coding.get("display"):
            concept["text"] = coding["display"]
        return {"valueCodeableConcept": concept}
    if kind in ("valueDecimal", "valueInteger") and item is not None and item.type == "decimal":
        quantity: dict[str, Any] = {"value": value}
        if item.unit:
            quantity["unit"] = item.unit
        return {"valueQuantity": quantity}
    if kind in ("valueInteger", "valueString", "valueBoolean", "valueTime", "valueQuantity"):
        return {kind: value}
    if kind in ("valueDate", "valueDateTime"):
        return {"valueDateTime": value}
    return None


def _flags(model: fhir.FormModel) -> dict[str, bool]:
    """linkId → extract or not, inherited from ancestors and the Questionnaire."""
    flags: dict[str, bool] = {}

    def visit(item: fhir.FormItem, inherited: bool | None) -> None:
        own = item.extract if item.extract is not None else inherited
        if own is not None:
            flags[item.link_id] = own
        for child in item.children:
            visit(child, own)

    for item in model.items:
        visit(item, model.extract)
    return flags


def observations(
    *,
    model: fhir.FormModel,
    response: Mapping[str, Any],
    enabled: set[str],
    instrument: Instrument | None,
    result: ScoreResult,
) -> list[dict[str, Any]]:
    """The Observations of a scored response: one per extracted answer, the instrument's
    results, and the panel (first) listing them."""
    collected = _Observations(response, instrument, result)
    result_codes = {r.code for r in instrument.results} if instrument is not None else set()
    _add_answers(collected, model, response, enabled, result_codes)
    if instrument is not None:
        _add_results(collected, instrument, result)
    _add_panel(collected, model, instrument)
    return collected.found


class _Observations:
    """The Observations extracted so far; each carries the elements common to the response
    and an id derived from the response and a key."""

    def __init__(
        self, response: Mapping[str, Any], instrument: Instrument | None, result: ScoreResult
    ) -> None:
        seed = str(
            response.get("id") or hashlib.sha256(json.dumps(response, sort_keys=True).encode()).hexdigest()
        )
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, "dyadcare:QuestionnaireResponse:" + seed)
        self.base = _common_elements(response, instrument, result)
        self.found: list[dict[str, Any]] = []

    def add(
        self, key: str, code: str, display: str, value: dict[str, Any], extra: Mapping[str, Any] | None = None
    ) -> None:
        observation = {
            **self.base,
            "id": str(uuid.uuid5(self.namespace, key)),
            "code": {"coding": [{"system": fhir.LOINC, "code": code, "display": display}], "text": display},
            **value,
            **dict(extra or {}),
        }
        self.found.append(observation)


def _common_elements(
    response: Mapping[str, Any], instrument: Instrument | None, result: ScoreResult
) -> dict[str, Any]:
    """Status, security labels, category, subject, encounter, time, performer, derivedFrom."""
    base: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final" if result.complete else "preliminary",
    }
    if instrument is not None and instrument.sensitivity:
        base["meta"] = {"security": [dict(label) for label in instrument.sensitivity]}
    base["category"] = [CATEGORY]
    for key in ("subject", "encounter"):
        if response.get(key):
            base[key] = response[key]
    if response.get("authored"):
        base["effectiveDateTime"] = response["authored"]
    performer = response.get("source") or response.get("author")
    if performer:
        base["performer"] = [performer]
    if response.get("id"):
        base["derivedFrom"] = [{"reference": f"QuestionnaireResponse/{response['id']}"}]
    return base


def _add_answers(
    collected: _Observations,
    model: fhir.FormModel,
    response: Mapping[str, Any],
    enabled: set[str],
    result_codes: set[str],
) -> None:
    """One Observation per answer of each extracted item, in document order."""
    flags = _flags(model)
    links = model.by_link()

    def extracted(link: str) -> fhir.FormItem | None:
        item = links.get(link)
        if item is None or link not in enabled or not item.codes or item.codes[0] in result_codes:
            return None
        wanted = flags.get(link, False) if flags else True
        return item if wanted else None

    def visit(items: list[Mapping[str, Any]]) -> None:
        for raw in items:
            link = str(raw.get("linkId"))
            item = extracted(link)
            if item is not None:
                _add_item_answers(collected, link, item, raw.get("answer", []))
            for answer in raw.get("answer", []):
                visit(answer.get("item", []))
            visit(raw.get("item", []))

    visit(list(response.get("item", [])))


def _add_item_answers(
    collected: _Observations, link: str, item: fhir.FormItem, answers: list[Mapping[str, Any]]
) -> None:
    for index, answer in enumerate(answers):
        kind, value = fhir.answer_value(answer)
        converted = _value(kind, value, item)
        if converted is not None:
            collected.add(f"{link}#{index}", item.codes[0], item.text, converted)


def _add_results(collected: _Observations, instrument: Instrument, result: ScoreResult) -> None:
    """The engine's results the instrument reports: a total score, a risk."""
    for spec in instrument.results:
        if spec.value == "total" and result.total is not None:
            _add_total(collected, spec, result.total, result.positive)
        elif spec.value == "positive" and result.positive is not None:
            if not result.positive and not result.complete:
                continue  # "no risk" is not known while answers are missing
            coding = spec.answers.get("true" if result.positive else "false")
            if coding:
                concept = {"coding": [dict(coding)], "text": coding.get("display", "")}
                collected.add(
                    f"result:{spec.code}", spec.code, spec.display, {"valueCodeableConcept": concept}
                )


def _add_total(collected: _Observations, spec: ResultCode, total: float, positive: bool | None) -> None:
    """The total as a ``{score}`` quantity, interpreted POS or NEG when the instrument has a
    positive rule."""
    value = int(total) if float(total).is_integer() else total
    extra: dict[str, Any] = {}
    if positive is not None:
        flag = "POS" if positive else "NEG"
        extra["interpretation"] = [
            {"coding": [{"system": INTERPRETATION, "code": flag, "display": flag.title()}]}
        ]
    quantity = {"value": value, "unit": "{score}", "system": UCUM, "code": "{score}"}
    collected.add(f"result:{spec.code}", spec.code, spec.display, {"valueQuantity": quantity}, extra)


def _add_panel(collected: _Observations, model: fhir.FormModel, instrument: Instrument | None) -> None:
    """A panel Observation, put first, whose ``hasMember`` lists the others (when the form or
    the instrument has a LOINC panel code and anything was extracted)."""
    panel = model.codes[0] if model.codes else (instrument.loinc_panel if instrument else None)
    found = collected.found
    if panel and found:
        members = [{"reference": f"Observation/{o['id']}"} for o in found]
        title = model.title or (instrument.title["en"] if instrument is not None else panel)
        collected.add("panel", panel, title, {"hasMember": members})
        found.insert(0, found.pop())
