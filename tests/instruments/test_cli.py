"""The command-line contract, run as the external checks run it: the ``dyadcare`` console
script in its own process, without Django settings or a database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dyadcare.instruments.engine import CONTRACT_IDS
from tests.instruments.conftest import FIXTURES

DYADCARE = str(Path(sys.executable).with_name("dyadcare"))
# No secret key, no demo mode, no database: the two commands must not need them.
ENV = {k: v for k, v in os.environ.items() if not k.startswith(("DYADCARE_", "DATABASE_URL", "DJANGO_"))}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DYADCARE, *args], env=ENV, capture_output=True, text=True, timeout=60, check=False)


def ok(*args: str) -> Any:
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_instruments_lists_every_contract_id() -> None:
    listing = ok("instruments")
    assert [entry["id"] for entry in listing] == [*CONTRACT_IDS, "cdc-milestones"]
    for entry in listing:
        assert set(entry) == {"id", "title", "licence", "items", "languages"}
        assert entry["licence"] in {"bundled", "clinic-supplied", "score-only"}
        assert "en" in entry["languages"]
    by_id = {entry["id"]: entry for entry in listing}
    expected_items = {
        "phq2": 2,
        "phq9": 9,
        "gad7": 7,
        "epds": 10,
        "mchat-r": 20,
        "hvs": 2,
        "ahc-hrsn": 10,
        "hits": 4,
        "taps1": 4,
        "swyc-bpsc": 12,
        "swyc-ppsc": 18,
        "swyc-posi": 7,
        "pearls-child": 17,
    }
    assert {k: by_id[k]["items"] for k in expected_items} == expected_items
    assert {k for k, v in by_id.items() if v["licence"] == "bundled"} == {
        "phq2",
        "phq9",
        "gad2",
        "gad7",
        "hvs",
        "ahc-hrsn",
        "taps1",
        "cdc-milestones",
    }
    assert {k for k, v in by_id.items() if v["licence"] == "score-only"} == {"asq3", "asqse2"}
    assert by_id["cdc-milestones"]["items"] is None  # depends on the age: see --all
    with_ages = ok("instruments", "--all")
    assert "cdc-milestones-9m" in {entry["id"] for entry in with_ages}


def test_score_prints_the_contract_object() -> None:
    assert ok("score", "phq9", "--answers", "[1,1,2,2,1,1,0,1,1]") == {
        "instrument": "phq9",
        "total": 10,
        "band": "moderate",
        "positive": True,
        "critical_items": [9],
        "subscores": {},
        "domains": {},
        "complete": True,
    }
    result = ok("score", "ahc-hrsn", "--answers", "[1, [0, 7], 2, 2, 0, 1, 3, 3, 2, null]")
    assert result["domains"]["safety"] is True and result["complete"] is False
    assert ok("score", "hits", "--answers", "[1,1,0,0]", "--language", "es")["positive"] is True
    milestones = ok("score", "cdc-milestones", "--age", "2", "--answers", json.dumps([0] * 11))
    assert milestones["positive"] is None and milestones["instrument"] == "cdc-milestones-2m"


@pytest.mark.parametrize(
    "args",
    [
        ("score", "phq9", "--answers", "[0,0]"),  # wrong number of items
        ("score", "phq9", "--answers", "[0,0,0,0,0,0,0,0,4]"),  # position out of range
        ("score", "phq9", "--answers", "[0,0,0,0,0,0,0,0,-1]"),
        ("score", "phq9", "--answers", "[0,0,0,0,0,0,0,0,true]"),
        ("score", "phq9", "--answers", "[0,0,0,0,0,0,0,0,[1]]"),  # a list for a single-choice item
        ("score", "ahc-hrsn", "--answers", "[0,2,2,2,1,1,0,0,0,0]"),  # a position for a multi-select item
        ("score", "nope", "--answers", "[]"),  # unknown instrument
        ("score", "phq9", "--answers", "[0,0"),  # malformed JSON
        ("score", "phq9", "--answers", '{"a": 1}'),
        ("score", "phq9"),
        ("score", "cdc-milestones", "--answers", "[]"),  # no age
        ("score", "--response", "/nonexistent/qr.json"),
        ("score", "--bogus"),
        ("instruments", "--bogus"),
    ],
)
def test_invalid_input_exits_2_with_one_line(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"dyadcare {args[0]}: ")


def test_score_a_response_with_and_without_its_questionnaire() -> None:
    questionnaire = str(FIXTURES / "external/us-core/Questionnaire-hunger-vital-sign-example.json")
    response = str(FIXTURES / "external/us-core/QuestionnaireResponse-hunger-vital-sign-example.json")
    with_q = ok("score", "--response", response, "--questionnaire", questionnaire)
    without = ok("score", "--response", response)
    assert with_q["positive"] is True and with_q["total"] == 2
    assert set(with_q) == {
        "instrument",
        "total",
        "band",
        "positive",
        "critical_items",
        "subscores",
        "domains",
        "complete",
        "observations",
    }
    assert {k: v for k, v in with_q.items() if k != "observations"} == {
        k: v for k, v in without.items() if k != "observations"
    }

    def values(result: dict[str, Any]) -> list[tuple[str, Any]]:
        return [
            (o["code"]["coding"][0]["code"], o.get("valueCodeableConcept", {}).get("coding"))
            for o in result["observations"]
        ]

    assert values(with_q) == values(without)  # (displays come from whichever form is at hand)
    assert all(o["resourceType"] == "Observation" for o in with_q["observations"])


@pytest.mark.parametrize(
    "content",
    [
        '{"resourceType": "QuestionnaireResponse", '
        '"item": [{"linkId": "/88122-7", "answer": [{"valueInteger": 1}]}]}',  # a number for a choice item
        '{"resourceType": "QuestionnaireResponse", "item": [{"linkId": "/88122-7"',  # cut short
        '{"resourceType": "Patient"}',
        "[]",
        "not json",
    ],
)
def test_malformed_fhir_exits_2(tmp_path: Path, content: str) -> None:
    path = tmp_path / "qr.json"
    path.write_text(content)
    questionnaire = str(FIXTURES / "external/us-core/Questionnaire-hunger-vital-sign-example.json")
    result = run("score", "--response", str(path), "--questionnaire", questionnaire)
    assert result.returncode == 2 and result.stdout == "" and result.stderr.count("\n") == 1
