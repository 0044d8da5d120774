"""The ``dyadcare schedule`` command-line contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DYADCARE = str(Path(sys.executable).with_name("dyadcare"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DYADCARE, "schedule", *args], capture_output=True, text=True, check=False)


def test_schedule_prints_one_json_object() -> None:
    result = run("--dob", "2024-01-31", "--gestational-age", "33+2", "--as-of", "2024-10-01")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"dob", "gestational_age", "corrected", "touchpoints"}
    assert (data["dob"], data["gestational_age"], data["corrected"]) == ("2024-01-31", "33+2", True)
    assert len(data["touchpoints"]) == 13
    row = data["touchpoints"][6]
    assert set(row) == {
        "key",
        "target_date",
        "window_start",
        "window_end",
        "screening_age_months",
        "due",
        "status",
    }
    assert (row["key"], row["target_date"], row["screening_age_months"], row["status"]) == (
        "9m",
        "2024-10-31",
        7.5,
        "current",
    )
    assert row["due"] == ["developmental", "behavioral-social-emotional"]


def test_defaults() -> None:
    data = json.loads(run("--dob", "2025-06-01").stdout)
    assert data["gestational_age"] is None and data["corrected"] is False


@pytest.mark.parametrize(
    "args",
    [
        ["--dob", "2024-13-01"],
        ["--dob", "31/01/2024"],
        ["--dob", "2024-02-30"],
        ["--dob", "2025-01-02", "--as-of", "2025-01-01"],
        ["--dob", "2024-01-01", "--gestational-age", "21+6"],
        ["--dob", "2024-01-01", "--gestational-age", "45+0"],
        ["--dob", "2024-01-01", "--gestational-age", "33+9"],
        ["--dob", "2024-01-01", "--as-of", "soon"],
        [],
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() and len(result.stderr.strip().splitlines()) == 1


def test_term_and_threshold_come_from_the_environment() -> None:
    import os

    env = {**os.environ, "DYADCARE_TERM": "39+0"}
    args = ["--dob", "2025-01-01", "--gestational-age", "36+6"]
    default = json.loads(run(*args).stdout)
    asq = json.loads(
        subprocess.run(
            [DYADCARE, "schedule", *args], env=env, capture_output=True, text=True, check=True
        ).stdout
    )
    assert default["corrected"] is True  # 22 days before 40+0
    assert asq["corrected"] is False  # 15 days before 39+0
    bad = subprocess.run(
        [DYADCARE, "schedule", *args], env={**env, "DYADCARE_TERM": "forty"}, capture_output=True, text=True
    )
    assert bad.returncode != 0 and "DYADCARE_TERM" in bad.stderr
