"""The community resource directory: search the network's directory (by need, language, the
child's age, ZIP code, open now), a service's page, the clinic's note and favourite star."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dyadcare.referrals import selectors, services
from dyadcare.referrals.models import Service
from dyadcare.referrals.permissions import ReferralsPerm
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.account_forms import show_errors
from dyadcare.web.referrals_forms import DirectoryNoteForm, DirectorySearchForm


def _staff(request: HttpRequest) -> StaffRequest:
    return cast(StaffRequest, request)


def _language() -> str:
    return (get_language() or "en")[:2]


@clinic_view(ReferralsPerm.DIRECTORY_VIEW, phi="none")
@require_GET
def directory_search(request: HttpRequest) -> HttpResponseBase:
    """Search the network's directory; the results are ranked (see docs/architecture.md)."""
    req = _staff(request)
    form = DirectorySearchForm(req.GET or None, language=_language())
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = selectors.search_services(
            req.actor,
            need=data["need"] or None,
            language=data["language"] or None,
            child_age_months=data["age_months"],
            zip_code=data["zip_code"] or None,
            open_now=data["open_now"],
            text=data["text"] or None,
            page=data["page"] or 1,
        )
    query = urlencode([(k, v) for k, v in req.GET.items() if k != "page" and v])
    return render(req, "web/referrals/search.html", {"form": form, "result": result, "query": query})


def _service(req: StaffRequest, service_id: str) -> selectors.ServiceRow:
    try:
        return selectors.service_for_referral(
            req.actor, service_id, language=req.GET.get("language") or _language()
        )
    except Service.DoesNotExist as exc:
        raise Http404 from exc


@clinic_view(ReferralsPerm.DIRECTORY_VIEW, phi="none")
@require_GET
def directory_service(request: HttpRequest, service_id: str) -> HttpResponseBase:
    req = _staff(request)
    row = _service(req, service_id)
    form = DirectoryNoteForm(initial={"text": row.note})
    return render(req, "web/referrals/service.html", {"service": row, "note_form": form})


@clinic_view(ReferralsPerm.DIRECTORY_MANAGE, phi="none")
@require_http_methods(["GET", "POST"])
def directory_note(request: HttpRequest, service_id: str) -> HttpResponseBase:
    """Write, change or remove the clinic's note on a service."""
    req = _staff(request)
    row = _service(req, service_id)
    form = DirectoryNoteForm(req.POST if req.method == "POST" else None, initial={"text": row.note})
    if req.method == "POST" and form.is_valid():
        try:
            services.save_note(req.actor, service_id=row.id, text=form.cleaned_data["text"])
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(req, _("The clinic's note is saved."))
            return redirect("web:directory_service", clinic_slug=req.clinic.slug, service_id=row.id)
    return render(req, "web/referrals/note.html", {"service": row, "note_form": form})


@clinic_view(ReferralsPerm.DIRECTORY_MANAGE, phi="none")
@require_POST
def directory_favourite(request: HttpRequest, service_id: str) -> HttpResponseBase:
    """Star or unstar a service for the clinic; back to the page it was done from."""
    req = _staff(request)
    row = _service(req, service_id)
    starred = services.toggle_favourite(req.actor, service_id=row.id)
    messages.success(req, _("Starred for the clinic.") if starred else _("No longer starred."))
    back = req.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={req.get_host()}, require_https=req.is_secure()
    ):
        return redirect(back)
    return redirect("web:directory_service", clinic_slug=req.clinic.slug, service_id=row.id)
