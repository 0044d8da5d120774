"""Scoring an instrument's answers: exact, deterministic, no I/O.

Answers are given in the instrument's printed order, one entry per answer item: the 0-based
position of the chosen option, a list of positions for a multi-select item, a number for a
score-entry item, or ``None`` when unanswered (checked by
:mod:`dyadcare.instruments.engine.answers`).

Missing answers never hide a positive. ``total`` and the subscores count what was answered;
the positive rule, the domains and the band are judged on the *least-risk completion* (every
unanswered item given its lowest possible score), so a positive is reported exactly when the
answered items already make it certain, whatever the missing answers turn out to be. Every
rule is monotone (a higher-risk answer never lowers a score), which makes this exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dyadcare.instruments.engine.answers import Answer
from dyadcare.instruments.engine.definition import AnswerItem, Instrument, Rule
from dyadcare.instruments.engine.errors import InputError
from dyadcare.instruments.engine.plain import plain


@dataclass(frozen=True)
class ScoreResult:
    """What the care team sees. ``as_contract()`` is the command-line object."""

    instrument: str
    total: float | None
    band: str | None
    positive: bool | None
    critical_items: tuple[int, ...]
    subscores: Mapping[str, float]
    domains: Mapping[str, bool]
    complete: bool
    answered: int
    language: str = "en"
    measures: Mapping[str, float] = field(default_factory=dict)  # every subscore, reported or not
    item_scores: tuple[float | None, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def as_contract(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "total": plain(self.total),
            "band": self.band,
            "positive": self.positive,
            "critical_items": list(self.critical_items),
            "subscores": {k: plain(v) for k, v in self.subscores.items()},
            "domains": dict(self.domains),
            "complete": self.complete,
        }


class _Weights:
    """Option weights in force: the data file's, or a clinic's "weights" parameter."""

    def __init__(self, instrument: Instrument) -> None:
        self.by_item: dict[int, list[float]] = {
            item.number: [o.weight for o in item.options] for item in instrument.items
        }
        for param in instrument.parameters.values():
            if param.kind == "weights":
                values = instrument.overrides.get(param.name, param.default)
                for number in param.items:
                    self.by_item[number] = [float(v) for v in values]


def _item_score(instrument: Instrument, weights: _Weights, item: AnswerItem, answer: Answer) -> float | None:
    if answer is None:
        return None
    if item.kind == "numeric":
        return float(answer)  # type: ignore[arg-type]
    table = weights.by_item[item.number]
    if item.kind == "multi":
        chosen = [table[p] for p in answer]  # type: ignore[union-attr]
        return max(chosen) if instrument.scoring.multi_select == "max" else sum(chosen)
    return table[answer]  # type: ignore[index]


def _lowest(weights: _Weights, item: AnswerItem) -> float:
    if item.kind == "numeric":
        assert item.minimum is not None
        return item.minimum
    table = weights.by_item[item.number]
    return 0.0 if item.kind == "multi" else min(table)


def score(
    instrument: Instrument,
    answers: Sequence[Answer],
    *,
    language: str = "en",
) -> ScoreResult:
    """Score answers already checked by :func:`~dyadcare.instruments.engine.answers.parse_answers`
    (or built by the caller)."""
    if len(answers) != len(instrument.items):
        raise InputError(f"{instrument.id} has {len(instrument.items)} items; {len(answers)} answers given")
    spec = instrument.scoring
    scored = _Scored.of(instrument, answers, language)
    subscores, measures, least_measures = _measures(scored)
    rules = _Rules(scored, least_measures)
    domains = {domain.name: rules.holds(domain.rule) for domain in spec.domains}
    rules.domains = domains
    total, least_total = _totals(scored, domains)
    rules.least_total = least_total
    positive = rules.holds(spec.positive) if spec.positive is not None else None
    band_value = least_total if spec.band_on == "total" else least_measures.get(spec.band_on)
    return ScoreResult(
        instrument=instrument.id,
        total=total,
        band=_band(scored, band_value),
        positive=positive,
        critical_items=_critical_items(scored),
        subscores=subscores,
        domains=domains,
        complete=scored.answered > 0 if spec.optional_items else scored.answered == len(instrument.items),
        answered=scored.answered,
        language=language,
        item_scores=tuple(scored.scores),
        parameters=_parameters_in_force(instrument, language),
        measures=measures,
    )


@dataclass(frozen=True)
class _Scored:
    """Answers being scored: each item's score as answered (None when unanswered) and on the
    least-risk completion (an unanswered item at its lowest possible score)."""

    instrument: Instrument
    language: str
    scores: list[float | None]
    least: list[float]

    @classmethod
    def of(cls, instrument: Instrument, answers: Sequence[Answer], language: str) -> _Scored:
        weights = _Weights(instrument)
        items = instrument.items
        scores = [_item_score(instrument, weights, item, a) for item, a in zip(items, answers, strict=True)]
        least = [
            s if s is not None else _lowest(weights, item) for item, s in zip(items, scores, strict=True)
        ]
        return cls(instrument, language, scores, least)

    @property
    def answered(self) -> int:
        return sum(1 for s in self.scores if s is not None)

    def threshold(self, value: float | str | None) -> float:
        """A rule's or band's threshold: a number, or the value of a number parameter."""
        if isinstance(value, str):
            return float(self.instrument.parameter_value(value, self.language))
        assert value is not None
        return float(value)

    def blocks(self, items: tuple[int, ...] | str) -> dict[str, tuple[int, ...]]:
        """A measure's items: one unnamed block, or the named blocks of a "blocks" parameter."""
        if isinstance(items, str):
            blocks = self.instrument.parameter_value(items, self.language)
            return {name: tuple(numbers) for name, numbers in blocks.items()}
        return {"": items}


def _aggregate(values: list[float], how: str) -> float:
    return (max(values) if values else 0.0) if how == "max" else float(sum(values))


def _measures(scored: _Scored) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """The reported subscores, every measure as answered, and every measure on the least-risk
    completion."""
    subscores: dict[str, float] = {}
    measures: dict[str, float] = {}
    least_measures: dict[str, float] = {}
    for measure in scored.instrument.scoring.measures:
        for suffix, numbers in scored.blocks(measure.items).items():
            name = suffix or measure.name
            answered_values = [scored.scores[n - 1] for n in numbers if scored.scores[n - 1] is not None]
            least_measures[name] = _aggregate([scored.least[n - 1] for n in numbers], measure.aggregate)
            measures[name] = _aggregate([v for v in answered_values if v is not None], measure.aggregate)
            if measure.report:
                subscores[name] = measures[name]
    return subscores, measures, least_measures


class _Rules:
    """Judges rules on the least-risk completion. Domain rules are judged first, before the
    total and the domains are known; the positive rule after."""

    def __init__(self, scored: _Scored, least_measures: Mapping[str, float]) -> None:
        self.scored = scored
        self.least_measures = least_measures
        self.domains: Mapping[str, bool] | None = None
        self.least_total: float | None = None

    def holds(self, rule: Rule) -> bool:
        limit = self.scored.threshold(rule.threshold) if rule.threshold is not None else 0.0
        least = self.scored.least
        if rule.kind == "any-item-at-least":
            return any(least[n - 1] >= limit for n in rule.items)
        if rule.kind == "sum-at-least":
            return sum(least[n - 1] for n in rule.items) >= limit
        if rule.kind == "total-at-least":
            assert self.least_total is not None, "a domain rule cannot judge the total"
            return self.least_total >= limit
        if rule.kind == "measure-at-least":
            assert rule.measure is not None
            return self.least_measures[rule.measure] >= limit
        if rule.kind == "any-subscore-at-least":
            return any(value >= limit for value in self.least_measures.values())
        if rule.kind == "any-domain":
            assert self.domains is not None, "a domain rule cannot judge the domains"
            return any(self.domains.values())
        raise AssertionError(rule.kind)


def _totals(scored: _Scored, domains: Mapping[str, bool]) -> tuple[float, float]:
    """The total as answered and on the least-risk completion."""
    spec = scored.instrument.scoring
    if spec.total == "count-domains":
        total = float(sum(domains.values()))
        return total, total
    total = float(sum(s for n in spec.total_items if (s := scored.scores[n - 1]) is not None))
    return total, float(sum(scored.least[n - 1] for n in spec.total_items))


def _band(scored: _Scored, value: float | None) -> str | None:
    """The last band whose minimum ``value`` reaches (None without a value or a band)."""
    band = None
    if value is not None:
        for candidate in scored.instrument.scoring.bands:
            if value >= scored.threshold(candidate.minimum):
                band = candidate.code
    return band


def _critical_items(scored: _Scored) -> tuple[int, ...]:
    critical = scored.instrument.scoring.critical
    return tuple(c.item for c in critical if (s := scored.scores[c.item - 1]) is not None and s > c.above)


def _parameters_in_force(instrument: Instrument, language: str) -> dict[str, Any]:
    return {
        name: instrument.parameter_value(name, language)
        for name in instrument.parameters
        if not name.endswith(f"_{language}")
    }
