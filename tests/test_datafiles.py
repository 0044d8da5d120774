"""Every JSON file in the tree is claimed and checked: clinical data files against their
schema through the one loader (every rule with source, confidence and effective dates), the
schemas themselves, and the instrument library through the scoring engine's parser. Then the
loader's errors, one by one."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from dyadcare import clinicaldata
from dyadcare.clinicaldata import DataFileError, load
from dyadcare.conf import Env
from dyadcare.families.rules import PRETERM_BEFORE, GestationalAge, term_setting_range
from dyadcare.instruments.engine import load_library, parse_instrument
from dyadcare.touchpoints.bundles import bundle_data

PACKAGE = Path(clinicaldata.__file__).resolve().parents[1]
SCHEMAS = PACKAGE / "clinicaldata" / "schemas"
HSDS = PACKAGE / "referrals" / "hsds"
LIBRARY = PACKAGE / "instruments" / "library"
EVERY_JSON = sorted(PACKAGE.rglob("*.json"))


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _rules(node: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    """Every object of a data file that carries provenance (outside the sources map)."""
    if isinstance(node, dict):
        if "source" in node or "effective" in node:
            yield path, node
        for key, value in node.items():
            if path == "$" and key == "sources":
                continue
            yield from _rules(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _rules(value, f"{path}[{index}]")


def test_the_tree_has_json_files_of_every_kind() -> None:
    kinds = {_rel(p).split("/")[1] for p in EVERY_JSON}
    assert {"data", "schemas", "library"} <= kinds
    assert len(clinicaldata.data_files()) >= 5


@pytest.mark.parametrize("path", EVERY_JSON, ids=_rel)
def test_every_json_file_is_claimed_and_checked(path: Path) -> None:
    if path.parent.name == "data" and path.parent.parent.parent == PACKAGE:
        data = load(path)
        rules = list(_rules(json.loads(path.read_text(encoding="utf-8"))))
        assert rules, f"{_rel(path)} has no rule with provenance"
        for where, rule in rules:
            provenance = data.provenance(rule)
            assert provenance.sources and provenance.confidence in clinicaldata.CONFIDENCES, where
            assert provenance.effective.start <= (provenance.effective.until or provenance.effective.start)
    elif path.parent == SCHEMAS:
        Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))
        name = path.name.removesuffix(".schema.json")
        assert name == "common" or clinicaldata.find(name), f"schema {path.name} checks no data file"
    elif path.parent == HSDS:
        # The published Open Referral HSDS 3.0 schemas the directory import validates with.
        schema = json.loads(path.read_text(encoding="utf-8"))
        validator_for(schema).check_schema(schema)
        assert schema.get("name") or schema.get("title"), f"{_rel(path)} is not an HSDS schema"
    elif path.parent == LIBRARY:
        instrument = parse_instrument(json.loads(path.read_text(encoding="utf-8")))
        assert instrument.id == path.stem
    else:
        pytest.fail(f"{_rel(path)}: no schema or parser claims this file; give it a schema or a parser")


def test_every_data_file_has_its_schema_and_a_name_of_its_own() -> None:
    names = [p.stem for p in clinicaldata.data_files()]
    assert len(names) == len(set(names)), "data file names are schema names: keep them unique"
    for name in names:
        assert clinicaldata.schema_path(name).exists(), f"no schema for {name}"


def test_bundles_name_instruments_of_the_library() -> None:
    library = load_library()
    known = set(library.instruments) | set(library.ids())
    for model, rules in bundle_data().models.items():
        for rule in rules:
            for point, instruments in rule.instruments.items():
                assert set(instruments) <= known, (model, rule.category, point)


# Rules that were in code -------------------------------------------------------------------


def test_preterm_and_the_term_setting_come_from_the_data_file() -> None:
    assert GestationalAge(37, 0) == PRETERM_BEFORE
    assert term_setting_range() == (GestationalAge(37, 0), GestationalAge(42, 6))
    assert Env({"DYADCARE_TERM": "37+0"}).gestational_age_days("DYADCARE_TERM", 280) == 259
    assert Env({"DYADCARE_TERM": "42+6"}).gestational_age_days("DYADCARE_TERM", 280) == 300
    for outside in ("36+6", "43+0"):
        with pytest.raises(ImproperlyConfigured, match=r"must be between 37\+0 and 42\+6"):
            Env({"DYADCARE_TERM": outside}).gestational_age_days("DYADCARE_TERM", 280)


# The loader's errors -----------------------------------------------------------------------


@pytest.fixture
def crisis() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(clinicaldata.find("crisis").read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def _problems(tmp_path: Path, data: dict[str, Any] | str, schema: str = "crisis") -> DataFileError:
    path = tmp_path / "broken.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load(path, schema=schema)
    assert str(caught.value).startswith(f"{path}: "), "the message names the file"
    return caught.value


def test_a_rule_without_a_source(tmp_path: Path, crisis: dict[str, Any]) -> None:
    del crisis["resources"][2]["source"]
    error = _problems(tmp_path, crisis)
    assert ("$.resources[2]", "'source' is a required property") in error.problems
    assert "  $.resources[2]: 'source' is a required property" in str(error)


def test_a_rule_the_schema_does_not_describe(tmp_path: Path, crisis: dict[str, Any]) -> None:
    crisis["extra"] = {"rule": {"source": "911", "confidence": "verified"}}
    error = _problems(tmp_path, crisis)
    paths = {p.path for p in error.problems}
    assert "$" in paths, "the schema refuses the unknown property"
    assert (
        "$.extra.rule",
        "a rule needs source, confidence and effective: no effective",
    ) in error.problems, "the provenance walk finds a rule the schema does not describe"


def test_a_confidence_that_is_not_one_of_three(tmp_path: Path, crisis: dict[str, Any]) -> None:
    crisis["resources"][0]["confidence"] = "certain"
    crisis["sources"]["911"]["confidence"] = "likely"
    paths = {p.path for p in _problems(tmp_path, crisis).problems}
    assert {"$.resources[0].confidence", "$.sources['911'].confidence"} <= paths


def test_a_rule_surer_than_its_sources(tmp_path: Path, crisis: dict[str, Any]) -> None:
    crisis["resources"][0]["source"] = "988-launch"  # inferred
    crisis["sources"]["988-lifeline"]["confidence"] = "inferred"
    error = _problems(tmp_path, crisis)
    assert any(
        p.path == "$.resources[0].confidence" and "surer than any source" in p.message for p in error.problems
    )


def test_effective_dates_reversed(tmp_path: Path, crisis: dict[str, Any]) -> None:
    crisis["resources"][1]["effective"] = {"from": "2024-01-02", "until": "2024-01-01"}
    error = _problems(tmp_path, crisis)
    assert ("$.resources[1].effective", "from 2024-01-02 is after until 2024-01-01") in error.problems


def test_an_effective_date_that_is_not_a_date(tmp_path: Path, crisis: dict[str, Any]) -> None:
    crisis["resources"][1]["effective"]["from"] = "2024-02-30"
    error = _problems(tmp_path, crisis)
    assert any(p.path == "$.resources[1].effective.from" for p in error.problems)


def test_a_schema_violation_names_the_file_and_the_path(tmp_path: Path, crisis: dict[str, Any]) -> None:
    crisis["resources"][0]["phone"] = "call us"
    crisis["resources"][1]["name"] = {"es": "Sin inglés"}
    error = _problems(tmp_path, crisis)
    assert error.file == str(tmp_path / "broken.json")
    assert ("$.resources[0].phone", "'call us' does not match '^[0-9]{3,11}$'") in error.problems
    assert ("$.resources[1].name", "'en' is a required property") in error.problems
    assert str(error).splitlines()[0] == f"{tmp_path / 'broken.json'}: 2 problems"


def test_sources_cited_and_citing(tmp_path: Path, crisis: dict[str, Any]) -> None:
    crisis["resources"][2]["source"] = ["911", "fcc"]
    crisis["sources"]["unused"] = {"citation": "Nobody cites me", "confidence": "verified"}
    problems = _problems(tmp_path, crisis).problems
    assert ("$.resources[2].source", "cites 'fcc', which is not in the file's sources") in problems
    assert ("$.sources.unused", "no rule cites this source") in problems


def test_a_source_url_must_be_well_formed(tmp_path: Path, crisis: dict[str, Any]) -> None:
    crisis["sources"]["911"]["url"] = "www.911.gov"
    crisis["sources"]["ndvh"]["url"] = "https://the hotline.org"
    paths = {p.path for p in _problems(tmp_path, crisis).problems}
    assert paths == {"$.sources['911'].url", "$.sources.ndvh.url"}


def test_ids_are_unique_and_keys_are_not_repeated(tmp_path: Path, crisis: dict[str, Any]) -> None:
    crisis["resources"][2]["key"] = "988"
    text = json.dumps(crisis).replace('"title": ', '"title": "first", "title": ', 1)
    problems = _problems(tmp_path, text).problems
    assert ("$.resources[2].key", "key '988' appears twice") in problems
    assert ("$", "key 'title' appears twice") in problems


def test_cross_references_resolve(tmp_path: Path) -> None:
    periodicity = json.loads(clinicaldata.find("periodicity").read_text(encoding="utf-8"))
    periodicity["touchpoints"][0]["due"].append("dental")
    problems = _problems(tmp_path, periodicity, schema="periodicity").problems
    assert ("$.touchpoints[0].due[2]", "'dental' is not one of #/categories/*/key") in problems

    bundles = json.loads(clinicaldata.find("bundles").read_text(encoding="utf-8"))
    bundles["models"]["other"]["autism"]["instruments"]["7m"] = ["mchat-r"]
    problems = _problems(tmp_path, bundles, schema="bundles").problems
    message = "'7m' is not one of periodicity#/touchpoints/*/key or '*'"
    assert ("$.models.other.autism.instruments", message) in problems


def test_not_json_and_no_schema(tmp_path: Path) -> None:
    assert _problems(tmp_path, "{ nope").problems[0].message.startswith("not valid JSON")
    assert _problems(tmp_path, "{}", schema="nothing").problems == (
        ("$", "no schema clinicaldata/schemas/nothing.schema.json"),
    )


def test_load_by_name_keeps_the_result_and_freezes_it() -> None:
    data = load("periodicity")
    assert data is load(clinicaldata.find("periodicity"))
    assert data.path == PACKAGE / "touchpoints" / "data" / "periodicity.json"
    with pytest.raises(TypeError):
        data.content["title"] = "changed"  # type: ignore[index]
    assert isinstance(data["touchpoints"], tuple)
    with pytest.raises(FileNotFoundError, match="no single clinical data file named 'nothing'"):
        load("nothing")
