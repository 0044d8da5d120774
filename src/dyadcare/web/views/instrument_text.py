"""A clinic administrator types a licensed instrument's text item by item, in one language,
previews it as families will see it, confirms the licence, and saves it."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dyadcare.instruments import selectors, services
from dyadcare.instruments.engine import InputError, Instrument
from dyadcare.instruments.engine.textfile import ItemText
from dyadcare.instruments.permissions import InstrumentPerm
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.instrument_forms import GuidedTextForm


def _instrument(req: StaffRequest, instrument_id: str, language: str) -> Instrument:
    try:
        instrument = selectors.instrument(actor=req.actor, instrument_id=instrument_id)
    except InputError:
        raise Http404 from None
    if instrument.licence != "clinic-supplied" or language not in instrument.languages:
        raise Http404
    return instrument


def _initial(req: StaffRequest, instrument: Instrument, language: str) -> dict[str, Any]:
    """The text loaded in this language, to edit; else the instrument's copyright notice."""
    row = next(
        (r for r in selectors.texts(actor=req.actor, instrument_id=instrument.id) if r.language == language),
        None,
    )
    if row is None:
        return {"copyright_notice": instrument.copyright}
    initial: dict[str, Any] = {"copyright_notice": row.copyright_notice, "source_note": row.source_note}
    for entry in row.items:
        initial[f"item_{entry['number']}"] = entry["text"]
        for position, label in enumerate(entry.get("options") or [], start=1):
            initial[f"item_{entry['number']}_option_{position}"] = label
    return initial


def _preview(instrument: Instrument, items: list[ItemText], language: str) -> list[dict[str, Any]]:
    """Each item as the family will see it: its text and its options' labels."""
    return [
        {
            "number": typed.number,
            "text": typed.text,
            "options": list(typed.options)
            or [option.label(language) for option in instrument.item(typed.number).options],
        }
        for typed in items
    ]


def _save(req: StaffRequest, instrument: Instrument, language: str, form: GuidedTextForm) -> bool:
    if not form.cleaned_data["licence_confirmed"]:
        form.add_error("licence_confirmed", _("Confirm that your clinic holds a licence for this text."))
        return False
    try:
        services.item_text_load(
            actor=req.actor,
            instrument_id=instrument.id,
            language=language,
            items=form.items(),
            copyright_notice=form.cleaned_data["copyright_notice"],
            source_note=form.cleaned_data["source_note"],
        )
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return False
    return True


@clinic_view(InstrumentPerm.MANAGE, phi="none")
@require_http_methods(["GET", "POST"])
def instrument_text_entry(request: HttpRequest, instrument_id: str, language: str) -> HttpResponse:
    """The guided form: every item (and each option the library labels only by position) in
    ``language``; Preview shows it as families will see it, Save stores it once the licence
    is confirmed."""
    req = cast(StaffRequest, request)
    instrument = _instrument(req, instrument_id, language)
    form = GuidedTextForm(
        req.POST or None,
        instrument=instrument,
        language=language,
        initial=_initial(req, instrument, language),
    )
    preview = None
    action = req.POST.get("action", "")
    if req.method == "POST" and form.is_valid():
        if action == "save" and _save(req, instrument, language, form):
            messages.success(req, _("The item text was saved."))
            return redirect("web:instrument_detail", clinic_slug=req.clinic.slug, instrument_id=instrument.id)
        preview = _preview(instrument, form.items(), language)
    refused = req.method == "POST" and bool(form.errors)
    return render(
        req,
        "web/instruments/text_entry.html",
        {
            "instrument": instrument,
            "title": instrument.title_in(language),
            "language": language,
            "language_name": dict(settings.LANGUAGES).get(language, language),
            "form": form,
            "rows": [
                {"item": item, "field": form[key], "options": [form[o] for o in options]}
                for item, key, options in form.item_fields
            ],
            "preview": preview,
            "terms": instrument.licence_terms.get(language, instrument.licence_terms["en"]),
        },
        status=422 if refused else 200,
    )
