"""Reading an :class:`Instrument` from one library data file, checking the format as it goes.

:func:`parse_instrument` reads the parts in turn (the Questionnaire, the licence and the
respondent, the answer items, the parameters, the scoring section, the sources) and then
checks the whole: the declared reverse keying against the option weights, placeholder text
for clinic-supplied items, the subscore aggregates, and every parameter's default value.
Anything wrong raises :class:`DefinitionError` naming the instrument.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from dyadcare.instruments.engine import fhir
from dyadcare.instruments.engine.definition import (
    CONFIDENCES,
    LICENCE_CLASSES,
    RESPONDENTS,
    AnswerItem,
    Band,
    Critical,
    Domain,
    Instrument,
    ItemKind,
    LicenceClass,
    Measure,
    Option,
    ResultCode,
    Rule,
    Scoring,
    Source,
    Threshold,
)
from dyadcare.instruments.engine.errors import DefinitionError
from dyadcare.instruments.engine.parameters import Parameter

RULE_KINDS = frozenset(
    {
        "total-at-least",
        "measure-at-least",
        "any-subscore-at-least",
        "any-domain",
        "any-item-at-least",
        "sum-at-least",
    }
)


def parse_instrument(data: Mapping[str, Any]) -> Instrument:
    """Build an :class:`Instrument` from a data file's JSON, checking the format."""
    ident = str(_req(data, "id", "instrument"))
    questionnaire = _questionnaire(data, ident)
    licence = _req(data, "licence", ident)
    licence_class = _licence_class(licence, ident)
    respondent = _respondent(data, ident)
    spec = _req(data, "scoring", ident)
    match_codes = {str(k): tuple(v) for k, v in spec.get("match_codes", {}).items()}
    items = _answer_items(spec, questionnaire, match_codes, ident)
    params = _parameters(data, ident)
    scoring = _scoring(spec, len(items), params, ident)
    age = data.get("child_age_months", {})
    instrument = Instrument(
        id=ident,
        version=str(data.get("version", "1")),
        title=_labels(_req(data, "title", ident), ident),
        licence=licence_class,
        copyright=str(_req(licence, "copyright", ident)),
        licence_terms=_labels(_req(licence, "terms", ident), ident),
        respondent=respondent,
        kind=data.get("kind", "screen"),
        age_months=(age.get("min"), age.get("max")),
        languages=tuple(_req(data, "languages", ident)),
        items=items,
        scoring=scoring,
        parameters=params,
        sources=_sources(data, ident),
        sensitivity=tuple(data.get("sensitivity", ())),
        loinc_panel=next(
            (c["code"] for c in questionnaire.get("code", []) if c.get("system") == fhir.LOINC), None
        ),
        results=_result_codes(data),
        aliases=tuple(data.get("aliases", ())),
        match_codes=match_codes,
        notes=_labels(data["notes"], ident) if "notes" in data else {},
        questionnaire=copy.deepcopy(dict(questionnaire)),
        raw=data,
    )
    _check_consistency(instrument)
    return instrument


# Small readers -------------------------------------------------------------------------------


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


def _item_numbers(value: Any, count: int, what: str, where: str) -> tuple[int, ...]:
    """Item numbers (1 to ``count``) from a list of them, or every item for ``"all"``."""
    numbers = range(1, count + 1)
    if value == "all":
        return tuple(numbers)
    result = tuple(int(n) for n in value)
    if not result or any(n not in numbers for n in result):
        raise DefinitionError(f"{where}: {what} names an item that does not exist")
    return result


# The Questionnaire, the licence, the respondent, the sources ---------------------------------


def _questionnaire(data: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    questionnaire = _req(data, "questionnaire", where)
    if questionnaire.get("resourceType") != "Questionnaire" or not questionnaire.get("url"):
        raise DefinitionError(f"{where}: 'questionnaire' must be a FHIR Questionnaire with a url")
    return questionnaire  # type: ignore[no-any-return]


def _licence_class(licence: Mapping[str, Any], where: str) -> LicenceClass:
    licence_class = _req(licence, "class", where)
    if licence_class not in LICENCE_CLASSES:
        raise DefinitionError(f"{where}: licence class {licence_class}")
    return licence_class  # type: ignore[no-any-return]


def _respondent(data: Mapping[str, Any], where: str) -> str:
    respondent = _req(data, "respondent", where)
    if respondent not in RESPONDENTS:
        raise DefinitionError(f"{where}: respondent {respondent}")
    return respondent  # type: ignore[no-any-return]


def _sources(data: Mapping[str, Any], where: str) -> tuple[Source, ...]:
    return tuple(
        Source(about=s["about"], citation=s["citation"], confidence=s["confidence"], url=s.get("url", ""))
        for s in _req(data, "sources", where)
    )


def _result_codes(data: Mapping[str, Any]) -> tuple[ResultCode, ...]:
    return tuple(
        ResultCode(code=r["code"], display=r["display"], value=r["value"], answers=r.get("answers", {}))
        for r in data.get("results", [])
    )


# The answer items ------------------------------------------------------------------------------


def _answer_items(
    spec: Mapping[str, Any],
    questionnaire: Mapping[str, Any],
    match_codes: Mapping[str, tuple[str, ...]],
    where: str,
) -> tuple[AnswerItem, ...]:
    """The items answered in ``--answers``, in the order the scoring section lists them."""
    by_link = {i["linkId"]: i for i in fhir.walk_items(questionnaire.get("item", []))}
    items: list[AnswerItem] = []
    for number, link_id in enumerate(_req(spec, "answer_items", where), start=1):
        raw = by_link.get(link_id)
        if raw is None:
            raise DefinitionError(f"{where}: answer item {link_id} is not in the questionnaire")
        items.append(_answer_item(number, link_id, raw, match_codes.get(link_id, ()), where))
    return tuple(items)


def _answer_item(
    number: int, link_id: str, raw: Mapping[str, Any], match_codes: tuple[str, ...], where: str
) -> AnswerItem:
    options = _options(raw)
    kind = _item_kind(raw, options, number, where)
    low, high = fhir.min_max(raw)
    if kind == "numeric" and (low is None or high is None):
        raise DefinitionError(f"{where}: numeric item {number} needs minValue and maxValue")
    codes = tuple(c["code"] for c in raw.get("code", []) if c.get("system") == fhir.LOINC)
    return AnswerItem(
        number=number,
        link_id=link_id,
        kind=kind,
        text=str(raw.get("text", "")),
        options=options,
        minimum=low,
        maximum=high,
        codes=codes + match_codes,
        translations={"en": str(raw.get("text", "")), **fhir.translations(raw.get("_text"))},
    )


def _item_kind(raw: Mapping[str, Any], options: tuple[Option, ...], number: int, where: str) -> ItemKind:
    """choice (one option), multi (a repeating choice) or numeric (a score entered)."""
    if raw.get("type") in ("choice", "open-choice"):
        if len(options) < 2:
            raise DefinitionError(f"{where}: item {number} needs answer options")
        return "multi" if raw.get("repeats") else "choice"
    if raw.get("type") in ("integer", "decimal"):
        return "numeric"
    raise DefinitionError(f"{where}: item {number} has type {raw.get('type')}")


def _options(item: Mapping[str, Any]) -> tuple[Option, ...]:
    return tuple(_option(item, position, raw) for position, raw in enumerate(item.get("answerOption", [])))


def _option(item: Mapping[str, Any], position: int, raw: Mapping[str, Any]) -> Option:
    """One answer option with its weight (``ordinalValue``), labels and exclusive flag."""
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
        e.get("url") == fhir.EXT_OPTION_EXCLUSIVE and e.get("valueBoolean") for e in raw.get("extension", [])
    )
    return Option(
        position=position,
        display=display,
        weight=weight,
        code=code,
        system=system,
        translations={"en": display, **translations},
        exclusive=exclusive,
    )


# The parameters ------------------------------------------------------------------------------


def _parameters(data: Mapping[str, Any], where: str) -> dict[str, Parameter]:
    params: dict[str, Parameter] = {}
    for raw in data.get("parameters", []):
        param = _parameter(raw, where)
        params[param.name] = param
    return params


def _parameter(raw: Mapping[str, Any], where: str) -> Parameter:
    name = _req(raw, "name", where)
    at = f"{where} {name}"
    confidence = _req(raw, "confidence", at)
    if confidence not in CONFIDENCES:
        raise DefinitionError(f"{at}: confidence {confidence}")
    return Parameter(
        name=name,
        kind=_req(raw, "kind", at),
        default=_req(raw, "default", at),
        confidence=confidence,
        source=_req(raw, "source", at),
        label=_labels(_req(raw, "label", at), at),
        note=_labels(raw["note"], where) if "note" in raw else {},
        minimum=raw.get("minimum"),
        maximum=raw.get("maximum"),
        items=tuple(raw.get("items", ())),
    )


# The scoring section -------------------------------------------------------------------------


def _scoring(spec: Mapping[str, Any], count: int, params: Mapping[str, Parameter], where: str) -> Scoring:
    """Totals, subscores, bands, domains, critical items, the positive rule and the keying;
    ``count`` is the number of answer items."""
    total = _req(spec, "total", where)
    measures = tuple(_measure(raw, count, params, where) for raw in spec.get("subscores", []))
    bands = tuple(
        Band(code=b["code"], minimum=_threshold(b["min"], params, where), label=_labels(b["label"], where))
        for b in spec.get("bands", [])
    )
    domains = _domains(spec, count, params, where)
    critical = tuple(
        Critical(
            item=_item_numbers([c["item"]], count, "critical", where)[0],
            above=float(c["above"]),
            label=_labels(c["label"], where),
        )
        for c in spec.get("critical", [])
    )
    positive = _rule(spec["positive"], params, f"{where} positive") if spec.get("positive") else None
    return Scoring(
        total=total["kind"],
        total_items=_item_numbers(total.get("items", "all"), count, "total", where)
        if total["kind"] == "sum"
        else (),
        total_range=tuple(total["range"]) if total.get("range") else None,  # type: ignore[arg-type]
        measures=measures,
        bands=bands,
        band_on=spec.get("band_on", "total"),
        positive=positive,
        critical=critical,
        domains=domains,
        reverse_keyed=_reverse_keyed(spec, count, where),
        optional_items=bool(spec.get("optional_items", False)),
        multi_select=spec.get("multi_select", "max"),
    )


def _measure(raw: Mapping[str, Any], count: int, params: Mapping[str, Parameter], where: str) -> Measure:
    """A subscore over listed items, or over the blocks a "blocks" parameter names."""
    source = raw["items"]
    if isinstance(source, dict):
        pname = _req(source, "param", where)
        if pname not in params or params[pname].kind != "blocks":
            raise DefinitionError(f"{where}: no blocks parameter {pname}")
        items: tuple[int, ...] | str = pname
    else:
        items = _item_numbers(source, count, raw.get("name", "subscore"), where)
    return Measure(
        name=raw.get("name", ""),
        items=items,
        aggregate=raw.get("aggregate", "sum"),
        report=raw.get("report", True),
        label=_labels(raw["label"], where) if "label" in raw else {},
    )


def _domains(
    spec: Mapping[str, Any], count: int, params: Mapping[str, Parameter], where: str
) -> tuple[Domain, ...]:
    domains = tuple(
        Domain(
            name=d["name"],
            rule=_rule(d["rule"], params, f"{where} {d['name']}"),
            label=_labels(d["label"], where),
        )
        for d in spec.get("domains", [])
    )
    for domain in domains:
        _item_numbers(domain.rule.items, count, domain.name, where)
    return domains


def _reverse_keyed(spec: Mapping[str, Any], count: int, where: str) -> tuple[int, ...] | None:
    """None when the instrument declares no keying, else the reverse-keyed items."""
    if "reverse_keyed" not in spec:
        return None
    if not spec["reverse_keyed"]:
        return ()
    return _item_numbers(spec["reverse_keyed"], count, "reverse_keyed", where)


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
    if kind not in RULE_KINDS:
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


# Checking the whole --------------------------------------------------------------------------


def _check_consistency(instrument: Instrument) -> None:
    """Sources name a known confidence, clinic-supplied items ship placeholder text only, the
    declared reverse keying matches the option weights, subscores and the positive rule are
    well formed, and every parameter's default passes its own check."""
    for source in instrument.sources:
        if source.confidence not in CONFIDENCES:
            raise DefinitionError(f"{instrument.id}: source confidence {source.confidence}")
    if instrument.licence == "clinic-supplied":
        placeholder = [i for i in instrument.items if not i.text.startswith("Item ")]
        if placeholder:
            raise DefinitionError(f"{instrument.id}: clinic-supplied items ship placeholder text only")
    _check_reverse_keying(instrument)
    _check_measures(instrument)
    for param in instrument.parameters.values():
        param.check(param.default, instrument)


def _check_reverse_keying(instrument: Instrument) -> None:
    """Among the choice items whose weights run one way or the other, the reverse-keyed ones
    must all run one way and the rest the other (checked only when keying is declared)."""
    reverse = instrument.scoring.reverse_keyed
    if reverse is None:
        return
    directions: dict[bool, set[bool]] = {True: set(), False: set()}
    for item in instrument.items:
        weights = [o.weight for o in item.options]
        if item.kind != "choice" or weights[0] == weights[-1]:
            continue
        directions[item.number in reverse].add(weights[0] > weights[-1])
    if len(directions[False]) > 1 or len(directions[True]) > 1 or (directions[False] & directions[True]):
        raise DefinitionError(f"{instrument.id}: option weights disagree with the declared reverse keying")


def _check_measures(instrument: Instrument) -> None:
    for measure in instrument.scoring.measures:
        if measure.aggregate not in ("sum", "max"):
            raise DefinitionError(f"{instrument.id}: aggregate {measure.aggregate}")
    positive = instrument.scoring.positive
    if positive and positive.kind == "measure-at-least":
        names = {m.name for m in instrument.scoring.measures}
        if positive.measure not in names:
            raise DefinitionError(f"{instrument.id}: positive rule names an unknown measure")
