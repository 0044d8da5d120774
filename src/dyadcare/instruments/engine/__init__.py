"""The scoring engine: pure Python, no Django, deterministic.

The public API (``from dyadcare.instruments import engine``):

- ``engine.load_library()`` → the bundled :class:`Library`; ``library.get("phq9")``.
- ``engine.parse_answers(instrument, raw)`` checks answers given in printed order;
  ``engine.check_answer(item, value)`` one typed answer; ``engine.answer_from_form(item,
  values)`` one answer from the strings a form sent. They raise :class:`AnswerError` (an
  :class:`InputError` with a machine-readable ``code``).
- ``engine.score(instrument, answers, language="en")`` → :class:`ScoreResult`.
- ``engine.form_model(questionnaire, language)`` → a rendering-neutral :class:`FormModel`.
- ``engine.build_response(instrument, answers, ...)`` → a FHIR QuestionnaireResponse.
- ``engine.score_response(response, questionnaire=None)`` → :class:`ResponseScore` with the
  score and the extracted LOINC-coded Observations.
- ``engine.derived_observations(instrument, response, score)`` → the same Observations for a
  response just built from the scored answers, without evaluating FHIRPath where it cannot
  change them.
- :class:`InputError` for any invalid input.
"""

from dyadcare.instruments.engine.answers import (
    Answer,
    AnswerError,
    answer_from_form,
    check_answer,
    parse_answers,
)
from dyadcare.instruments.engine.datafile import parse_instrument
from dyadcare.instruments.engine.definition import AnswerItem, Instrument, Option, Source
from dyadcare.instruments.engine.derived import observations as derived_observations
from dyadcare.instruments.engine.errors import DefinitionError, InputError
from dyadcare.instruments.engine.fhir import FormItem, FormModel, form_model
from dyadcare.instruments.engine.library import CONTRACT_IDS, MILESTONE_AGES, Library, listing, load_library
from dyadcare.instruments.engine.parameters import Parameter
from dyadcare.instruments.engine.response import ResponseScore, build_response, score_response
from dyadcare.instruments.engine.scoring import ScoreResult, score

__all__ = [
    "CONTRACT_IDS",
    "MILESTONE_AGES",
    "Answer",
    "AnswerError",
    "AnswerItem",
    "DefinitionError",
    "FormItem",
    "FormModel",
    "InputError",
    "Instrument",
    "Library",
    "Option",
    "Parameter",
    "ResponseScore",
    "ScoreResult",
    "Source",
    "answer_from_form",
    "build_response",
    "check_answer",
    "derived_observations",
    "form_model",
    "listing",
    "load_library",
    "parse_answers",
    "parse_instrument",
    "score",
    "score_response",
]
