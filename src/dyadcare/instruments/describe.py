"""An instrument's scoring rules in plain words, in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dyadcare.instruments.engine import Instrument, Parameter
from dyadcare.instruments.engine.definition import Rule


def _lang() -> str:
    return (get_language() or "en").split("-")[0]


def _num(value: Any) -> str:
    return str(int(value)) if isinstance(value, int | float) and float(value).is_integer() else str(value)


def item_ranges(numbers: Iterable[int]) -> str:
    """1, 2, 3, 5 → "1–3, 5"."""
    numbers = sorted(numbers)
    parts: list[str] = []
    start = prev = None
    for n in [*numbers, None]:
        if start is None:
            start = prev = n
            continue
        if n is not None and prev is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = n
    return ", ".join(parts)


@dataclass(frozen=True)
class Threshold:
    value: str
    parameter: str | None
    confidence: str | None


def threshold(instrument: Instrument, value: float | str | None, scored_in: str = "en") -> Threshold:
    """A rule's limit; a parameter's value for answers given in ``scored_in`` (a language
    variant such as ``positive_at_least_es`` applies to answers in that language)."""
    if isinstance(value, str):
        variant = f"{value}_{scored_in}"
        param = instrument.parameters.get(variant) or instrument.parameters[value]
        return Threshold(_num(instrument.parameter_value(value, scored_in)), value, param.confidence)
    return Threshold(_num(value), None, None)


def rule_text(instrument: Instrument, rule: Rule, scored_in: str = "en") -> str:
    limit = threshold(instrument, rule.threshold, scored_in).value if rule.threshold is not None else ""
    items = item_ranges(rule.items)
    if rule.kind == "total-at-least":
        return _("the total is %(n)s or more") % {"n": limit}
    if rule.kind == "any-subscore-at-least":
        return _("any subscore is %(n)s or more") % {"n": limit}
    if rule.kind == "any-domain":
        return _("any domain is positive")
    if rule.kind == "any-item-at-least":
        return _("any of items %(items)s scores %(n)s or more") % {"items": items, "n": limit}
    if rule.kind == "sum-at-least":
        return _("items %(items)s add up to %(n)s or more") % {"items": items, "n": limit}
    if rule.kind == "measure-at-least":
        return _("%(measure)s reaches %(n)s") % {"measure": rule.measure, "n": limit}
    return rule.kind


def scoring_rules(instrument: Instrument) -> list[str]:
    """Sentences a clinician reads on the instrument page."""
    spec = instrument.scoring
    lang = _lang()
    lines = _kind_lines(instrument)
    lines.append(_total_line(instrument))
    if spec.reverse_keyed:
        lines.append(
            _("Reverse-keyed items (scored from the bottom option up): %(items)s.")
            % {"items": item_ranges(spec.reverse_keyed)}
        )
    lines += _subscore_lines(instrument, lang)
    for domain in spec.domains:
        lines.append(
            _("Domain %(name)s is positive when %(rule)s.")
            % {"name": domain.label.get(lang, domain.label["en"]), "rule": rule_text(instrument, domain.rule)}
        )
    if spec.positive is not None:
        lines.append(_("Positive when %(rule)s.") % {"rule": rule_text(instrument, spec.positive)})
    lines += _critical_lines(instrument, lang)
    if instrument.kind != "surveillance":
        lines.append(
            _(
                "Missing answers never hide a positive: the total counts what was answered, and a positive "
                "or a critical item is reported as soon as the answers given make it certain."
            )
        )
    return lines


def _kind_lines(instrument: Instrument) -> list[str]:
    """What kind of instrument this is, for a surveillance checklist or a score-only entry."""
    lines: list[str] = []
    if instrument.kind == "surveillance":
        lines.append(
            _(
                "Developmental surveillance, not a screen: it never gives a pass or fail. Milestones marked "
                "“not sure” or “not yet” are counted, to talk about with the family."
            )
        )
    if instrument.kind == "score-entry":
        lines.append(
            _("Staff enter the scores and zones from the scored questionnaire; no item is shown here.")
        )
    return lines


def _total_line(instrument: Instrument) -> str:
    """How the total is counted: a sum of items (with its range), or the positive domains."""
    spec = instrument.scoring
    if spec.total != "sum":
        return _("Total: the number of positive domains.")
    text = _("Total: the sum of the scores of items %(items)s") % {"items": item_ranges(spec.total_items)}
    if spec.total_range:
        text += " " + _("(range %(low)s to %(high)s).") % {
            "low": _num(spec.total_range[0]),
            "high": _num(spec.total_range[1]),
        }
    return text


def _subscore_lines(instrument: Instrument, lang: str) -> list[str]:
    """The items of each subscore; a subscore whose blocks are a parameter has a line per block."""
    lines: list[str] = []
    for measure in instrument.scoring.measures:
        if measure.aggregate == "max":
            continue  # an internal measure (the worst zone), not a subscore
        if isinstance(measure.items, str):
            blocks = instrument.parameter_value(measure.items)
            for name, numbers in blocks.items():
                lines.append(
                    _("Subscore %(name)s: items %(items)s.") % {"name": name, "items": item_ranges(numbers)}
                )
        else:
            lines.append(
                _("Subscore %(name)s: items %(items)s.")
                % {
                    "name": measure.label.get(lang) or measure.label.get("en") or measure.name,
                    "items": item_ranges(measure.items),
                }
            )
    return lines


def _critical_lines(instrument: Instrument, lang: str) -> list[str]:
    """Each critical item, flagged whatever the total, with what it means."""
    return [
        _("Item %(item)s is critical: any score above %(above)s is flagged, whatever the total. %(label)s")
        % {
            "item": critical.item,
            "above": _num(critical.above),
            "label": critical.label.get(lang, critical.label["en"]),
        }
        for critical in instrument.scoring.critical
    ]


def value_text(parameter: Parameter, value: Any) -> str:
    """A parameter value as a person reads it."""
    if parameter.kind == "blocks" and isinstance(value, dict):
        return "; ".join(f"{name}: {item_ranges(numbers)}" for name, numbers in value.items())
    if parameter.kind == "weights" and isinstance(value, list):
        scoring = [i + 1 for i, weight in enumerate(value) if weight]
        return (
            _("options %(options)s score 1") % {"options": item_ranges(scoring)}
            if scoring
            else _("no option scores")
        )
    return _num(value)


def bands(instrument: Instrument) -> list[dict[str, Any]]:
    lang = _lang()
    rows = []
    for band in instrument.scoring.bands:
        limit = threshold(instrument, band.minimum)
        rows.append(
            {
                "code": band.code,
                "label": band.label.get(lang, band.label["en"]),
                "from": limit.value,
                "parameter": limit.parameter,
                "confidence": limit.confidence,
            }
        )
    return rows


def positive_rule_text(instrument: Instrument, scored_in: str = "en") -> str:
    """The positive rule in one sentence ("Positive when the total is 10 or more."), for
    answers given in ``scored_in`` (a result's language)."""
    if instrument.scoring.positive is None:
        return ""
    return _("Positive when %(rule)s.") % {
        "rule": rule_text(instrument, instrument.scoring.positive, scored_in)
    }


def instrument_title(instrument_id: str, language: str) -> str:
    """An instrument's name in ``language``. A family of forms (``cdc-milestones``, one
    checklist per age) is named by what its members' titles share ("CDC milestone
    checklist"); an id the library does not know stays as it is."""
    from dyadcare.instruments.engine import load_library

    library = load_library()
    instrument = library.instruments.get(instrument_id)
    if instrument is not None:
        return str(instrument.title_in(language))
    titles = [str(member.title_in(language)) for member in library.family(instrument_id)]
    if not titles:
        return instrument_id
    shared = titles[0]
    for title in titles[1:]:
        while not title.startswith(shared):
            shared = shared[:-1]
    return shared.rstrip(" ,;:(") or instrument_id


def instrument_titles(instrument_ids: Iterable[str], language: str) -> str:
    """Several instruments' names in ``language``, in order, separated by commas."""
    return ", ".join(instrument_title(str(i), language) for i in instrument_ids)


def domain_label(instrument_id: str, name: str, language: str) -> str:
    """A domain of an instrument by its label in the data file ("Housing instability" for
    ``housing-instability``), in ``language`` (else English; the name if the library has no
    such domain)."""
    from dyadcare.instruments.engine import load_library

    instrument = load_library().instruments.get(instrument_id)
    for domain in instrument.scoring.domains if instrument else ():
        if domain.name == name:
            return domain.label.get(language) or domain.label["en"]
    return name


def subscore_label(instrument_id: str, name: str, language: str) -> str:
    """A subscore of an instrument by its label in the data file ("Fine motor" for the ASQ-3's
    ``fine-motor``), in ``language`` (else English; the name when the data gives none)."""
    from dyadcare.instruments.engine import load_library

    instrument = load_library().instruments.get(instrument_id)
    for measure in instrument.scoring.measures if instrument else ():
        if measure.name == name and measure.label:
            return measure.label.get(language) or measure.label["en"]
    return name


@dataclass(frozen=True)
class Sensitivity:
    """An HL7 v3 ActCode sensitivity label of an instrument's results, in plain words."""

    code: str
    name: str  # a few words for the badge
    meaning: str  # a sentence for the title and for screen readers


def sensitivity(code: str) -> Sensitivity:
    """Plain words for a sensitivity label (the codes the instrument library uses)."""
    names = {
        "PSY": _("Mental health"),
        "ETH": _("Substance use"),
        "SDV": _("Violence or abuse"),
        "SOC": _("Social needs"),
    }
    name = names.get(code, _("Sensitive"))
    meaning = _(
        "Sensitive result (%(code)s, %(name)s): shown in full only to the roles allowed to see "
        "this kind of information."
    ) % {"code": code, "name": name.lower()}
    return Sensitivity(code=code, name=name, meaning=meaning)


def band_label(instrument_id: str, code: str, language: str) -> str:
    """A band's name in ``language`` ("Depresión poco probable (0–9)"), its code when the
    instrument or the band is no longer in the library."""
    from dyadcare.instruments.engine import load_library

    instrument = load_library().instruments.get(instrument_id)
    band = next((b for b in instrument.scoring.bands if b.code == code), None) if instrument else None
    if band is None:
        return code
    return str(band.label.get(language) or band.label.get("en") or code)
