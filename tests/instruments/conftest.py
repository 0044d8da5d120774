from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dyadcare.instruments.engine import Instrument, Library, load_library, parse_answers, score
from dyadcare.instruments.engine.scoring import ScoreResult

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture(path: str) -> dict[str, Any]:
    with (FIXTURES / path).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library()


def run(instrument: Instrument | str, answers: list[Any], language: str = "en") -> ScoreResult:
    ins = load_library().get(instrument) if isinstance(instrument, str) else instrument
    return score(ins, parse_answers(ins, answers), language=language)
