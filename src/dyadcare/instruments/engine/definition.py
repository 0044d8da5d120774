"""An instrument as the engine sees it, read from one library data file.

A data file holds a FHIR R4 SDC Questionnaire (items, answer options with their weights in the
``ordinalValue`` extension, Spanish in FHIR ``translation`` extensions) and, beside it, the
declarative scoring specification: which items are answered in which order, totals,
subscores, bands, the positive rule, critical items, domains and the configurable parameters,
each rule and cut-off with its source and confidence. ``docs/architecture.md`` describes the
format; :func:`parse_instrument` checks it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from dyadcare.instruments.engine import fhir
from dyadcare.instruments.engine.errors import DefinitionError

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


@dataclass(frozen=True)
class Parameter:
    """A value a clinic may change: a cut-off, option weights, the items of a subscale."""

    name: str
    kind: Literal["number", "weights", "blocks"]
    default: Any
    confidence: Confidence
    source: str
    label: Mapping[str, str]
    note: Mapping[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    items: tuple[int, ...] = ()  # for "weights": the items whose option weights it sets

    def check(self, value: Any, instrument: Instrument) -> Any:
        """Return ``value`` in canonical form, or raise DefinitionError."""
        if self.kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise DefinitionError(f"{self.name}: a number is needed")
            if self.minimum is not None and value < self.minimum:
                raise DefinitionError(f"{self.name}: at least {_num(self.minimum)}")
            if self.maximum is not None and value > self.maximum:
                raise DefinitionError(f"{self.name}: at most {_num(self.maximum)}")
            return value
        if self.kind == "weights":
            sizes = {len(instrument.item(n).options) for n in self.items}
            if not isinstance(value, list) or len(sizes) != 1 or len(value) != sizes.pop():
                raise DefinitionError(f"{self.name}: one weight per answer option is needed")
            if any(isinstance(v, bool) or v not in (0, 1) for v in value):
                raise DefinitionError(f"{self.name}: each weight is 0 or 1")
            return [int(v) for v in value]
        if not isinstance(value, dict) or not value:
            raise DefinitionError(f"{self.name}: name each block and list its items")
        seen: set[int] = set()
        blocks: dict[str, list[int]] = {}
        for name, items in value.items():
            if not isinstance(name, str) or not name or not isinstance(items, list) or not items:
                raise DefinitionError(f"{self.name}: name each block and list its items")
            for n in items:
                if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(instrument.items):
                    raise DefinitionError(f"{self.name}: item {n} does not exist")
                if n in seen:
                    raise DefinitionError(f"{self.name}: item {n} is in two blocks")
                seen.add(n)
            blocks[name] = list(items)
        return blocks


Threshold = float | str  # a number, or the name of a number parameter


@dataclass(frozen=True)
class Measure:
    """A subscore: the sum (or maximum) of some items' scores."""

    name: str
    items: tuple[int, ...] | str  # item numbers, or the name of a "blocks" parameter
    aggregate: Literal["sum", "max"] = "sum"
    report: bool = True


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


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# Parsing -------------------------------------------------------------------------------------


def _req(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise DefinitionError(f"{where}: '{key}' is missing")
    return data[key]


def _labels(value: Any, where: str) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    if not isinstance(value, dict) or "en" not in value:
        raise DefinitionError(f"{where}: a label needs at least English")
    return {str(k): str(v) for k, v in value.items()}


def _threshold(value: Any, params: Mapping[str, Parameter], where: str) -> Threshold:
    if isinstance(value, dict):
        name = _req(value, "param", where)
        if name not in params or params[name].kind != "number":
            raise DefinitionError(f"{where}: no number parameter {name}")
        return str(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DefinitionError(f"{where}: threshold must be a number or a parameter")
    return float(value)


def _rule(data: Mapping[str, Any], params: Mapping[str, Parameter], where: str) -> Rule:
    kind = _req(data, "kind", where)
    known = {
        "total-at-least",
        "measure-at-least",
        "any-subscore-at-least",
        "any-domain",
        "any-item-at-least",
        "sum-at-least",
    }
    if kind not in known:
        raise DefinitionError(f"{where}: unknown rule kind {kind}")
    threshold = _threshold(data["threshold"], params, where) if "threshold" in data else None
    if kind != "any-domain" and threshold is None:
        raise DefinitionError(f"{where}: the rule needs a threshold")
    return Rule(
        kind=kind,
        threshold=threshold,
        measure=data.get("measure"),
        items=tuple(int(n) for n in data.get("items", ())),
    )


def _options(item: Mapping[str, Any]) -> tuple[Option, ...]:
    options = []
    for position, raw in enumerate(item.get("answerOption", [])):
        coding = raw.get("valueCoding")
        weight = fhir.option_weight(raw)
        if coding is not None:
            display = str(coding.get("display", coding.get("code", "")))
            translations = fhir.translations(coding.get("_display"))
            code, system = coding.get("code"), coding.get("system")
        else:
            value = next((v for k, v in raw.items() if k.startswith("value")), "")
            display, translations, code, system = str(value), {}, None, None
        if weight is None:
            raise DefinitionError(f"{item.get('linkId')}: option {position + 1} has no ordinalValue")
        exclusive = any(
            e.get("url") == fhir.EXT_OPTION_EXCLUSIVE and e.get("valueBoolean")
            for e in raw.get("extension", [])
        )
        options.append(
            Option(
                position=position,
                display=display,
                weight=weight,
                code=code,
                system=system,
                translations={"en": display, **translations},
                exclusive=exclusive,
            )
        )
    return tuple(options)


def parse_instrument(data: Mapping[str, Any]) -> Instrument:
    """Build an :class:`Instrument` from a data file's JSON, checking the format."""
    ident = str(_req(data, "id", "instrument"))
    where = ident
    questionnaire = _req(data, "questionnaire", where)
    if questionnaire.get("resourceType") != "Questionnaire" or not questionnaire.get("url"):
        raise DefinitionError(f"{where}: 'questionnaire' must be a FHIR Questionnaire with a url")
    licence = _req(data, "licence", where)
    licence_class = _req(licence, "class", where)
    if licence_class not in LICENCE_CLASSES:
        raise DefinitionError(f"{where}: licence class {licence_class}")
    respondent = _req(data, "respondent", where)
    if respondent not in RESPONDENTS:
        raise DefinitionError(f"{where}: respondent {respondent}")
    spec = _req(data, "scoring", where)
    by_link = {i["linkId"]: i for i in fhir.walk_items(questionnaire.get("item", []))}

    items: list[AnswerItem] = []
    match_codes = {str(k): tuple(v) for k, v in spec.get("match_codes", {}).items()}
    for number, link_id in enumerate(_req(spec, "answer_items", where), start=1):
        raw = by_link.get(link_id)
        if raw is None:
            raise DefinitionError(f"{where}: answer item {link_id} is not in the questionnaire")
        options = _options(raw)
        kind: ItemKind
        if raw.get("type") in ("choice", "open-choice"):
            kind = "multi" if raw.get("repeats") else "choice"
            if len(options) < 2:
                raise DefinitionError(f"{where}: item {number} needs answer options")
        elif raw.get("type") in ("integer", "decimal"):
            kind = "numeric"
        else:
            raise DefinitionError(f"{where}: item {number} has type {raw.get('type')}")
        low, high = fhir.min_max(raw)
        if kind == "numeric" and (low is None or high is None):
            raise DefinitionError(f"{where}: numeric item {number} needs minValue and maxValue")
        codes = tuple(c["code"] for c in raw.get("code", []) if c.get("system") == fhir.LOINC)
        items.append(
            AnswerItem(
                number=number,
                link_id=link_id,
                kind=kind,
                text=str(raw.get("text", "")),
                options=options,
                minimum=low,
                maximum=high,
                codes=codes + match_codes.get(link_id, ()),
                translations={"en": str(raw.get("text", "")), **fhir.translations(raw.get("_text"))},
            )
        )

    params: dict[str, Parameter] = {}
    for raw_param in data.get("parameters", []):
        name = _req(raw_param, "name", where)
        confidence = _req(raw_param, "confidence", f"{where} {name}")
        if confidence not in CONFIDENCES:
            raise DefinitionError(f"{where} {name}: confidence {confidence}")
        params[name] = Parameter(
            name=name,
            kind=_req(raw_param, "kind", f"{where} {name}"),
            default=_req(raw_param, "default", f"{where} {name}"),
            confidence=confidence,
            source=_req(raw_param, "source", f"{where} {name}"),
            label=_labels(_req(raw_param, "label", f"{where} {name}"), f"{where} {name}"),
            note=_labels(raw_param["note"], where) if "note" in raw_param else {},
            minimum=raw_param.get("minimum"),
            maximum=raw_param.get("maximum"),
            items=tuple(raw_param.get("items", ())),
        )

    numbers = range(1, len(items) + 1)

    def item_list(value: Any, what: str) -> tuple[int, ...]:
        if value == "all":
            return tuple(numbers)
        result = tuple(int(n) for n in value)
        if not result or any(n not in numbers for n in result):
            raise DefinitionError(f"{where}: {what} names an item that does not exist")
        return result

    total = _req(spec, "total", where)
    measures = []
    for raw_measure in spec.get("subscores", []):
        source = raw_measure["items"]
        if isinstance(source, dict):
            pname = _req(source, "param", where)
            if pname not in params or params[pname].kind != "blocks":
                raise DefinitionError(f"{where}: no blocks parameter {pname}")
            measure_items: tuple[int, ...] | str = pname
        else:
            measure_items = item_list(source, raw_measure.get("name", "subscore"))
        measures.append(
            Measure(
                name=raw_measure.get("name", ""),
                items=measure_items,
                aggregate=raw_measure.get("aggregate", "sum"),
                report=raw_measure.get("report", True),
            )
        )
    bands = tuple(
        Band(code=b["code"], minimum=_threshold(b["min"], params, where), label=_labels(b["label"], where))
        for b in spec.get("bands", [])
    )
    domains = tuple(
        Domain(
            name=d["name"],
            rule=_rule(d["rule"], params, f"{where} {d['name']}"),
            label=_labels(d["label"], where),
        )
        for d in spec.get("domains", [])
    )
    for domain in domains:
        item_list(domain.rule.items, domain.name)
    critical = tuple(
        Critical(
            item=item_list([c["item"]], "critical")[0],
            above=float(c["above"]),
            label=_labels(c["label"], where),
        )
        for c in spec.get("critical", [])
    )
    positive = _rule(spec["positive"], params, f"{where} positive") if spec.get("positive") else None
    scoring = Scoring(
        total=total["kind"],
        total_items=item_list(total.get("items", "all"), "total") if total["kind"] == "sum" else (),
        total_range=tuple(total["range"]) if total.get("range") else None,  # type: ignore[arg-type]
        measures=tuple(measures),
        bands=bands,
        band_on=spec.get("band_on", "total"),
        positive=positive,
        critical=critical,
        domains=domains,
        reverse_keyed=(
            None
            if "reverse_keyed" not in spec
            else (item_list(spec["reverse_keyed"], "reverse_keyed") if spec["reverse_keyed"] else ())
        ),
        optional_items=bool(spec.get("optional_items", False)),
        multi_select=spec.get("multi_select", "max"),
    )
    age = data.get("child_age_months", {})
    instrument = Instrument(
        id=ident,
        version=str(data.get("version", "1")),
        title=_labels(_req(data, "title", where), where),
        licence=licence_class,
        copyright=str(_req(licence, "copyright", where)),
        licence_terms=_labels(_req(licence, "terms", where), where),
        respondent=respondent,
        kind=data.get("kind", "screen"),
        age_months=(age.get("min"), age.get("max")),
        languages=tuple(_req(data, "languages", where)),
        items=tuple(items),
        scoring=scoring,
        parameters=params,
        sources=tuple(
            Source(about=s["about"], citation=s["citation"], confidence=s["confidence"], url=s.get("url", ""))
            for s in _req(data, "sources", where)
        ),
        sensitivity=tuple(data.get("sensitivity", ())),
        loinc_panel=next(
            (c["code"] for c in questionnaire.get("code", []) if c.get("system") == fhir.LOINC), None
        ),
        results=tuple(
            ResultCode(code=r["code"], display=r["display"], value=r["value"], answers=r.get("answers", {}))
            for r in data.get("results", [])
        ),
        aliases=tuple(data.get("aliases", ())),
        match_codes=match_codes,
        notes=_labels(data["notes"], where) if "notes" in data else {},
        questionnaire=copy.deepcopy(dict(questionnaire)),
        raw=data,
    )
    _check_consistency(instrument)
    for param in params.values():
        param.check(param.default, instrument)
    return instrument


def _check_consistency(instrument: Instrument) -> None:
    """The declared reverse keying must match the option weights, and every source and
    parameter names a known confidence."""
    for source in instrument.sources:
        if source.confidence not in CONFIDENCES:
            raise DefinitionError(f"{instrument.id}: source confidence {source.confidence}")
    if instrument.licence == "clinic-supplied":
        placeholder = [i for i in instrument.items if not i.text.startswith("Item ")]
        if placeholder:
            raise DefinitionError(f"{instrument.id}: clinic-supplied items ship placeholder text only")
    reverse = instrument.scoring.reverse_keyed
    directions: dict[bool, set[bool]] = {True: set(), False: set()}
    for item in instrument.items if reverse is not None else ():
        weights = [o.weight for o in item.options]
        if item.kind != "choice" or weights[0] == weights[-1]:
            continue
        directions[item.number in (reverse or ())].add(weights[0] > weights[-1])
    if len(directions[False]) > 1 or len(directions[True]) > 1 or (directions[False] & directions[True]):
        raise DefinitionError(f"{instrument.id}: option weights disagree with the declared reverse keying")
    for measure in instrument.scoring.measures:
        if measure.aggregate not in ("sum", "max"):
            raise DefinitionError(f"{instrument.id}: aggregate {measure.aggregate}")
    if instrument.scoring.positive and instrument.scoring.positive.kind == "measure-at-least":
        names = {m.name for m in instrument.scoring.measures}
        if instrument.scoring.positive.measure not in names:
            raise DefinitionError(f"{instrument.id}: positive rule names an unknown measure")
