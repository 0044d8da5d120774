"""FHIR R4 SDC Questionnaires: reading items and a rendering-neutral form model.

Works on plain JSON (dicts), as published: groups, choice and open-choice, repeats, integer,
decimal, string, text, date, dateTime, time, boolean and quantity items; ``enableWhen``
conditions with every operator and ``enableBehavior`` (evaluated by
:mod:`dyadcare.instruments.engine.enable_when`); answer weights from ``ordinalValue`` or
``itemWeight``. FHIRPath expressions (``variable``, ``calculatedExpression``,
``enableWhenExpression``) are evaluated by :mod:`dyadcare.instruments.engine.fhirpath`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from dyadcare.instruments.engine.errors import InputError

LOINC = "http://loinc.org"
EXT_ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
EXT_ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
EXT_ITEM_WEIGHT_SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-itemWeight"
WEIGHT_URLS = (EXT_ORDINAL, EXT_ITEM_WEIGHT, EXT_ITEM_WEIGHT_SDC)
EXT_TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
EXT_OPTION_EXCLUSIVE = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"
EXT_MIN = "http://hl7.org/fhir/StructureDefinition/minValue"
EXT_MAX = "http://hl7.org/fhir/StructureDefinition/maxValue"
EXT_UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
EXT_HIDDEN = "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden"
EXT_ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
EXT_VARIABLE = "http://hl7.org/fhir/StructureDefinition/variable"
EXT_CALCULATED = SDC + "sdc-questionnaire-calculatedExpression"
EXT_ENABLE_WHEN_EXPRESSION = SDC + "sdc-questionnaire-enableWhenExpression"
EXT_OBSERVATION_EXTRACT = SDC + "sdc-questionnaire-observationExtract"

QUESTION_TYPES = {
    "boolean",
    "decimal",
    "integer",
    "date",
    "dateTime",
    "time",
    "string",
    "text",
    "url",
    "choice",
    "open-choice",
    "attachment",
    "reference",
    "quantity",
}
STRUCTURE_TYPES = {"group", "display"}
OPERATORS = {"exists", "=", "!=", ">", "<", ">=", "<="}
# The answer value types each item type accepts.
ANSWER_TYPES: dict[str, set[str]] = {
    "boolean": {"valueBoolean"},
    "decimal": {"valueDecimal", "valueInteger"},
    "integer": {"valueInteger"},
    "date": {"valueDate"},
    "dateTime": {"valueDateTime", "valueDate"},
    "time": {"valueTime"},
    "string": {"valueString"},
    "text": {"valueString"},
    "url": {"valueUri"},
    "choice": {"valueCoding", "valueString", "valueInteger", "valueDate", "valueTime", "valueReference"},
    "open-choice": {"valueCoding", "valueString", "valueInteger", "valueDate", "valueTime", "valueReference"},
    "attachment": {"valueAttachment"},
    "reference": {"valueReference"},
    "quantity": {"valueQuantity"},
}


# Small readers --------------------------------------------------------------------------------


def walk_items(items: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Every item, depth first, in document order."""
    for item in items:
        yield item
        yield from walk_items(item.get("item", []))


def extension(element: Mapping[str, Any] | None, *urls: str) -> Mapping[str, Any] | None:
    for ext in (element or {}).get("extension", []):
        if ext.get("url") in urls:
            return ext  # type: ignore[no-any-return]
    return None


def extensions(element: Mapping[str, Any] | None, url: str) -> list[Mapping[str, Any]]:
    return [e for e in (element or {}).get("extension", []) if e.get("url") == url]


def ext_value(ext: Mapping[str, Any] | None) -> Any:
    if ext is None:
        return None
    for key, value in ext.items():
        if key.startswith("value"):
            return value
    return None


def option_weight(option: Mapping[str, Any]) -> float | None:
    """An answer option's weight: ``ordinalValue``/``itemWeight`` on the option or its coding."""
    for element in (option, option.get("valueCoding")):
        value = ext_value(extension(element, *WEIGHT_URLS))
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def translations(element: Mapping[str, Any] | None) -> dict[str, str]:
    """``{"es": "…"}`` from the FHIR translation extensions on a primitive's ``_element``."""
    found: dict[str, str] = {}
    for ext in extensions(element, EXT_TRANSLATION):
        parts = {e.get("url"): ext_value(e) for e in ext.get("extension", [])}
        if parts.get("lang") and parts.get("content") is not None:
            found[str(parts["lang"])] = str(parts["content"])
    return found


def translation_extension(language: str, content: str) -> dict[str, Any]:
    return {
        "url": EXT_TRANSLATION,
        "extension": [{"url": "lang", "valueCode": language}, {"url": "content", "valueString": content}],
    }


def localized(element: Mapping[str, Any], key: str, language: str) -> str:
    value = element.get(key)
    if language != "en":
        found = translations(element.get("_" + key)).get(language)
        if found:
            return found
    return "" if value is None else str(value)


def min_max(item: Mapping[str, Any]) -> tuple[float | None, float | None]:
    low = ext_value(extension(item, EXT_MIN))
    high = ext_value(extension(item, EXT_MAX))
    return (
        float(low) if isinstance(low, int | float) else None,
        float(high) if isinstance(high, int | float) else None,
    )


def loinc_codes(item: Mapping[str, Any]) -> list[str]:
    return [str(c["code"]) for c in item.get("code", []) if c.get("system") == LOINC and c.get("code")]


def answer_value(answer: Mapping[str, Any]) -> tuple[str, Any]:
    """``("valueCoding", {...})`` for an answer (or an enableWhen / initial element)."""
    if not isinstance(answer, Mapping):
        raise InputError("an answer is not an object")
    for key, value in answer.items():
        if key.startswith("value") or (key.startswith("answer") and key != "answer"):
            name = key if key.startswith("value") else "value" + key[len("answer") :]
            if name in (
                "valueCoding",
                "valueQuantity",
                "valueReference",
                "valueAttachment",
            ) and not isinstance(value, Mapping):
                raise InputError(f"{name} must be an object")
            return name, value
    raise InputError("an answer has no value")


def with_item_text(
    questionnaire: Mapping[str, Any],
    language: str,
    texts: Mapping[str, str],
    option_labels: Mapping[str, list[str]],
) -> dict[str, Any]:
    """A copy of ``questionnaire`` with item text (and option labels) set in ``language``."""
    result = copy.deepcopy(dict(questionnaire))
    for item in walk_items(result.get("item", [])):
        link = item["linkId"]
        if link in texts:
            _set_text(item, "text", language, texts[link])  # type: ignore[arg-type]
        for option, label in zip(item.get("answerOption", []), option_labels.get(link, []), strict=False):
            coding = option.get("valueCoding")
            if coding is not None:
                _set_text(coding, "display", language, label)
    return result


def _set_text(element: dict[str, Any], key: str, language: str, value: str) -> None:
    if language == "en":
        element[key] = value
        return
    meta = element.setdefault("_" + key, {})
    kept = [e for e in meta.get("extension", []) if translations({"extension": [e]}).keys() != {language}]
    meta["extension"] = [*kept, translation_extension(language, value)]


# The form model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormOption:
    position: int
    display: str
    code: str | None = None
    system: str | None = None
    value: Any = None  # for options that are not codings
    weight: float | None = None
    exclusive: bool = False


@dataclass(frozen=True)
class EnableWhen:
    question: str
    operator: str
    answer_type: str
    answer: Any


@dataclass(frozen=True)
class FormItem:
    """One item as a renderer needs it, in the chosen language."""

    link_id: str
    type: str
    text: str
    prefix: str = ""
    required: bool = False
    repeats: bool = False
    read_only: bool = False
    hidden: bool = False
    options: tuple[FormOption, ...] = ()
    answer_value_set: str | None = None
    codes: tuple[str, ...] = ()
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    item_control: str | None = None
    enable_when: tuple[EnableWhen, ...] = ()
    enable_behavior: str = "all"
    enable_when_expression: str | None = None
    calculated_expression: str | None = None
    extract: bool | None = None
    children: tuple[FormItem, ...] = ()

    @property
    def is_question(self) -> bool:
        return self.type in QUESTION_TYPES

    def walk(self) -> Iterator[FormItem]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class FormModel:
    url: str
    title: str
    language: str
    codes: tuple[str, ...]
    items: tuple[FormItem, ...]
    copyright: str = ""
    extract: bool | None = None
    variables: tuple[tuple[str, str], ...] = ()
    item_variables: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def walk(self) -> Iterator[FormItem]:
        for item in self.items:
            yield from item.walk()

    def by_link(self) -> dict[str, FormItem]:
        return {item.link_id: item for item in self.walk()}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _expression(element: Mapping[str, Any], url: str) -> str | None:
    value = ext_value(extension(element, url))
    if isinstance(value, dict) and value.get("language", "text/fhirpath") == "text/fhirpath":
        expr = value.get("expression")
        return str(expr) if expr else None
    return None


def _variables(element: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    found = []
    for ext in extensions(element, EXT_VARIABLE):
        value = ext_value(ext)
        if isinstance(value, dict) and value.get("name") and value.get("expression"):
            if value.get("language", "text/fhirpath") != "text/fhirpath":
                continue
            found.append((str(value["name"]), str(value["expression"])))
    return tuple(found)


def _form_item(raw: Mapping[str, Any], language: str, item_vars: dict[str, Any], seen: set[str]) -> FormItem:
    """One item and its children; records its FHIRPath variables in ``item_vars`` and its
    linkId in ``seen`` (a repeated linkId is an error)."""
    link, kind = _link_and_type(raw, seen)
    options = tuple(_form_option(p, option, language) for p, option in enumerate(raw.get("answerOption", [])))
    conditions = tuple(_enable_condition(condition, link) for condition in raw.get("enableWhen", []))
    behavior = raw.get("enableBehavior", "all")
    if behavior not in ("all", "any"):
        raise InputError(f"item {link} has enableBehavior {behavior!r}")
    low, high = min_max(raw)
    variables = _variables(raw)
    if variables:
        item_vars[link] = variables
    extract = ext_value(extension(raw, EXT_OBSERVATION_EXTRACT))
    return FormItem(
        link_id=link,
        type="string" if kind == "question" else kind,
        text=localized(raw, "text", language),
        prefix=str(raw.get("prefix", "")),
        required=bool(raw.get("required", False)),
        repeats=bool(raw.get("repeats", False)),
        read_only=bool(raw.get("readOnly", False)),
        hidden=bool(ext_value(extension(raw, EXT_HIDDEN))),
        options=options,
        answer_value_set=raw.get("answerValueSet"),
        codes=tuple(loinc_codes(raw)),
        unit=_unit(raw),
        minimum=low,
        maximum=high,
        max_length=raw.get("maxLength"),
        item_control=_item_control(raw),
        enable_when=conditions,
        enable_behavior=str(behavior),
        enable_when_expression=_expression(raw, EXT_ENABLE_WHEN_EXPRESSION),
        calculated_expression=_expression(raw, EXT_CALCULATED),
        extract=extract if isinstance(extract, bool) else None,
        children=tuple(_form_item(child, language, item_vars, seen) for child in raw.get("item", [])),
    )


def _link_and_type(raw: Mapping[str, Any], seen: set[str]) -> tuple[str, str]:
    """An item's linkId (present and not seen before: it is added to ``seen``) and type."""
    if not isinstance(raw, dict):
        raise InputError("a Questionnaire item is not an object")
    link = raw.get("linkId")
    kind = raw.get("type")
    if not isinstance(link, str) or not link:
        raise InputError("a Questionnaire item has no linkId")
    if link in seen:
        raise InputError(f"the Questionnaire repeats linkId {link}")
    seen.add(link)
    if kind not in QUESTION_TYPES | STRUCTURE_TYPES and kind != "question":
        raise InputError(f"item {link} has an unknown type {kind!r}")
    return link, str(kind)


def _form_option(position: int, option: Mapping[str, Any], language: str) -> FormOption:
    name, value = answer_value(option)
    exclusive = bool(ext_value(extension(option, EXT_OPTION_EXCLUSIVE)))
    if name == "valueCoding":
        return FormOption(
            position=position,
            display=localized(value, "display", language) or str(value.get("code", "")),
            code=value.get("code"),
            system=value.get("system"),
            weight=option_weight(option),
            exclusive=exclusive,
        )
    return FormOption(
        position=position,
        display=str(value),
        value=value,
        weight=option_weight(option),
        exclusive=exclusive,
    )


def _enable_condition(condition: Mapping[str, Any], link: str) -> EnableWhen:
    operator = condition.get("operator")
    if operator not in OPERATORS or not condition.get("question"):
        raise InputError(f"item {link} has an enableWhen with operator {operator!r}")
    answer_type, answer = answer_value(condition)
    if operator == "exists" and not isinstance(answer, bool):
        raise InputError(f"item {link}: enableWhen 'exists' needs answerBoolean")
    return EnableWhen(str(condition["question"]), operator, answer_type, answer)


def _unit(raw: Mapping[str, Any]) -> str | None:
    unit = ext_value(extension(raw, EXT_UNIT))
    return (unit.get("display") or unit.get("code")) if isinstance(unit, dict) else None


def _item_control(raw: Mapping[str, Any]) -> str | None:
    control = ext_value(extension(raw, EXT_ITEM_CONTROL))
    return (control.get("coding") or [{}])[0].get("code") if isinstance(control, dict) else None


def form_model(questionnaire: Mapping[str, Any], language: str = "en") -> FormModel:
    """The rendering-neutral structure of any R4 Questionnaire (raises InputError if malformed)."""
    if not isinstance(questionnaire, dict) or questionnaire.get("resourceType") != "Questionnaire":
        raise InputError("not a FHIR Questionnaire")
    if not isinstance(questionnaire.get("item", []), list):
        raise InputError("Questionnaire.item must be a list")
    item_vars: dict[str, Any] = {}
    seen: set[str] = set()
    items = tuple(_form_item(raw, language, item_vars, seen) for raw in questionnaire.get("item", []))
    model = FormModel(
        url=str(questionnaire.get("url", "")),
        title=localized(questionnaire, "title", language) or str(questionnaire.get("name", "")),
        language=language,
        codes=tuple(loinc_codes(questionnaire)),
        items=items,
        copyright=str(questionnaire.get("copyright", "")),
        extract=ext_value(extension(questionnaire, EXT_OBSERVATION_EXTRACT)),
        variables=_variables(questionnaire),
        item_variables=item_vars,
    )
    links = model.by_link()
    for item in model.walk():
        for condition in item.enable_when:
            if condition.question not in links:
                raise InputError(
                    f"item {item.link_id}: enableWhen names an unknown item {condition.question}"
                )
    return model
