"""The Observations a submit derives from the engine's score are those ``score_response``
computes by evaluating the Questionnaire's FHIRPath, so the faster path cannot drift."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from dyadcare.instruments.engine import build_response, derived, fhir, load_library, score, score_response
from dyadcare.instruments.engine.calculated import compute
from tests.instruments.test_properties import answered

LIBRARY = load_library()


def both_paths(instrument_id: str, answers: list[Any], language: str = "en") -> tuple[Any, Any]:
    instrument = LIBRARY.get(instrument_id)
    result = score(instrument, answers, language=language)
    response = build_response(
        instrument,
        answers,
        language=language,
        subject={"reference": "Patient/1"},
        authored="2026-01-02T03:04:05+00:00",
        response_id="00000000-0000-0000-0000-000000000001",
    )
    fhirpath_path = score_response(response, instrument.questionnaire, instrument=instrument)
    return derived.observations(instrument, response, result), fhirpath_path


@pytest.mark.parametrize("instrument_id", ["phq9", "gad7", "phq2"])
def test_the_total_instruments_skip_fhirpath(instrument_id: str) -> None:
    instrument = LIBRARY.get(instrument_id)
    assert not derived.needs_fhirpath(fhir.form_model(instrument.questionnaire), instrument)


@pytest.mark.parametrize("instrument_id", ["phq9", "gad7"])
@pytest.mark.parametrize("level", [0, 1, 2, 3])
@pytest.mark.parametrize("language", ["en", "es"])
def test_phq9_and_gad7_observations_equal_the_fhirpath_ones(
    instrument_id: str, level: int, language: str
) -> None:
    instrument = LIBRARY.get(instrument_id)
    answers: list[Any] = [level] * len(instrument.items)
    answers[0] = None  # one unanswered item: the preliminary status and the partial total
    for given_answers in ([level] * len(instrument.items), answers):
        fast, slow = both_paths(instrument_id, given_answers, language)
        assert fast == slow.observations
        # the calculated total fhirpathpy computes is the total the engine reports
        model = fhir.form_model(instrument.questionnaire, language)
        response = build_response(instrument, given_answers, language=language)
        _working, calculated, _enabled = compute(model, instrument.questionnaire, response)
        (total,) = calculated.values()
        assert [float(v) for v in total] == [score(instrument, given_answers, language=language).total]


@settings(max_examples=300, deadline=None)
@given(answered(missing=True))
def test_every_instrument_derives_the_same_observations(case: tuple[Any, list[Any]]) -> None:
    instrument, answers = case
    if all(a is None for a in answers):
        return
    fast, slow = both_paths(instrument.id, answers)
    assert fast == slow.observations
