"""FHIRPath for SDC expressions, through fhirpathpy, with the SDC functions it lacks.

``weight()`` (and its older name ``ordinal()``) returns the weight of each coding in its
input: the ``itemWeight``/``ordinalValue`` extension on the coding itself (the response is
annotated with the weights of its Questionnaire's answer options before evaluation, see
:func:`annotate_weights`), an answer's coding, or a response item's answers.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from typing import Any

import fhirpathpy
from fhirpathpy.models import models

from dyadcare.instruments.engine import fhir
from dyadcare.instruments.engine.errors import InputError

R4 = models["r4"]


def weights_of(node: Any) -> list[float]:
    if isinstance(node, Mapping):
        if "answer" in node:
            return [w for answer in node["answer"] for w in weights_of(answer)]
        if "valueCoding" in node:
            return weights_of(node["valueCoding"])
        found = fhir.ext_value(fhir.extension(node, *fhir.WEIGHT_URLS))
        if isinstance(found, int | float) and not isinstance(found, bool):
            return [float(found)]
    return []


def _weight(inputs: list[Any]) -> list[float]:
    return [w for node in inputs for w in weights_of(node)]


FUNCTIONS = {
    "weight": {"fn": _weight, "arity": {0: []}},
    "ordinal": {"fn": _weight, "arity": {0: []}},
}


@cache
def _compiled(expression: str) -> Any:
    try:
        return fhirpathpy.compile(expression, R4, {"userInvocationTable": FUNCTIONS})
    except Exception as exc:  # fhirpathpy raises bare Exceptions on a syntax error
        raise InputError(f"FHIRPath expression {expression!r} does not parse: {exc}") from None


def evaluate(expression: str, resource: Any, variables: Mapping[str, Any]) -> list[Any]:
    """Evaluate ``expression`` on ``resource`` with ``%name`` variables."""
    function = _compiled(expression)
    try:
        return list(function(resource, dict(variables)))
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"FHIRPath expression {expression!r} failed: {exc}") from None


def annotate_weights(response: Mapping[str, Any], questionnaire: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``response`` whose answer codings carry their option's weight as an
    ``itemWeight`` extension, so that ``weight()`` needs no lookup."""
    weights: dict[str, dict[tuple[str | None, str | None], float]] = {}
    for item in fhir.walk_items(questionnaire.get("item", [])):
        table = {}
        for option in item.get("answerOption", []):
            coding = option.get("valueCoding")
            value = fhir.option_weight(option)
            if coding is not None and value is not None:
                table[(coding.get("system"), coding.get("code"))] = value
        if table:
            weights[item["linkId"]] = table
    result = copy.deepcopy(dict(response))

    def visit(items: list[dict[str, Any]]) -> None:
        for item in items:
            table = weights.get(item.get("linkId", ""), {})
            for answer in item.get("answer", []):
                coding = answer.get("valueCoding")
                if isinstance(coding, dict) and table:
                    value = table.get((coding.get("system"), coding.get("code")))
                    if value is None:
                        value = next((w for (_s, c), w in table.items() if c == coding.get("code")), None)
                    if value is not None and fhir.extension(coding, *fhir.WEIGHT_URLS) is None:
                        coding.setdefault("extension", []).append(
                            {"url": fhir.EXT_ITEM_WEIGHT, "valueDecimal": value}
                        )
                visit(answer.get("item", []))
            visit(item.get("item", []))

    visit(result.get("item", []))
    return result
