"""The Observations of a response the engine has just built and scored, derived from that
score instead of scoring the response again.

``score_response`` evaluates the Questionnaire's FHIRPath (``calculatedExpression``, variables,
``enableWhenExpression``) to rebuild what the engine already knows. When the response was built
by :func:`~dyadcare.instruments.engine.response.build_response` from the same answers, the
FHIRPath can change the Observations only through a calculated item that is extracted as an
answer, an ``enableWhen`` that names a calculated item, or an ``enableWhenExpression``. A
Questionnaire with none of these (the PHQ-9's and GAD-7's total is a calculated item whose
code is the instrument's own result, which the engine's score replaces) gets its Observations
from the score directly; any other goes through ``score_response``. Tests check both paths
give the same Observations for every library instrument.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dyadcare.instruments.engine import enable_when, extract, fhir
from dyadcare.instruments.engine.definition import Instrument
from dyadcare.instruments.engine.response import score_response
from dyadcare.instruments.engine.response_items import answers_by_link
from dyadcare.instruments.engine.scoring import ScoreResult


def needs_fhirpath(model: fhir.FormModel, instrument: Instrument) -> bool:
    """Whether the Questionnaire's FHIRPath can change the Observations of a response built
    from checked answers (see the module's note)."""
    result_codes = {r.code for r in instrument.results}
    calculated = set()
    for item in model.walk():
        if item.enable_when_expression:
            return True
        if item.calculated_expression:
            if item.codes and item.codes[0] not in result_codes:
                return True
            calculated.add(item.link_id)
    return any(condition.question in calculated for item in model.walk() for condition in item.enable_when)


def observations(
    instrument: Instrument, response: Mapping[str, Any], score: ScoreResult
) -> list[dict[str, Any]]:
    """The Observations ``score_response(response, instrument.questionnaire)`` extracts, for a
    ``response`` built by ``build_response`` from the answers ``score`` was computed from."""
    model = fhir.form_model(instrument.questionnaire, score.language)
    if needs_fhirpath(model, instrument):
        return list(score_response(response, instrument.questionnaire, instrument=instrument).observations)
    enabled = enable_when.enabled_links(model, answers_by_link(response))
    return extract.observations(
        model=model, response=response, enabled=enabled, instrument=instrument, result=score
    )
