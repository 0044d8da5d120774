"""What staff record on a visit's screening beyond a family's link: a paper form entered item
by item (any instrument, licensed ones included), an instrument added to the visit, a screen
given elsewhere. Each calls one screening service; a refusal shows the form again with the
reasons at their fields."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.request import QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dyadcare.families import selectors as family_selectors
from dyadcare.families.models import CareRelationship
from dyadcare.instruments import describe
from dyadcare.instruments.engine import Instrument
from dyadcare.instruments.engine.textfile import needs_option_labels
from dyadcare.screening import selectors, services
from dyadcare.screening.permissions import ScreeningPerm
from dyadcare.touchpoints import selectors as visit_selectors
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.screening_forms import AddInstrumentForm, DoneElsewhereForm
from dyadcare.web.views.screening import render_visit_screening

LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def _staff(request: HttpRequest) -> StaffRequest:
    return cast(StaffRequest, request)


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def _entered(post: QueryDict, instrument: Instrument) -> dict[int, list[str]]:
    """Each item's values as posted (a check-all item's empty values dropped)."""
    entered = {}
    for item in instrument.items:
        values = post.getlist(f"item-{item.number}")
        entered[item.number] = [v for v in values if v.strip()] if item.kind == "multi" else values
    return entered


def _item_rows(
    instrument: Instrument, posted: QueryDict, errors: dict[str, list[str]], language: str
) -> list[dict[str, Any]]:
    """Each item of the form as the page shows it: its number, its text when the clinic may
    show it, its options by position with what each scores, what was posted and its error."""
    placeholder = instrument.licence == "clinic-supplied" and language not in instrument.text_language
    rows = []
    for item in instrument.items:
        name = f"item-{item.number}"
        chosen = posted.getlist(name)
        rows.append(
            {
                "item": item,
                "name": name,
                "text": "" if placeholder else item.label(language),
                "value": chosen[0] if chosen else "",
                "errors": errors.get(name, []),
                "options": [
                    {
                        "position": str(option.position),
                        "label": _("Option %(n)s") % {"n": option.position + 1}
                        if placeholder and needs_option_labels(item)
                        else option.label(language),
                        "scores": describe._num(option.weight),
                        "checked": str(option.position) in chosen,
                    }
                    for option in item.options
                ],
            }
        )
    return rows


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _chosen_caregiver(links: list[CareRelationship], posted: str) -> Any:
    chosen = next((link.caregiver for link in links if str(link.caregiver.pk) == posted), None)
    if posted and chosen is None:
        raise ValidationError({"caregiver": [_("Choose the caregiver who filled in the form.")]})
    return chosen


@clinic_view(ScreeningPerm.MANAGE, phi="write")
@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest, visit_id: str, instrument_id: str) -> HttpResponse:
    """Enter a paper form's answers item by item, for any instrument of the library: the
    item numbers and the options' positions are enough (a licensed text need not be loaded).
    The engine scores it as it scores a family's answers."""
    req = _staff(request)
    visit = visit_selectors.visit_get(actor=req.actor, visit_id=visit_id)
    paper = selectors.paper_form(actor=req.actor, visit=visit, instrument_id=instrument_id)
    links = family_selectors.caregivers_of(actor=req.actor, child_id=visit.child_id)
    errors: dict[str, list[str]] = {}
    if req.method == "POST":
        try:
            scored = services.staff_scores_enter(
                actor=req.actor,
                visit=visit,
                instrument_id=paper.instrument.id,
                entered=_entered(req.POST, paper.instrument),
                answered_in=req.POST.get("answered_in", "") if paper.family_answers else "en",
                caregiver=_chosen_caregiver(links, req.POST.get("caregiver", "")),
                language=_language(),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            title = describe.instrument_title(scored.result.instrument_id, _language())
            messages.success(req, _("%(title)s: the paper form is entered and scored.") % {"title": title})
            return redirect("web:visit_screening", clinic_slug=req.clinic.slug, visit_id=visit.pk)
    return render(
        req,
        "web/screening/paper.html",
        {
            "visit": visit,
            "child": visit.child,
            "paper": paper,
            "category": visit_selectors.clinic_bundle(req.clinic).label(paper.category, _language())
            if paper.category
            else "",
            "instrument": paper.instrument,
            "caregivers": links,
            "languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in paper.instrument.languages],
            "posted": req.POST if req.method == "POST" else QueryDict(),
            "errors": errors,
            "error_list": [m for problems in errors.values() for m in problems],
            "items": _item_rows(paper.instrument, req.POST, errors, _language()),
            "shows_text": paper.instrument.licence != "clinic-supplied"
            or _language() in paper.instrument.text_language,
        },
        status=422 if errors else 200,
    )


@clinic_view(ScreeningPerm.MANAGE, phi="write")
@require_POST
def instrument_add(request: HttpRequest, visit_id: str) -> HttpResponse:
    """Add any instrument of the library to the visit, saying why."""
    req = _staff(request)
    visit = visit_selectors.visit_get(actor=req.actor, visit_id=visit_id)
    choices = selectors.evidence_choices(actor=req.actor, visit=visit, language=_language())
    form = AddInstrumentForm(req.POST, instruments=choices.instruments)
    if form.is_valid():
        try:
            added = services.instrument_add(
                actor=req.actor,
                visit=visit,
                instrument_id=form.cleaned_data["instrument"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for field, problems in _errors(exc).items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            title = describe.instrument_title(added.instrument_id, _language())
            messages.success(req, _("%(title)s is added to the visit.") % {"title": title})
            return redirect("web:visit_screening", clinic_slug=req.clinic.slug, visit_id=visit.pk)
    return render_visit_screening(req, visit, add_form=form)


@clinic_view(ScreeningPerm.MANAGE, phi="write")
@require_POST
def done_elsewhere(request: HttpRequest, visit_id: str) -> HttpResponse:
    """Record a screen given outside the clinic's records, with its instrument, date, place,
    result and how staff know."""
    req = _staff(request)
    visit = visit_selectors.visit_get(actor=req.actor, visit_id=visit_id)
    choices = selectors.evidence_choices(actor=req.actor, visit=visit, language=_language())
    form = DoneElsewhereForm(req.POST, categories=choices.categories, instruments=choices.instruments)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.done_elsewhere_record(
                actor=req.actor,
                visit=visit,
                category=data["category"],
                instrument_id=data["instrument"],
                done_on=data["done_on"],
                place=data["place"],
                outcome=data["outcome"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            names = {"instrument_id": "instrument"}
            for field, problems in _errors(exc).items():
                target = names.get(field, field)
                form.add_error(target if target in form.fields else None, problems)
        else:
            messages.success(req, _("The screen given elsewhere is recorded."))
            return redirect("web:visit_screening", clinic_slug=req.clinic.slug, visit_id=visit.pk)
    return render_visit_screening(req, visit, elsewhere_form=form)
