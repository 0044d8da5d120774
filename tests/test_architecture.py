"""What import-linter cannot see: interfaces reach records only through the domains' services
and selectors, never through a model's manager."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "dyadcare"
INTERFACES = ("web", "family_pages", "partner_pages", "api", "ops")
MANAGERS = {"objects", "_base_manager", "_default_manager"}


def _python_files(app: str) -> list[Path]:
    return sorted(p for p in (SRC / app).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("app", INTERFACES)
def test_interfaces_never_query_a_model_themselves(app: str) -> None:
    found = []
    for path in _python_files(app):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {
                "objects",
                "_base_manager",
                "_default_manager",
            }:
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not found, f"call a selector or service instead of a model manager: {found}"


def test_every_interface_and_domain_is_an_app() -> None:
    from django.apps import apps

    labels = {config.name.removeprefix("dyadcare.") for config in apps.get_app_configs()}
    assert set(INTERFACES) <= labels
    assert {"tenancy", "publiclinks", "families", "instruments", "touchpoints", "screening"} <= labels
