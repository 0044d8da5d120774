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
    from dyadcare.instruments.engine.definition import Instrument
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
    seed = str(
        response.get("id") or hashlib.sha256(json.dumps(response, sort_keys=True).encode()).hexdigest()
    )
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "dyadcare:QuestionnaireResponse:" + seed)
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

    result_codes = {r.code for r in instrument.results} if instrument is not None else set()
    flags = _flags(model)
    flagged = bool(flags)
    links = model.by_link()
    found: list[dict[str, Any]] = []

    def add(
        key: str, code: str, display: str, value: dict[str, Any], extra: Mapping[str, Any] | None = None
    ) -> None:
        observation = {
            **base,
            "id": str(uuid.uuid5(namespace, key)),
            "code": {"coding": [{"system": fhir.LOINC, "code": code, "display": display}], "text": display},
            **value,
            **dict(extra or {}),
        }
        found.append(observation)

    def visit(items: list[Mapping[str, Any]]) -> None:
        for raw in items:
            link = str(raw.get("linkId"))
            item = links.get(link)
            if item is not None and link in enabled and item.codes and item.codes[0] not in result_codes:
                wanted = flags.get(link, False) if flagged else True
                if wanted:
                    for index, answer in enumerate(raw.get("answer", [])):
                        kind, value = fhir.answer_value(answer)
                        converted = _value(kind, value, item)
                        if converted is not None:
                            add(f"{link}#{index}", item.codes[0], item.text, converted)
            for answer in raw.get("answer", []):
                visit(answer.get("item", []))
            visit(raw.get("item", []))

    visit(list(response.get("item", [])))

    if instrument is not None:
        for spec in instrument.results:
            if spec.value == "total" and result.total is not None:
                total = int(result.total) if float(result.total).is_integer() else result.total
                extra: dict[str, Any] = {}
                if result.positive is not None:
                    flag = "POS" if result.positive else "NEG"
                    extra["interpretation"] = [
                        {"coding": [{"system": INTERPRETATION, "code": flag, "display": flag.title()}]}
                    ]
                quantity = {"value": total, "unit": "{score}", "system": UCUM, "code": "{score}"}
                add(f"result:{spec.code}", spec.code, spec.display, {"valueQuantity": quantity}, extra)
            elif spec.value == "positive" and result.positive is not None:
                if not result.positive and not result.complete:
                    continue  # "no risk" is not known while answers are missing
                coding = spec.answers.get("true" if result.positive else "false")
                if coding:
                    concept = {"coding": [dict(coding)], "text": coding.get("display", "")}
                    add(f"result:{spec.code}", spec.code, spec.display, {"valueCodeableConcept": concept})

    panel = model.codes[0] if model.codes else (instrument.loinc_panel if instrument else None)
    if panel and found:
        members = [{"reference": f"Observation/{o['id']}"} for o in found]
        title = model.title or (instrument.title["en"] if instrument is not None else panel)
        add("panel", panel, title, {"hasMember": members})
        found.insert(0, found.pop())
    return found
