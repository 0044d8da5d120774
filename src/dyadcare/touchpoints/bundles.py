"""Which categories are due at a touchpoint for a clinic, and the instruments that fill them.

Pure Python. A bundle is built from three layers, each overriding the one before: the
periodicity schedule (categories due at each touchpoint), the service model's defaults
(``data/bundles.json``: instruments per category, and categories the model adds at some
touchpoints), and the clinic's own rules (stored in the database, passed in as ``Rule``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from dyadcare.clinicaldata import Provenance, load
from dyadcare.touchpoints.schedule import CATEGORY_ORDER, Category, categories, category_from, touchpoints

ANY = "*"


@dataclass(frozen=True)
class Fallback:
    """What a category uses instead of a clinic-supplied instrument (``instead_of``) whose
    licensed text the clinic has not loaded: instruments that need no licence (``use``), and
    instruments added after a positive result of another (``after_positive``, e.g. the PHQ-9
    after a positive PHQ-2)."""

    category: str
    instead_of: str
    use: tuple[str, ...]
    after_positive: Mapping[str, tuple[str, ...]]
    provenance: Provenance = field(compare=False, repr=False)


@dataclass(frozen=True)
class ModelRule:
    """A service model's default instruments for one category, by touchpoint key (or ``*``),
    and its fallbacks, by the instrument they replace."""

    category: str
    instruments: Mapping[str, tuple[str, ...]]
    provenance: Provenance = field(compare=False, repr=False)
    fallbacks: Mapping[str, Fallback] = field(default_factory=dict)


@dataclass(frozen=True)
class BundleData:
    """``data/bundles.json``, typed."""

    extra_categories: tuple[Category, ...]
    models: Mapping[str, tuple[ModelRule, ...]]

    def model(self, service_model: str) -> tuple[ModelRule, ...]:
        """The model's rules; a model the file does not name gets ``other``'s."""
        return self.models.get(service_model, self.models["other"])


@cache
def bundle_data() -> BundleData:
    data = load("bundles")
    return BundleData(
        extra_categories=tuple(category_from(c, data.provenance(c)) for c in data["extra_categories"]),
        models={
            model: tuple(
                ModelRule(
                    category=category,
                    instruments={point: tuple(ids) for point, ids in rule["instruments"].items()},
                    provenance=data.provenance(rule),
                    fallbacks={
                        instead_of: Fallback(
                            category=category,
                            instead_of=instead_of,
                            use=tuple(spec["use"]),
                            after_positive={k: tuple(v) for k, v in spec.get("after_positive", {}).items()},
                            provenance=data.provenance(spec),
                        )
                        for instead_of, spec in rule.get("fallbacks", {}).items()
                    },
                )
                for category, rule in rules.items()
            )
            for model, rules in data["models"].items()
        },
    )


@cache
def all_categories() -> dict[str, Category]:
    """The schedule's categories and those a service model may add."""
    extra = {c.key: c for c in bundle_data().extra_categories}
    return {**categories(), **extra}


@dataclass(frozen=True)
class Rule:
    """A clinic's choice for one category at one touchpoint (``*`` for all where it is due).
    A rule for a category the touchpoint does not have adds the category there."""

    category: str
    touchpoint: str
    instruments: tuple[str, ...]
    label: str = ""


@dataclass(frozen=True)
class DueCategory:
    category: str
    instruments: tuple[str, ...]


@dataclass
class Bundle:
    service_model: str
    rules: tuple[Rule, ...] = ()
    _cells: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, repr=False)
    _custom_labels: dict[str, str] = field(default_factory=dict, repr=False)
    _due_cache: dict[str, list[DueCategory]] = field(default_factory=dict, repr=False)
    _fallbacks: dict[tuple[str, str], Fallback] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for default in bundle_data().model(self.service_model):
            for point, instruments in default.instruments.items():
                self._cells[(default.category, point)] = instruments
            for instead_of, fallback in default.fallbacks.items():
                self._fallbacks[(default.category, instead_of)] = fallback
        for rule in self.rules:
            self._cells[(rule.category, rule.touchpoint)] = tuple(rule.instruments)
            if rule.label:
                self._custom_labels[rule.category] = rule.label

    def label(self, category: str, language: str = "en") -> str:
        known = all_categories().get(category)
        if known is not None:
            return known.label_es if language == "es" else known.label
        return self._custom_labels.get(category, category)

    def bring_forward_until(self, category: str) -> int | None:
        known = all_categories().get(category)
        return known.bring_forward_until_months if known else None

    def due_at(self, touchpoint_key: str) -> list[DueCategory]:
        """The categories due at a touchpoint, in a stable order, with their instruments."""
        if touchpoint_key not in self._due_cache:
            self._due_cache[touchpoint_key] = self._due_at(touchpoint_key)
        return self._due_cache[touchpoint_key]

    def _due_at(self, touchpoint_key: str) -> list[DueCategory]:
        point = next(t for t in touchpoints() if t.key == touchpoint_key)
        keys = list(point.due)
        for category, cell_point in self._cells:
            if cell_point == touchpoint_key and category not in keys:
                keys.append(category)
        order = {key: i for i, key in enumerate(CATEGORY_ORDER)}
        keys.sort(key=lambda k: (order.get(k, len(order)), k))
        return [DueCategory(k, self.instruments(k, touchpoint_key)) for k in keys]

    def instruments(self, category: str, touchpoint_key: str) -> tuple[str, ...]:
        if (category, touchpoint_key) in self._cells:
            return self._cells[(category, touchpoint_key)]
        return self._cells.get((category, ANY), ())

    def instrument_ids(self) -> set[str]:
        return {i for instruments in self._cells.values() for i in instruments}

    def fallback(self, category: str, instrument_id: str) -> Fallback | None:
        """The service model's fallback for ``instrument_id`` in ``category``, if any."""
        return self._fallbacks.get((category, instrument_id))

    def fallbacks(self, category: str) -> tuple[Fallback, ...]:
        return tuple(f for (c, _i), f in self._fallbacks.items() if c == category)

    def category_of(self, instrument_id: str, touchpoint_key: str | None = None) -> str:
        """The category an instrument given at a visit fills: one whose instruments at the
        touchpoint name it, else one whose instruments anywhere, or whose fallbacks, name it;
        "" when none does (an instrument added on concern, such as a GAD-7)."""
        if touchpoint_key:
            for entry in self.due_at(touchpoint_key):
                if instrument_id in entry.instruments:
                    return entry.category
        for (category, _point), instruments in sorted(self._cells.items()):
            if instrument_id in instruments:
                return category
        for (category, _instead), fallback in sorted(self._fallbacks.items()):
            named = {*fallback.use, *(i for ids in fallback.after_positive.values() for i in ids)}
            if instrument_id in named:
                return category
        return ""
