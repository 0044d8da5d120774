"""The library data files keep their promises: licences, sources with confidence, Spanish,
sensitivity labels, LOINC codes, and the CDC checklist counts."""

from __future__ import annotations

import json
import re

import pytest

from dyadcare.instruments.engine import (
    CONTRACT_IDS,
    MILESTONE_AGES,
    DefinitionError,
    Library,
    parse_instrument,
)
from dyadcare.instruments.engine.fhir import form_model, translations, walk_items
from dyadcare.instruments.engine.library import LIBRARY_DIR

BUNDLED = {"phq2", "phq9", "gad2", "gad7", "hvs", "ahc-hrsn", "taps1"}
CLINIC_SUPPLIED = {
    "epds",
    "mchat-r",
    "mchat-rf",
    "swyc-bpsc",
    "swyc-ppsc",
    "swyc-posi",
    "pearls-child",
    "hits",
}
SCORE_ONLY = {"asq3", "asqse2"}


def test_every_contract_instrument_is_in_the_library(library: Library) -> None:
    assert set(CONTRACT_IDS) <= set(library.instruments)
    assert set(CONTRACT_IDS) == BUNDLED | CLINIC_SUPPLIED | SCORE_ONLY
    for ident in BUNDLED:
        assert library.get(ident).licence == "bundled"
    for ident in CLINIC_SUPPLIED:
        assert library.get(ident).licence == "clinic-supplied"
    for ident in SCORE_ONLY:
        assert library.get(ident).licence == "score-only"


@pytest.mark.parametrize("ident", sorted(CLINIC_SUPPLIED | SCORE_ONLY))
def test_licensed_instruments_ship_no_item_text(library: Library, ident: str) -> None:
    instrument = library.get(ident)
    questions = [
        i for i in walk_items(instrument.questionnaire["item"]) if i["type"] not in ("group", "display")
    ]
    for item in questions:
        if instrument.licence == "clinic-supplied":
            assert re.fullmatch(r"Item \d+", item["text"]), item["text"]
            assert re.fullmatch(r"Pregunta \d+", translations(item.get("_text"))["es"])
        for option in item.get("answerOption", []):
            display = option["valueCoding"]["display"]
            # generic scale words only; item-specific option text is a placeholder
            assert len(display.split()) <= 6 or display.startswith("Option "), display
    assert instrument.copyright


@pytest.mark.parametrize("ident", sorted(BUNDLED))
def test_bundled_instruments_ship_english_and_spanish_text(library: Library, ident: str) -> None:
    instrument = library.get(ident)
    assert instrument.languages == ("en", "es")
    for item in instrument.items:
        assert item.text and item.label("es") != item.text
        assert all(option.label("es") for option in item.options)
    assert instrument.loinc_panel or ident == "gad2"  # no GAD-2 panel code exists


def test_every_rule_has_a_source_with_confidence(library: Library) -> None:
    for instrument in library.instruments.values():
        assert instrument.sources, instrument.id
        assert {s.confidence for s in instrument.sources} <= {"verified", "inferred", "unverified"}
        for parameter in instrument.parameters.values():
            assert parameter.source and parameter.confidence in {"verified", "inferred", "unverified"}


def test_values_marked_unverified_or_secondary_in_the_research_are_parameters(library: Library) -> None:
    assert library.get("swyc-ppsc").parameters["positive_at_least"].default == 9
    assert library.get("swyc-ppsc").parameters["positive_at_least"].confidence != "verified"
    blocks = library.get("swyc-bpsc").parameters["subscale_blocks"]
    assert blocks.default == {
        "irritability": [1, 2, 3, 4],
        "inflexibility": [5, 6, 7, 8],
        "routines": [9, 10, 11, 12],
    }
    assert blocks.confidence == "unverified"
    assert library.get("swyc-posi").parameters["check_all_weights"].confidence == "unverified"
    assert library.get("swyc-posi").parameters["column_weights"].default == [0, 0, 1, 1, 1]
    assert library.get("phq2").parameters["positive_at_least"].default == 3
    assert library.get("phq2").parameters["positive_at_least"].confidence == "inferred"
    assert library.get("pearls-child").parameters["high_at_least"].confidence == "inferred"
    assert library.get("hits").parameters["positive_at_least_es"].default == 6
    assert library.get("epds").parameters["positive_at_least_es"].confidence == "unverified"


def test_caregiver_self_instruments_carry_sensitivity_labels(library: Library) -> None:
    expected = {
        "phq2": {"PSY"},
        "phq9": {"PSY"},
        "gad2": {"PSY"},
        "gad7": {"PSY"},
        "epds": {"PSY"},
        "taps1": {"ETH"},
        "hits": {"SDV"},
        "ahc-hrsn": {"SDV", "SOC"},
        "hvs": {"SOC"},
        "pearls-child": {"SDV"},
    }
    for ident, codes in expected.items():
        labels = library.get(ident).sensitivity
        assert {label["code"] for label in labels} == codes
        assert all(label["system"] == "http://terminology.hl7.org/CodeSystem/v3-ActCode" for label in labels)
    for instrument in library.instruments.values():
        if instrument.respondent == "caregiver-self":
            assert instrument.sensitivity, instrument.id


def test_loinc_codes_from_the_research_notes(library: Library) -> None:
    assert [i.loinc for i in library.get("phq9").items] == [
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ]
    assert [i.loinc for i in library.get("gad7").items] == [
        "69725-0",
        "68509-9",
        "69733-4",
        "69734-2",
        "69735-9",
        "69689-8",
        "69736-7",
    ]
    assert [i.loinc for i in library.get("ahc-hrsn").items] == [
        "71802-3",
        "96778-6",
        "88122-7",
        "88123-5",
        "93030-5",
        "96779-4",
        "95618-5",
        "95617-7",
        "95616-9",
        "95615-1",
    ]
    assert {r.code for r in library.get("phq9").results} == {"44261-6"}
    assert library.get("epds").loinc_panel == "71354-5"
    assert [o.code for o in library.get("phq9").item(1).options] == [
        "LA6568-5",
        "LA6569-3",
        "LA6570-1",
        "LA6571-9",
    ]


# Items per age and domain, 2022 checklists (screening.md 2.14).
CDC_COUNTS = {
    2: (4, 2, 2, 3),
    4: (3, 3, 2, 5),
    6: (3, 3, 3, 3),
    9: (5, 2, 2, 4),
    12: (1, 3, 2, 4),
    15: (5, 4, 2, 2),
    18: (5, 2, 2, 6),
    24: (2, 4, 3, 4),
    30: (3, 4, 4, 4),
    36: (2, 5, 2, 3),
}


@pytest.mark.parametrize("age", MILESTONE_AGES)
def test_cdc_checklists(library: Library, age: int) -> None:
    checklist = library.get("cdc-milestones", age=age)
    sizes = tuple(len(m.items) for m in checklist.scoring.measures)  # type: ignore[arg-type]
    assert sizes == CDC_COUNTS[age]
    assert (
        checklist.kind == "surveillance"
        and checklist.scoring.positive is None
        and not checklist.scoring.bands
    )
    assert "does not imply endorsement by CDC" in checklist.copyright
    assert all(item.label("es") != item.text for item in checklist.items)
    assert form_model(checklist.questionnaire, "es").title.startswith("Lista")


def test_every_library_questionnaire_is_a_valid_form(library: Library) -> None:
    for instrument in library.instruments.values():
        model = form_model(instrument.questionnaire)
        assert model.url == instrument.url
        assert {i.link_id for i in instrument.items} <= set(model.by_link())


def test_a_data_file_that_breaks_the_format_is_refused() -> None:
    data = json.loads((LIBRARY_DIR / "epds.json").read_text(encoding="utf-8"))
    data["scoring"]["reverse_keyed"] = [3]  # items 5-10 are reverse-keyed in their weights
    with pytest.raises(DefinitionError, match="reverse keying"):
        parse_instrument(data)
    data = json.loads((LIBRARY_DIR / "epds.json").read_text(encoding="utf-8"))
    data["questionnaire"]["item"][0]["text"] = "I have been able to laugh"
    with pytest.raises(DefinitionError, match="placeholder"):
        parse_instrument(data)
    data = json.loads((LIBRARY_DIR / "swyc-bpsc.json").read_text(encoding="utf-8"))
    data["parameters"][0]["default"] = {"a": [1, 2], "b": [2, 3]}
    with pytest.raises(DefinitionError, match="two blocks"):
        parse_instrument(data)


def test_clinic_text_and_overrides_apply(library: Library) -> None:
    epds = library.get("epds")
    texts = [f"Pregunta clínica {n}" for n in range(1, 11)]
    options = [[f"Opción {k}" for k in range(1, 5)] for _ in range(10)]
    loaded = epds.with_text("es", texts, options)
    assert loaded.item(3).label("es") == "Pregunta clínica 3" and loaded.item(3).text == "Item 3"
    assert loaded.item(3).options[0].label("es") == "Opción 1"
    assert loaded.text_language == ("es",)
    assert form_model(loaded.questionnaire, "es").items[0].text == "Pregunta clínica 1"
    with pytest.raises(DefinitionError):
        epds.with_text("es", texts[:9])
    with pytest.raises(DefinitionError, match="at most"):
        epds.with_overrides({"positive_at_least": 31})
    with pytest.raises(DefinitionError, match="no parameter"):
        epds.with_overrides({"nope": 1})
