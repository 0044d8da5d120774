"""FHIR R4 SDC: every external Questionnaire renders to a form model and scores its example
response; enableWhen (each operator, enableBehavior), FHIRPath (variables,
calculatedExpression, enableWhenExpression, weight()), Observation extraction."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dyadcare.instruments.engine import InputError, build_response, form_model, load_library, score_response
from tests.instruments.conftest import fixture

LOINC = "http://loinc.org"
EXTERNAL = {
    "phq9": (
        "external/us-core/Questionnaire-phq-9-example.json",
        "responses/QuestionnaireResponse-phq-9.json",
    ),
    "hvs": (
        "external/us-core/Questionnaire-hunger-vital-sign-example.json",
        "external/us-core/QuestionnaireResponse-hunger-vital-sign-example.json",
    ),
    "taps": ("external/us-core/Questionnaire-TAPS.json", "external/us-core/QuestionnaireResponse-TAPS.json"),
    "audit-c": (
        "external/us-core/Questionnaire-AUDIT-C.json",
        "responses/QuestionnaireResponse-AUDIT-C.json",
    ),
    "ahc-hrsn": (
        "external/loinc/AHC-HRSN-questionnaire.json",
        "responses/QuestionnaireResponse-AHC-HRSN.json",
    ),
}


@pytest.mark.parametrize("name", EXTERNAL)
def test_every_external_questionnaire_renders_to_a_form_model(name: str) -> None:
    questionnaire = fixture(EXTERNAL[name][0])
    model = form_model(questionnaire)
    raw_links = [i["linkId"] for i in _walk(questionnaire["item"])]
    assert [item.link_id for item in model.walk()] == raw_links
    assert all(item.text for item in model.walk())
    choices = [item for item in model.walk() if item.type == "choice"]
    assert all(item.options for item in choices)
    assert model.to_dict()["items"]


def _walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for item in items:
        found.append(item)
        found += _walk(item.get("item", []))
    return found


EXPECTED = {
    # hand-worked from each response: see tests/fixtures/responses/README.md
    "phq9": {
        "instrument": "phq9",
        "total": 10,
        "band": "moderate",
        "positive": True,
        "critical_items": [9],
        "complete": True,
    },
    "hvs": {
        "instrument": "hvs",
        "total": 2,
        "band": "at-risk",
        "positive": True,
        "critical_items": [],
        "complete": True,
    },
    # The TAPS example answers the prescription item with free text "0", which is not one of
    # the TAPS-1 options: it is not counted, so the response is incomplete.
    "taps": {
        "instrument": "taps1",
        "total": 0,
        "band": None,
        "positive": False,
        "critical_items": [],
        "complete": False,
    },
    # AUDIT-C is not in the library: the total is the sum of the answer weights (1 + 2).
    "audit-c": {
        "instrument": "http://hl7.org/fhir/us/core/Questionnaire/AUDIT-C",
        "total": 3,
        "band": None,
        "positive": None,
        "critical_items": [],
        "complete": True,
    },
    "ahc-hrsn": {
        "instrument": "ahc-hrsn",
        "total": 4,
        "band": None,
        "positive": True,
        "critical_items": [],
        "complete": True,
    },
}


@pytest.mark.parametrize("name", EXTERNAL)
def test_every_external_response_scores(name: str) -> None:
    questionnaire, response = (fixture(p) for p in EXTERNAL[name])
    result = score_response(response, questionnaire).as_contract()
    assert {k: result[k] for k in EXPECTED[name]} == EXPECTED[name]
    observations = result["observations"]
    assert observations, "LOINC-coded Observations are extracted"
    for observation in observations:
        assert observation["resourceType"] == "Observation"
        assert observation["code"]["coding"][0]["system"] == LOINC
        assert observation["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{response['id']}"}]
    panel = observations[0]
    assert {m["reference"] for m in panel["hasMember"]} == {
        f"Observation/{o['id']}" for o in observations[1:]
    }


def test_hvs_example_observations_match_the_published_panel() -> None:
    questionnaire, response = (fixture(p) for p in EXTERNAL["hvs"])
    published = fixture("external/us-core/Observation-HVS-panel-example-88121-9.json")
    observations = score_response(response, questionnaire).observations
    assert observations[0]["code"]["coding"][0]["code"] == published["code"]["coding"][0]["code"]
    codes = sorted(o["code"]["coding"][0]["code"] for o in observations[1:])
    assert codes == ["88122-7", "88123-5", "88124-3"]  # as in the published panel's hasMember
    risk = next(o for o in observations if o["code"]["coding"][0]["code"] == "88124-3")
    assert risk["valueCodeableConcept"]["coding"][0]["code"] == "LA19952-3"  # At risk, computed
    assert all(o["meta"]["security"][0]["code"] == "SOC" for o in observations)


def test_phq9_observations_carry_the_total_and_the_psy_label() -> None:
    questionnaire, response = (fixture(p) for p in EXTERNAL["phq9"])
    published = fixture("external/us-core/Observation-PHQ9-panel-example-44249-1.json")
    observations = score_response(response, questionnaire).observations
    codes = [o["code"]["coding"][0]["code"] for o in observations]
    published_members = [
        m["reference"].rsplit("-", 2)[-2] + "-" + m["reference"].rsplit("-", 1)[-1]
        for m in published["hasMember"]
    ]
    assert codes[0] == "44249-1" and sorted(codes[1:]) == sorted(published_members)
    total = next(o for o in observations if o["code"]["coding"][0]["code"] == "44261-6")
    assert total["valueQuantity"]["value"] == 10 and total["interpretation"][0]["coding"][0]["code"] == "POS"
    assert all(o["meta"]["security"][0]["code"] == "PSY" for o in observations)


@pytest.mark.parametrize("name", ["phq9", "hvs", "taps", "ahc-hrsn"])
def test_responses_find_their_library_questionnaire_without_one(name: str) -> None:
    questionnaire, response = (fixture(p) for p in EXTERNAL[name])
    with_q = score_response(response, questionnaire).as_contract()
    without = score_response(response).as_contract()
    assert {k: v for k, v in without.items() if k != "observations"} == {
        k: v for k, v in with_q.items() if k != "observations"
    }


def test_a_response_to_an_unknown_form_needs_its_questionnaire() -> None:
    with pytest.raises(InputError, match="no Questionnaire"):
        score_response(fixture(EXTERNAL["audit-c"][1]))


def test_a_response_that_does_not_fit_its_questionnaire_is_refused() -> None:
    questionnaire, response = (fixture(p) for p in EXTERNAL["hvs"])
    wrong = copy.deepcopy(response)
    wrong["item"][0]["linkId"] = "/nope"
    with pytest.raises(InputError, match="not in the Questionnaire"):
        score_response(wrong, questionnaire)
    wrong = copy.deepcopy(response)
    wrong["item"][0]["answer"] = [{"valueCoding": {"system": LOINC, "code": "LA9999-9"}}]
    with pytest.raises(InputError, match="not one of its options"):
        score_response(wrong, questionnaire)
    wrong = copy.deepcopy(response)
    wrong["item"][0]["answer"] = [{"valueBoolean": True}]
    with pytest.raises(InputError, match="does not fit"):
        score_response(wrong, questionnaire)
    with pytest.raises(InputError):
        score_response({"resourceType": "Patient"}, questionnaire)


@pytest.mark.parametrize(
    "instrument_id", ["phq9", "ahc-hrsn", "epds", "swyc-posi", "asq3", "cdc-milestones-18m"]
)
def test_library_answers_round_trip_through_a_response(instrument_id: str) -> None:
    library = load_library()
    instrument = library.get(instrument_id)
    answers: list[Any] = []
    for item in instrument.items:
        if item.kind == "numeric":
            answers.append(item.maximum)
        elif item.kind == "multi":
            answers.append([0, len(item.options) - 1])
        else:
            answers.append(len(item.options) - 1)
    from dyadcare.instruments.engine import score

    direct = score(instrument, answers)
    response = build_response(instrument, answers, language="es", response_id="round-trip")
    via_fhir = score_response(response)
    assert via_fhir.score.as_contract() == direct.as_contract()
    assert via_fhir.answers == answers


# The library Questionnaires are valid SDC: their calculated totals agree with the engine.
@pytest.mark.parametrize("instrument_id", ["phq2", "phq9", "gad7"])
def test_calculated_total_items_agree_with_the_engine(instrument_id: str) -> None:
    instrument = load_library().get(instrument_id)
    answers = [min(n % 4, 3) for n in range(len(instrument.items))]
    result = score_response(build_response(instrument, answers))
    assert [float(v) for v in next(iter(result.calculated.values()))] == [result.score.total]


# enableWhen -------------------------------------------------------------------------------------


def _q(items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "url": "http://example.org/q/test",
        "status": "active",
        "item": items,
        **extra,
    }


def _qr(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "QuestionnaireResponse", "id": "t", "status": "completed", "item": items}


def _enabled(questionnaire: dict[str, Any], response: dict[str, Any]) -> set[str]:
    return score_response(response, questionnaire).enabled


def _gated(operator: str, answer: dict[str, Any], source_type: str = "integer") -> dict[str, Any]:
    return _q(
        [
            {"linkId": "a", "text": "A", "type": source_type, "repeats": True},
            {
                "linkId": "b",
                "text": "B",
                "type": "string",
                "enableWhen": [{"question": "a", "operator": operator, **answer}],
            },
        ]
    )


@pytest.mark.parametrize(
    ("operator", "target", "answers", "enabled"),
    [
        ("=", 3, [3], True),
        ("=", 3, [2], False),
        ("=", 3, [], False),
        ("!=", 3, [2], True),
        ("!=", 3, [3], False),
        ("!=", 3, [], True),  # R4: no answer equals the value
        ("!=", 3, [2, 3], False),
        (">", 3, [4], True),
        (">", 3, [3], False),
        ("<", 3, [2], True),
        ("<", 3, [3], False),
        (">=", 3, [3], True),
        (">=", 3, [2], False),
        ("<=", 3, [3], True),
        ("<=", 3, [4], False),
        (">", 3, [1, 5], True),  # at least one answer meets it
    ],
)
def test_enable_when_integer_operators(operator: str, target: int, answers: list[int], enabled: bool) -> None:
    questionnaire = _gated(operator, {"answerInteger": target})
    response = _qr([{"linkId": "a", "answer": [{"valueInteger": a} for a in answers]}] if answers else [])
    assert ("b" in _enabled(questionnaire, response)) is enabled


@pytest.mark.parametrize(
    ("expected", "answered", "enabled"),
    [(True, True, True), (True, False, False), (False, False, True), (False, True, False)],
)
def test_enable_when_exists(expected: bool, answered: bool, enabled: bool) -> None:
    questionnaire = _gated("exists", {"answerBoolean": expected}, source_type="string")
    response = _qr([{"linkId": "a", "answer": [{"valueString": "x"}]}] if answered else [])
    assert ("b" in _enabled(questionnaire, response)) is enabled


def test_enable_when_coding_decimal_date_string_boolean() -> None:
    coding = {"system": LOINC, "code": "LA33-6", "display": "Yes"}
    questionnaire = _q(
        [
            {
                "linkId": "c",
                "text": "C",
                "type": "choice",
                "answerOption": [
                    {"valueCoding": coding},
                    {"valueCoding": {"system": LOINC, "code": "LA32-8"}},
                ],
            },
            {"linkId": "d", "text": "D", "type": "decimal"},
            {"linkId": "t", "text": "T", "type": "date"},
            {"linkId": "s", "text": "S", "type": "string"},
            {"linkId": "f", "text": "F", "type": "boolean"},
            {
                "linkId": "if-yes",
                "text": "?",
                "type": "string",
                "enableWhen": [
                    {"question": "c", "operator": "=", "answerCoding": {"system": LOINC, "code": "LA33-6"}}
                ],
            },
            {
                "linkId": "if-not-yes",
                "text": "?",
                "type": "string",
                "enableWhen": [{"question": "c", "operator": "!=", "answerCoding": {"code": "LA33-6"}}],
            },
            {
                "linkId": "if-heavy",
                "text": "?",
                "type": "string",
                "enableWhen": [{"question": "d", "operator": ">=", "answerDecimal": 2.5}],
            },
            {
                "linkId": "if-recent",
                "text": "?",
                "type": "string",
                "enableWhen": [{"question": "t", "operator": ">", "answerDate": "2025-01-01"}],
            },
            {
                "linkId": "if-word",
                "text": "?",
                "type": "string",
                "enableWhen": [{"question": "s", "operator": "=", "answerString": "hola"}],
            },
            {
                "linkId": "if-false",
                "text": "?",
                "type": "string",
                "enableWhen": [{"question": "f", "operator": "=", "answerBoolean": False}],
            },
        ]
    )
    response = _qr(
        [
            {"linkId": "c", "answer": [{"valueCoding": coding}]},
            {"linkId": "d", "answer": [{"valueDecimal": 2.5}]},
            {"linkId": "t", "answer": [{"valueDate": "2026-03-01"}]},
            {"linkId": "s", "answer": [{"valueString": "adiós"}]},
            {"linkId": "f", "answer": [{"valueBoolean": False}]},
        ]
    )
    enabled = _enabled(questionnaire, response)
    assert {"if-yes", "if-heavy", "if-recent", "if-false"} <= enabled
    assert not {"if-not-yes", "if-word"} & enabled


@pytest.mark.parametrize(
    ("behavior", "answers", "enabled"),
    [("all", (1, 1), True), ("all", (1, 0), False), ("any", (1, 0), True), ("any", (0, 0), False)],
)
def test_enable_behavior(behavior: str, answers: tuple[int, int], enabled: bool) -> None:
    questionnaire = _q(
        [
            {"linkId": "x", "text": "X", "type": "integer"},
            {"linkId": "y", "text": "Y", "type": "integer"},
            {
                "linkId": "z",
                "text": "Z",
                "type": "string",
                "enableBehavior": behavior,
                "enableWhen": [
                    {"question": "x", "operator": "=", "answerInteger": 1},
                    {"question": "y", "operator": "=", "answerInteger": 1},
                ],
            },
        ]
    )
    response = _qr(
        [
            {"linkId": "x", "answer": [{"valueInteger": answers[0]}]},
            {"linkId": "y", "answer": [{"valueInteger": answers[1]}]},
        ]
    )
    assert ("z" in _enabled(questionnaire, response)) is enabled


def test_disabled_questions_and_groups_hide_what_depends_on_them() -> None:
    questionnaire = _q(
        [
            {"linkId": "gate", "text": "G", "type": "boolean"},
            {
                "linkId": "group",
                "text": "Group",
                "type": "group",
                "enableWhen": [{"question": "gate", "operator": "=", "answerBoolean": True}],
                "item": [{"linkId": "inner", "text": "I", "type": "integer"}],
            },
            {
                "linkId": "after",
                "text": "A",
                "type": "string",
                "enableWhen": [{"question": "inner", "operator": "exists", "answerBoolean": True}],
            },
        ]
    )
    response = _qr(
        [
            {"linkId": "gate", "answer": [{"valueBoolean": False}]},
            {"linkId": "group", "item": [{"linkId": "inner", "answer": [{"valueInteger": 1}]}]},
        ]
    )
    assert _enabled(questionnaire, response) == {"gate"}


def test_enable_when_loops_and_bad_operators_are_input_errors() -> None:
    looping = _q(
        [
            {
                "linkId": "a",
                "text": "A",
                "type": "string",
                "enableWhen": [{"question": "b", "operator": "exists", "answerBoolean": True}],
            },
            {
                "linkId": "b",
                "text": "B",
                "type": "string",
                "enableWhen": [{"question": "a", "operator": "exists", "answerBoolean": True}],
            },
        ]
    )
    with pytest.raises(InputError, match="loop"):
        score_response(_qr([]), looping)
    with pytest.raises(InputError, match="operator"):
        form_model(_gated("~", {"answerInteger": 1}))
    with pytest.raises(InputError, match="unknown item"):
        form_model(
            _q(
                [
                    {
                        "linkId": "b",
                        "text": "B",
                        "type": "string",
                        "enableWhen": [{"question": "zz", "operator": "exists", "answerBoolean": True}],
                    }
                ]
            )
        )


# FHIRPath ---------------------------------------------------------------------------------------

SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"


def _scored_questionnaire() -> dict[str, Any]:
    def option(code: str, weight: int, url: str = ORDINAL) -> dict[str, Any]:
        return {
            "valueCoding": {"system": "http://example.org/cs", "code": code},
            "extension": [{"url": url, "valueDecimal": weight}],
        }

    return _q(
        [
            {
                "linkId": "q1",
                "text": "Q1",
                "type": "choice",
                "answerOption": [option("a", 0), option("b", 2)],
            },
            {
                "linkId": "q2",
                "text": "Q2",
                "type": "choice",
                "answerOption": [option("a", 0, ITEM_WEIGHT), option("c", 5, ITEM_WEIGHT)],
            },
            {
                "linkId": "total",
                "code": [{"system": LOINC, "code": "99999-9", "display": "Total"}],
                "text": "Total",
                "type": "integer",
                "readOnly": True,
                "extension": [
                    {
                        "url": SDC + "sdc-questionnaire-calculatedExpression",
                        "valueExpression": {"language": "text/fhirpath", "expression": "%scores.sum()"},
                    }
                ],
            },
            {
                "linkId": "double",
                "text": "Twice the total",
                "type": "decimal",
                "readOnly": True,
                "extension": [
                    {
                        "url": SDC + "sdc-questionnaire-calculatedExpression",
                        "valueExpression": {
                            "language": "text/fhirpath",
                            "expression": "%resource.item.where(linkId='total').answer.value * 2",
                        },
                    }
                ],
            },
            {
                "linkId": "follow-up",
                "text": "Follow-up",
                "type": "string",
                "extension": [
                    {
                        "url": SDC + "sdc-questionnaire-enableWhenExpression",
                        "valueExpression": {"language": "text/fhirpath", "expression": "%scores.sum() >= 5"},
                    }
                ],
            },
        ],
        extension=[
            {
                "url": "http://hl7.org/fhir/StructureDefinition/variable",
                "valueExpression": {
                    "name": "scores",
                    "language": "text/fhirpath",
                    "expression": "%resource.item.answer.value.weight()",
                },
            }
        ],
        code=[{"system": LOINC, "code": "88888-8", "display": "Test panel"}],
    )


@pytest.mark.parametrize(
    ("q1", "q2", "total", "follow_up"),
    [("a", "a", 0, False), ("b", "a", 2, False), ("b", "c", 7, True), ("a", "c", 5, True)],
)
def test_variables_weights_calculated_expressions_and_enable_when_expression(
    q1: str, q2: str, total: int, follow_up: bool
) -> None:
    questionnaire = _scored_questionnaire()
    response = _qr(
        [
            {"linkId": "q1", "answer": [{"valueCoding": {"system": "http://example.org/cs", "code": q1}}]},
            {"linkId": "q2", "answer": [{"valueCoding": {"system": "http://example.org/cs", "code": q2}}]},
        ]
    )
    result = score_response(response, questionnaire)
    assert result.score.total == total  # the generic total: the sum of weights
    assert [int(v) for v in result.calculated["total"]] == [total]
    assert [float(v) for v in result.calculated["double"]] == [total * 2]  # a calculation on a calculation
    assert ("follow-up" in result.enabled) is follow_up
    codes = {o["code"]["coding"][0]["code"]: o for o in result.observations}
    assert codes["99999-9"]["valueInteger"] == total and "88888-8" in codes


def test_ordinal_is_weight_under_its_older_name() -> None:
    questionnaire = _scored_questionnaire()
    questionnaire["extension"][0]["valueExpression"]["expression"] = "%resource.item.answer.value.ordinal()"
    response = _qr(
        [{"linkId": "q1", "answer": [{"valueCoding": {"system": "http://example.org/cs", "code": "b"}}]}]
    )
    assert [int(v) for v in score_response(response, questionnaire).calculated["total"]] == [2]


def test_a_broken_expression_is_an_input_error() -> None:
    questionnaire = _scored_questionnaire()
    questionnaire["extension"][0]["valueExpression"]["expression"] = "%resource.item.where("
    with pytest.raises(InputError, match="FHIRPath"):
        score_response(_qr([]), questionnaire)


def test_observation_extract_flags_choose_the_items() -> None:
    extract = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract"
    questionnaire = _q(
        [
            {
                "linkId": "kept",
                "code": [{"system": LOINC, "code": "11111-1"}],
                "text": "K",
                "type": "integer",
                "extension": [{"url": extract, "valueBoolean": True}],
            },
            {
                "linkId": "skipped",
                "code": [{"system": LOINC, "code": "22222-2"}],
                "text": "S",
                "type": "integer",
            },
            {
                "linkId": "multi",
                "code": [{"system": LOINC, "code": "33333-3"}],
                "text": "M",
                "type": "string",
                "repeats": True,
                "extension": [{"url": extract, "valueBoolean": True}],
            },
        ]
    )
    response = _qr(
        [
            {"linkId": "kept", "answer": [{"valueInteger": 4}]},
            {"linkId": "skipped", "answer": [{"valueInteger": 5}]},
            {"linkId": "multi", "answer": [{"valueString": "x"}, {"valueString": "y"}]},
        ]
    )
    observations = score_response(response, questionnaire).observations
    assert [
        (o["code"]["coding"][0]["code"], o.get("valueInteger", o.get("valueString"))) for o in observations
    ] == [
        ("11111-1", 4),
        ("33333-3", "x"),
        ("33333-3", "y"),
    ]
    again = score_response(response, questionnaire).observations
    assert [o["id"] for o in again] == [o["id"] for o in observations]  # deterministic ids


def test_malformed_questionnaires_are_input_errors() -> None:
    with pytest.raises(InputError):
        form_model({"resourceType": "Patient"})
    with pytest.raises(InputError, match="linkId"):
        form_model(_q([{"text": "no id", "type": "string"}]))
    with pytest.raises(InputError, match="repeats linkId"):
        form_model(
            _q(
                [
                    {"linkId": "a", "text": "A", "type": "string"},
                    {"linkId": "a", "text": "A", "type": "string"},
                ]
            )
        )
    with pytest.raises(InputError, match="type"):
        form_model(_q([{"linkId": "a", "text": "A", "type": "spreadsheet"}]))


def test_spanish_form_model() -> None:
    model = form_model(load_library().get("phq9").questionnaire, "es")
    first = next(item for item in model.walk() if item.link_id == "/44250-9")
    assert first.text == "Poco interés o placer en hacer cosas"
    assert [o.display for o in first.options][-1] == "Casi todos los días"
