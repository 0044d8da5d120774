"""The care domain's clinical data, read through the one loader: tier models, tier
suggestion rules, goal templates and service types (care/data/*.json). Pure: no queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from dyadcare.clinicaldata import load


def text_in(value: Mapping[str, str], language: str) -> str:
    return value.get(language) or value["en"]


@dataclass(frozen=True)
class TierModel:
    key: str
    labels: Mapping[int, Mapping[str, str]]

    def label(self, level: int, language: str = "en") -> str:
        value = self.labels.get(level)
        return text_in(value, language) if value else str(level)

    @property
    def levels(self) -> tuple[int, ...]:
        return tuple(sorted(self.labels))


@cache
def _tier_models() -> dict[str, TierModel]:
    out: dict[str, TierModel] = {}
    for model in load("tiers")["models"]:
        tm = TierModel(model["key"], {t["level"]: t["label"] for t in model["tiers"]})
        for service_model in model["service_models"]:
            out[service_model] = tm
    return out


def tier_model(service_model: str) -> TierModel:
    """The tier model a clinic's service model uses (the light model when none is named)."""
    models = _tier_models()
    return models.get(service_model) or models["other"]


@dataclass(frozen=True)
class TierRule:
    key: str
    category: str
    when: str  # positive, band, alert
    band: str
    tier: int
    reason: Mapping[str, str]


@cache
def tier_rules() -> tuple[TierRule, ...]:
    return tuple(
        TierRule(r["key"], r["category"], r["when"], r.get("band", ""), r["tier"], r["reason"])
        for r in load("tier_rules")["rules"]
    )


def suggest(*, category: str, positive: bool | None, band: str, alert: bool) -> TierRule | None:
    """The highest-tier rule a result (its category, positive or not, band) or an alert
    matches; None when none does."""
    matches = [
        r for r in tier_rules() if r.category in ("*", category) and _matches(r, positive, band, alert)
    ]
    return max(matches, key=lambda r: r.tier, default=None)


def _matches(rule: TierRule, positive: bool | None, band: str, alert: bool) -> bool:
    if rule.when == "alert":
        return alert
    if rule.when == "band":
        return bool(band) and band == rule.band
    return positive is True


@dataclass(frozen=True)
class GoalTemplate:
    key: str
    need: str
    text: Mapping[str, str]
    steps: Mapping[str, str]


@cache
def goal_templates() -> tuple[GoalTemplate, ...]:
    return tuple(
        GoalTemplate(t["key"], t["need"], t["text"], t["steps"]) for t in load("goal_templates")["templates"]
    )


def goal_template(key: str) -> GoalTemplate | None:
    return next((t for t in goal_templates() if t.key == key), None)


@cache
def _need_labels() -> dict[str, tuple[str, ...]]:
    return {r["need"]: tuple(r["labels"]) for r in load("goal_templates").content.get("need_labels", ())}


def need_labels(need: str) -> tuple[str, ...]:
    """The sensitivity labels of a goal's need (a caregiver depression goal is PSY, as the
    screen that found it): who may read the goal is decided as for those results."""
    return _need_labels().get(need, ())


def needs(language: str) -> list[tuple[str, str]]:
    """The needs a goal may answer: the screening categories, by their label."""
    from dyadcare.touchpoints.bundles import all_categories

    return [(c.key, c.label_es if language == "es" else c.label) for c in all_categories().values()]


@dataclass(frozen=True)
class ServiceType:
    key: str
    kind: str  # service or program
    label: Mapping[str, str]
    needs: Sequence[str]


@cache
def service_types() -> tuple[ServiceType, ...]:
    data: Sequence[Any] = load("service_types")["types"]
    return tuple(ServiceType(t["key"], t["kind"], t["label"], tuple(t["needs"])) for t in data)


def service_type(key: str) -> ServiceType | None:
    return next((t for t in service_types() if t.key == key), None)
