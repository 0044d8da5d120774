"""The instrument library: every instrument with its licence class, sources and confidence;
one instrument's items and scoring; a clinic administrator's licensed text and settings."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dyadcare.instruments import describe, selectors, services
from dyadcare.instruments.engine import InputError, Instrument, Parameter
from dyadcare.instruments.engine.textfile import needs_option_labels
from dyadcare.instruments.permissions import InstrumentPerm
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.instrument_forms import ItemTextForm, ParametersForm


def _lang() -> str:
    return (get_language() or "en").split("-")[0]


def _instrument(req: StaffRequest, instrument_id: str) -> Instrument:
    try:
        return selectors.instrument(actor=req.actor, instrument_id=instrument_id)
    except InputError:
        raise Http404 from None


def _summary(instrument: Instrument) -> dict[str, Any]:
    """What the library table shows about one instrument."""
    confidences = Counter(s.confidence for s in instrument.sources)
    for param in instrument.parameters.values():
        confidences[param.confidence] += 1
    low, high = instrument.age_months
    return {
        "instrument": instrument,
        "title": instrument.title_in(_lang()),
        "items": len(instrument.items),
        "ages": (low, high),
        "verified": confidences["verified"],
        "inferred": confidences["inferred"],
        "unverified": confidences["unverified"],
        "unverified_rule": any(p.confidence != "verified" for p in instrument.parameters.values()),
        "text_languages": instrument.text_language,
        "overridden": bool(instrument.overrides),
    }


@clinic_view(InstrumentPerm.VIEW, phi="none")
@require_GET
def instrument_list(request: HttpRequest) -> HttpResponse:
    req = cast(StaffRequest, request)
    instruments = selectors.library(actor=req.actor)
    screens = [_summary(i) for i in instruments if i.kind != "surveillance"]
    surveillance = [_summary(i) for i in instruments if i.kind == "surveillance"]
    return render(
        req,
        "web/instruments/list.html",
        {
            "screens": screens,
            "surveillance": surveillance,
            "can_manage": req.actor.can(InstrumentPerm.MANAGE),
        },
    )


def _item_rows(instrument: Instrument) -> list[dict[str, Any]]:
    language = _lang()
    shows_text = instrument.licence == "bundled" or language in instrument.text_language
    rows = []
    for item in instrument.items:
        placeholder = not shows_text and instrument.licence != "bundled"
        rows.append(
            {
                "item": item,
                "text": item.label(language) if not placeholder else "",
                "options": [
                    {
                        "label": option.label(language)
                        if not (placeholder and needs_option_labels(item))
                        else _("Option %(n)s") % {"n": option.position + 1},
                        "weight": describe._num(option.weight),
                        "position": option.position,
                    }
                    for option in item.options
                ],
                "range": (describe._num(item.minimum), describe._num(item.maximum))
                if item.kind == "numeric"
                else None,
                "critical": any(c.item == item.number for c in instrument.scoring.critical),
                "reverse": item.number in (instrument.scoring.reverse_keyed or ()),
            }
        )
    return rows


@clinic_view(InstrumentPerm.VIEW, phi="none")
@require_GET
def instrument_detail(request: HttpRequest, instrument_id: str) -> HttpResponse:
    req = cast(StaffRequest, request)
    instrument = _instrument(req, instrument_id)
    language = _lang()
    parameters = [
        {
            "param": param,
            "label": param.label.get(language, param.label["en"]),
            "note": param.note.get(language, param.note.get("en", "")),
            "value": describe.value_text(param, instrument.parameter_value(name)),
            "default": describe.value_text(param, param.default),
            "overridden": name in instrument.overrides,
        }
        for name, param in instrument.parameters.items()
    ]
    texts = selectors.texts(actor=req.actor, instrument_id=instrument.id)
    return render(
        req,
        "web/instruments/detail.html",
        {
            "instrument": instrument,
            "summary": _summary(instrument),
            "title": instrument.title_in(language),
            "items": _item_rows(instrument),
            "rules": describe.scoring_rules(instrument),
            "bands": describe.bands(instrument),
            "parameters": parameters,
            "texts": texts,
            "terms": instrument.licence_terms.get(language, instrument.licence_terms["en"]),
            "notes": instrument.notes.get(language, instrument.notes.get("en", "")),
            "notes_language": language if language in instrument.notes else "en",
            "can_manage": req.actor.can(InstrumentPerm.MANAGE),
        },
    )


def _example(instrument: Instrument) -> dict[str, Any]:
    rows = []
    for item in instrument.items[:2]:
        row: dict[str, Any] = {"number": item.number, "text": "…"}
        if needs_option_labels(item):
            row["options"] = ["…"] * len(item.options)
        rows.append(row)
    return {"instrument": instrument.id, "language": "es", "items": rows}


@clinic_view(InstrumentPerm.MANAGE, phi="none")
@require_http_methods(["GET", "POST"])
def instrument_text(request: HttpRequest, instrument_id: str) -> HttpResponse:
    """Upload the clinic's licensed item text of a clinic-supplied instrument, per language."""
    req = cast(StaffRequest, request)
    instrument = _instrument(req, instrument_id)
    if instrument.licence != "clinic-supplied":
        raise Http404
    form = ItemTextForm(req.POST or None, req.FILES or None, instrument=instrument)
    if req.method == "POST" and req.POST.get("remove"):
        if services.item_text_remove(
            actor=req.actor, instrument_id=instrument.id, language=req.POST["remove"]
        ):
            messages.success(req, _("The text was removed."))
        return redirect("web:instrument_text", clinic_slug=req.clinic.slug, instrument_id=instrument.id)
    if req.method == "POST" and form.is_valid():
        try:
            services.item_text_load(
                actor=req.actor,
                instrument_id=instrument.id,
                language=form.cleaned_data["language"],
                items=form.cleaned_data["items"],
                copyright_notice=form.cleaned_data["copyright_notice"],
                source_note=form.cleaned_data["source_note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(req, _("The item text was saved."))
            return redirect("web:instrument_detail", clinic_slug=req.clinic.slug, instrument_id=instrument.id)
    texts = selectors.texts(actor=req.actor, instrument_id=instrument.id)
    names = dict(settings.LANGUAGES)
    needs_options = describe.item_ranges(
        item.number for item in instrument.items if needs_option_labels(item)
    )
    return render(
        req,
        "web/instruments/text.html",
        {
            "instrument": instrument,
            "title": instrument.title_in(_lang()),
            "form": form,
            "texts": [{"row": row, "language": names.get(row.language, row.language)} for row in texts],
            "example": json.dumps(_example(instrument), ensure_ascii=False, indent=2),
            "needs_options": needs_options,
            "entry_languages": [(code, names.get(code, code)) for code in instrument.languages],
            "option_counts": sorted({len(item.options) for item in instrument.items}),
        },
        status=422 if req.method == "POST" else 200,
    )


@clinic_view(InstrumentPerm.MANAGE, phi="none")
@require_http_methods(["GET", "POST"])
def instrument_parameters(request: HttpRequest, instrument_id: str) -> HttpResponse:
    """Change the clinic's values of an instrument's configurable parameters."""
    req = cast(StaffRequest, request)
    instrument = _instrument(req, instrument_id)
    if not instrument.parameters:
        raise Http404
    form = ParametersForm(req.POST or None, instrument=instrument)
    if req.method == "POST" and form.is_valid() and _save_parameters(req, instrument, form):
        return redirect("web:instrument_detail", clinic_slug=req.clinic.slug, instrument_id=instrument.id)
    language = _lang()
    history = selectors.parameter_history(actor=req.actor, instrument_id=instrument.id)
    return render(
        req,
        "web/instruments/parameters.html",
        {
            "instrument": instrument,
            "title": instrument.title_in(language),
            "form": form,
            "rows": _parameter_rows(instrument, form, history, language),
            "history": [_change(change, language) for change in history],
        },
        status=422 if req.method == "POST" else 200,
    )


def _save_parameters(req: StaffRequest, instrument: Instrument, form: ParametersForm) -> bool:
    """Save the posted values and say so; False when they are refused, with the errors on
    the form at their fields."""
    values = form.values()
    if not form.is_valid():
        return False
    try:
        changed = services.parameters_set(
            actor=req.actor,
            instrument_id=instrument.id,
            values=values,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        _add_errors_at_fields(form, exc)
        return False
    if changed:
        messages.success(req, _("The settings were saved."))
    else:
        messages.info(req, _("Nothing changed."))
    return True


def _add_errors_at_fields(form: ParametersForm, exc: ValidationError) -> None:
    """Put each of the service's errors at its parameter's field (a parameter of several
    fields, such as blocks, at its first field); an unknown name's at the top of the form."""
    for name, errors in exc.message_dict.items():
        target = (
            name
            if name in form.fields
            else next((key for key in form.fields if key.startswith(name + "__")), None)
        )
        for error in errors:
            form.add_error(target, error)


def _parameter_rows(
    instrument: Instrument,
    form: ParametersForm,
    history: list[selectors.ParameterChange],
    language: str,
) -> list[dict[str, Any]]:
    """One row of the form per parameter: its fields, default, value in force and since when."""
    since = {change.name: change for change in history if change.in_force}
    rows = []
    for name, keys in form.parameter_fields:
        param = instrument.parameters[name]
        rows.append(
            {
                "param": param,
                "label": _label(param, language),
                "fields": [form[key] for key in keys],
                "note": param.note.get(language, param.note.get("en", "")),
                "default": describe.value_text(param, param.default),
                "in_force": describe.value_text(param, instrument.overrides.get(name, param.default)),
                "set_by_clinic": name in instrument.overrides,
                "since": since.get(name),
            }
        )
    return rows


def _label(param: Parameter, language: str) -> str:
    return param.label.get(language, param.label["en"])


def _change(change: selectors.ParameterChange, language: str) -> dict[str, Any]:
    """One row of the settings history as the page shows it."""
    param = change.parameter
    if change.is_reset:
        value = (
            _("library default (%(value)s)") % {"value": describe.value_text(param, param.default)}
            if param
            else _("library default")
        )
    else:
        value = describe.value_text(param, change.value) if param else json.dumps(change.value)
    return {
        "change": change,
        "label": _label(param, language) if param else change.name,
        "value": value,
    }
