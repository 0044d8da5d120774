"""An instrument as the engine sees it, read from one library data file.

A data file holds a FHIR R4 SDC Questionnaire (items, answer options with their weights in the
``ordinalValue`` extension, Spanish in FHIR ``translation`` extensions) and, beside it, the
declarative scoring specification: which items are answered in which order, totals,
subscores, bands, the positive rule, critical items, domains and the configurable parameters,
each rule and cut-off with its source and confidence. ``docs/architecture.md`` describes the
format; :func:`dyadcare.instruments.engine.datafile.parse_instrument` reads and checks it. A
clinic's parameter values are checked by :mod:`dyadcare.instruments.engine.parameters`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from dyadcare.instruments.engine import fhir
from dyadcare.instruments.engine.errors import DefinitionError
from dyadcare.instruments.engine.parameters import Parameter

LicenceClass = Literal["bundled", "clinic-supplied", "score-only"]
LICENCE_CLASSES: tuple[LicenceClass, ...] = ("bundled", "clinic-supplied", "score-only")
Respondent = Literal["caregiver-about-child", "caregiver-self", "staff"]
RESPONDENTS: tuple[str, ...] = ("caregiver-about-child", "caregiver-self", "staff")
Confidence = Literal["verified", "inferred", "unverified"]
CONFIDENCES: tuple[str, ...] = ("verified", "inferred", "unverified")
ItemKind = Literal["choice", "multi", "numeric"]
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


@dataclass(frozen=True)
class Source:
    about: str
    citation: str
    confidence: Confidence
    url: str = ""


@dataclass(frozen=True)
class Option:
    """One answer option, in the order the instrument prints it (0-based position)."""

    position: int
    display: str
    weight: float
    code: str | None = None
    system: str | None = None
    translations: Mapping[str, str] = field(default_factory=dict)
    exclusive: bool = False

    def label(self, language: str) -> str:
        return self.translations.get(language, self.display)


@dataclass(frozen=True)
class AnswerItem:
    """An item answered in ``--answers``: number is 1-based, in printed order."""

    number: int
    link_id: str
    kind: ItemKind
    text: str
    options: tuple[Option, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    codes: tuple[str, ...] = ()  # LOINC codes that identify the item (first is its own)
    translations: Mapping[str, str] = field(default_factory=dict)

    def label(self, language: str) -> str:
        return self.translations.get(language, self.text)

    @property
    def loinc(self) -> str | None:
        return self.codes[0] if self.codes else None


Threshold = float | str  # a number, or the name of a number parameter


@dataclass(frozen=True)
class Measure:
    """A subscore: the sum (or maximum) of some items' scores."""

    name: str
    items: tuple[int, ...] | str  # item numbers, or the name of a "blocks" parameter
    aggregate: Literal["sum", "max"] = "sum"
    report: bool = True
    label: Mapping[str, str] = field(default_factory=dict)  # by language; empty: none given


@dataclass(frozen=True)
class Band:
    """Bands are listed from the lowest; a value falls in the last band whose minimum it
    reaches. ``minimum`` is a number or the name of a number parameter."""

    code: str
    minimum: Threshold
    label: Mapping[str, str]


@dataclass(frozen=True)
class Rule:
    """``kind``: total-at-least, measure-at-least, any-subscore-at-least, any-domain,
    any-item-at-least, sum-at-least."""

    kind: str
    threshold: Threshold | None = None
    measure: str | None = None
    items: tuple[int, ...] = ()


@dataclass(frozen=True)
class Domain:
    name: str
    rule: Rule
    label: Mapping[str, str]


@dataclass(frozen=True)
class Critical:
    item: int
    above: float
    label: Mapping[str, str]


@dataclass(frozen=True)
class ResultCode:
    """A LOINC-coded result the engine reports as an Observation (a total, a risk)."""

    code: str
    display: str
    value: Literal["total", "positive"]
    answers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # "true"/"false" -> coding


@dataclass(frozen=True)
class Scoring:
    total: Literal["sum", "count-domains"]
    total_items: tuple[int, ...]
    total_range: tuple[float, float] | None
    measures: tuple[Measure, ...]
    bands: tuple[Band, ...]
    band_on: str
    positive: Rule | None
    critical: tuple[Critical, ...]
    domains: tuple[Domain, ...]
    reverse_keyed: tuple[int, ...] | None  # None: the instrument declares no keying
    optional_items: bool
    multi_select: Literal["max", "sum"]


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: Mapping[str, str]
    licence: LicenceClass
    copyright: str
    licence_terms: Mapping[str, str]
    respondent: str
    kind: Literal["screen", "surveillance", "score-entry"]
    age_months: tuple[int | None, int | None]
    languages: tuple[str, ...]
    items: tuple[AnswerItem, ...]
    scoring: Scoring
    parameters: Mapping[str, Parameter]
    sources: tuple[Source, ...]
    sensitivity: tuple[Mapping[str, str], ...]
    loinc_panel: str | None
    results: tuple[ResultCode, ...]
    aliases: tuple[str, ...]
    match_codes: Mapping[str, tuple[str, ...]]
    notes: Mapping[str, str]
    questionnaire: Mapping[str, Any]
    overrides: Mapping[str, Any] = field(default_factory=dict)
    text_language: tuple[str, ...] = ()  # languages whose item text a clinic loaded
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def url(self) -> str:
        return str(self.questionnaire["url"])

    def item(self, number: int) -> AnswerItem:
        return self.items[number - 1]

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title["en"]

    def has_item_text(self) -> bool:
        return self.licence == "bundled" or bool(self.text_language)

    def parameter_value(self, name: str, language: str = "en") -> Any:
        """The value in force: a clinic override, else the default. A language variant
        (``name_es``) wins over the plain name for answers given in that language."""
        for key in (f"{name}_{language}", name):
            if key in self.parameters:
                return self.overrides.get(key, self.parameters[key].default)
        raise DefinitionError(f"{self.id}: no parameter {name}")

    def with_overrides(self, overrides: Mapping[str, Any]) -> Instrument:
        """This instrument with a clinic's parameter values (each checked)."""
        checked: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in self.parameters:
                raise DefinitionError(f"{self.id}: no parameter {name}")
            checked[name] = self.parameters[name].check(value, self)
        return replace(self, overrides={**self.overrides, **checked})

    def with_text(
        self, language: str, texts: Sequence[str], options: Sequence[Sequence[str] | None] = ()
    ) -> Instrument:
        """This instrument with a clinic's licensed item text (and option labels) in ``language``."""
        if len(texts) != len(self.items):
            raise DefinitionError(f"{self.id}: {len(self.items)} item texts are needed")
        items = []
        for index, item in enumerate(self.items):
            labels = options[index] if index < len(options) else None
            new_options = item.options
            if labels:
                if len(labels) != len(item.options):
                    raise DefinitionError(f"{self.id} item {item.number}: {len(item.options)} options")
                new_options = tuple(
                    _with_language(o, language, labels[i]) for i, o in enumerate(item.options)
                )
            translations = {**item.translations, language: texts[index]}
            text = texts[index] if language == "en" else item.text
            items.append(replace(item, text=text, options=new_options, translations=translations))
        questionnaire = fhir.with_item_text(
            self.questionnaire,
            language,
            {item.link_id: item.label(language) for item in items},
            {item.link_id: [o.label(language) for o in item.options] for item in items},
        )
        return replace(
            self,
            items=tuple(items),
            questionnaire=questionnaire,
            text_language=tuple(sorted({*self.text_language, language})),
        )


def _with_language(option: Option, language: str, label: str) -> Option:
    if language == "en":
        return replace(option, display=label, translations={**option.translations, "en": label})
    return replace(option, translations={**option.translations, language: label})
