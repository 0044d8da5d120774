"""Malformed input of any shape ends with exit status 2 and one line, never a traceback."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dyadcare.instruments import commandline
from tests.instruments.conftest import fixture

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    node[path[0]] = _replace(node[path[0]], path[1:], value)
    return node


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data(), JSON)
def test_mutated_responses_exit_0_or_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject, value: Any
) -> None:
    name = data.draw(st.sampled_from(["hunger-vital-sign-example", "TAPS"]))
    response = fixture(f"external/us-core/QuestionnaireResponse-{name}.json")
    questionnaire_path = (
        Path(__file__).resolve().parent.parent / "fixtures" / f"external/us-core/Questionnaire-{name}.json"
    )
    paths = _paths(response)
    path = data.draw(st.sampled_from(paths))
    mutated = _replace(copy.deepcopy(response), path, value)
    qr = tmp_path / "qr.json"
    qr.write_text(json.dumps(mutated))
    args = ["score", "--response", str(qr)]
    if data.draw(st.booleans()):
        args += ["--questionnaire", str(questionnaire_path)]
    status = commandline.main(args)
    out, err = capsys.readouterr()
    assert status in (0, 2)
    if status == 2:
        assert out == "" and err.count("\n") == 1
    else:
        assert err == "" and json.loads(out)["instrument"]


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_any_answers_json_exits_0_or_2(value: Any) -> None:
    status = commandline.main(["score", "ahc-hrsn", "--answers", json.dumps(value)])
    assert status in (0, 2)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data(), JSON)
def test_mutated_questionnaires_exit_0_or_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject, value: Any
) -> None:
    name = data.draw(st.sampled_from(["hunger-vital-sign-example", "TAPS"]))
    questionnaire = fixture(f"external/us-core/Questionnaire-{name}.json")
    path = data.draw(st.sampled_from(_paths(questionnaire)))
    (tmp_path / "q.json").write_text(json.dumps(_replace(copy.deepcopy(questionnaire), path, value)))
    response = (
        Path(__file__).resolve().parent.parent
        / "fixtures"
        / f"external/us-core/QuestionnaireResponse-{name}.json"
    )
    status = commandline.main(
        ["score", "--response", str(response), "--questionnaire", str(tmp_path / "q.json")]
    )
    out, err = capsys.readouterr()
    assert status in (0, 2)
    assert (out == "" and err.count("\n") == 1) if status == 2 else err == ""
