"""The ``dyadcare billing evaluate EVENTS.json`` command-line contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DYADCARE = str(Path(sys.executable).with_name("dyadcare"))

GOOD: dict[str, Any] = {
    "payer": "medi-cal",
    "children": [
        {"id": "c1", "dob": "2025-01-15", "medi_cal": True},
        {"id": "c2", "dob": "2024-06-01", "medi_cal": False},
    ],
    "staff": [
        {"id": "s1", "license": "LCSW", "npi": "1234567893", "aces_aware_attested": True},
        {"id": "s2", "license": "CHW", "npi": "1234567893", "aces_aware_attested": False},
        {"id": "s3", "license": "MD", "npi": "1234567893", "aces_aware_attested": False},
    ],
    "events": [
        {
            "id": "e1",
            "date": "2025-02-15",
            "child": "c1",
            "staff": "s1",
            "type": "screening",
            "instrument": "EPDS",
            "subject": "caregiver",
            "positive": True,
        },
        {
            "id": "e2",
            "date": "2025-02-16",
            "child": "c1",
            "staff": "s1",
            "type": "screening",
            "instrument": "pearls",
            "subject": "child",
            "positive": True,
            "ace_score": 5,
        },
        {
            "id": "e3",
            "date": "2025-02-16",
            "child": "c1",
            "staff": "s3",
            "type": "screening",
            "instrument": "pearls",
            "subject": "child",
            "positive": False,
            "ace_score": 1,
        },
        {
            "id": "e4",
            "date": "2025-02-17",
            "child": "c1",
            "staff": "s2",
            "type": "service",
            "service": "community-supports",
            "minutes": 30,
        },
        {
            "id": "e5",
            "date": "2025-02-17",
            "child": "c2",
            "staff": "s1",
            "type": "service",
            "service": "dbh-well-child",
            "minutes": 60,
        },
        {
            "id": "e6",
            "date": "2025-02-18",
            "child": "c1",
            "staff": "s1",
            "type": "service",
            "service": "family-training",
            "minutes": 7,
        },
        {
            "id": "e7",
            "date": "2025-02-18",
            "child": "c1",
            "staff": "s1",
            "type": "service",
            "service": "psychoeducation",
            "minutes": 23,
        },
        {
            "id": "e8",
            "date": "2025-02-19",
            "child": "c1",
            "staff": "s1",
            "type": "screening",
            "instrument": "PHQ-2",
            "subject": "caregiver",
            "positive": False,
        },
    ],
}


def run(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYADCARE_")}
    return subprocess.run(
        [DYADCARE, "billing", "evaluate", str(path), *extra],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "events.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_a_good_file_prints_each_events_lines(tmp_path: Path) -> None:
    result = run(write(tmp_path, GOOD))
    assert result.returncode == 0, result.stderr
    lines = {line["event"]: line for line in json.loads(result.stdout)["lines"]}
    assert set(next(iter(lines.values()))) == {"event", "code", "modifiers", "units", "status", "reasons"}
    assert (lines["e1"]["code"], lines["e1"]["modifiers"], lines["e1"]["status"]) == ("G8431", ["HD"], "held")
    assert "follow-up plan" in lines["e1"]["reasons"][0]
    assert (lines["e2"]["code"], lines["e2"]["status"], lines["e2"]["reasons"]) == ("G9919", "ready", [])
    assert (lines["e3"]["code"], lines["e3"]["status"]) == ("G9920", "held")
    assert "ACEs Aware" in lines["e3"]["reasons"][0]
    assert (lines["e4"]["code"], lines["e4"]["units"], lines["e4"]["status"]) == ("H2015", 2, "held")
    assert "Community health worker" in lines["e4"]["reasons"][0]
    assert (lines["e5"]["code"], lines["e5"]["status"]) == ("H1011", "held")
    assert "not enrolled" in lines["e5"]["reasons"][0]
    assert (lines["e6"]["code"], lines["e6"]["units"], lines["e6"]["status"]) == ("T1027", 0, "held")
    assert (lines["e7"]["code"], lines["e7"]["units"], lines["e7"]["status"]) == ("H2027", 2, "ready")
    assert (lines["e8"]["code"], lines["e8"]["modifiers"], lines["e8"]["status"]) == (
        "G8510",
        ["HD"],
        "ready",
    )
    assert result.stderr == ""


def test_explain_adds_the_rule_the_reason_codes_and_the_notes(tmp_path: Path) -> None:
    result = run(write(tmp_path, GOOD), "--explain")
    lines = {line["event"]: line for line in json.loads(result.stdout)["lines"]}
    assert lines["e1"]["reason_codes"] == [{"code": "no-follow-up-plan"}]
    assert lines["e5"]["rule"] == "dbh-well-child"
    assert any("inferred" in note for note in lines["e5"]["notes"])


def test_lines_come_in_date_order_so_limits_count(tmp_path: Path) -> None:
    events = [
        {
            "id": f"m{n}",
            "date": f"2025-{month:02d}-20",
            "child": "c1",
            "staff": "s1",
            "type": "screening",
            "instrument": "epds",
            "subject": "caregiver",
            "positive": False,
        }
        for n, month in enumerate([11, 2, 4, 6, 8])
    ]
    result = run(write(tmp_path, {**GOOD, "events": events}))
    lines = json.loads(result.stdout)["lines"]
    assert [line["event"] for line in lines] == ["m1", "m2", "m3", "m4", "m0"]
    assert [line["status"] for line in lines] == ["ready"] * 4 + ["held"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ("", "not valid JSON"),
        ([], "must be a JSON object"),
        ({"payer": "medi-cal", "children": [], "staff": []}, "events must be a list"),
        ({**GOOD, "payer": "aetna"}, "payer"),
        ({**GOOD, "children": [{"id": "c1", "dob": "15/01/2025", "medi_cal": True}]}, "dob"),
        ({**GOOD, "children": [{"id": "c1", "dob": "2025-01-15", "medi_cal": "yes"}]}, "medi_cal"),
        ({**GOOD, "events": [{**GOOD["events"][0], "type": "visit"}]}, "type"),
        ({**GOOD, "events": [{**GOOD["events"][3], "minutes": -5}]}, "minutes"),
        ({**GOOD, "events": [{**GOOD["events"][0], "child": "nobody"}]}, "nobody"),
        ({**GOOD, "events": [GOOD["events"][0], GOOD["events"][0]]}, "share the id"),
    ],
)
def test_a_malformed_file_exits_2_with_one_line(tmp_path: Path, content: object, message: str) -> None:
    result = run(write(tmp_path, content))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_a_missing_file_exits_2_with_one_line(tmp_path: Path) -> None:
    result = run(tmp_path / "absent.json")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1 and "no such file" in result.stderr


def test_no_file_named_exits_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYADCARE_")}
    result = subprocess.run(
        [DYADCARE, "billing", "evaluate"], capture_output=True, text=True, check=False, env=env
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1
