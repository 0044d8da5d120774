"""The referral workflow's staff pages: Refer (pick the need, search the directory, pick a
service or type one, record the caregiver's consent, send), a referral's page (history, what
was shared, a status update or an update taken by phone, resend or close the link), and the
family's summary of its services (printable, or sent by text or email)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dyadcare.referrals import referral_selectors as rs
from dyadcare.referrals import referral_services as svc
from dyadcare.referrals import selectors as directory
from dyadcare.referrals.permissions import ReferralPerm
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.account_forms import show_errors
from dyadcare.web.referral_forms import ReferralForm, SearchForm, SendForm, SummarySendForm, UpdateForm


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _base_url(request: HttpRequest) -> str:
    return settings.PUBLIC_URL or f"{request.scheme}://{request.get_host()}"


def _search(req: StaffRequest, search: SearchForm) -> Any:
    """The directory's search (``referrals.selectors.search_services``) with the form's filters,
    when the form was sent and is valid; None otherwise."""
    if not search.is_bound or not search.is_valid():
        return None
    d = search.cleaned_data
    return directory.search_services(
        req.actor,
        need=d["need"],
        language=d["language"] or None,
        child_age_months=d["child_age_months"],
        zip_code=d["zip_code"] or None,
        open_now=d["open_now"],
        text=d["text"] or None,
        page=d.get("page") or 1,
    )


def _chosen_service(req: StaffRequest) -> svc.ServiceDetails | None:
    service_id = _uuid(req.GET.get("service"))
    return rs.directory_service(actor=req.actor, service_id=service_id) if service_id else None


def _initial(start: rs.ReferStart, service: svc.ServiceDetails | None, need: str) -> dict[str, Any]:
    initial: dict[str, Any] = {"need": need, "caregiver": start.caregivers[0][0] if start.caregivers else ""}
    if service is not None:
        initial.update(
            service_name=service.name,
            organization_name=service.organization,
            service_phone=service.phone,
            service_email=service.email,
            service_address=service.address,
            service_website=service.website,
            service_hours=service.hours,
            channel="email" if service.email else "print",
        )
    return initial


@clinic_view(ReferralPerm.REFER, phi="read")
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    req = cast(StaffRequest, request)
    start = rs.refer_start(
        actor=req.actor,
        child_id=child_id,
        result_id=_uuid(req.GET.get("result")),
        goal_id=_uuid(req.GET.get("goal")),
    )
    need = req.GET.get("need") or start.need
    search = SearchForm(
        req.GET if "need" in req.GET else None,
        auto_id="search_%s",
        initial={
            "need": need,
            "language": start.language,
            "zip_code": start.zip_code,
            "child_age_months": start.age_months,
        },
    )
    found = _search(req, search)
    service = _chosen_service(req)
    form = ReferralForm(req.POST or None, caregivers=start.caregivers, initial=_initial(start, service, need))
    if req.method == "POST" and form.is_valid():
        referral_id = _make(req, start, service, form)
        if referral_id is not None:
            return redirect("web:referral_detail", clinic_slug=req.clinic.slug, referral_id=referral_id)
    context = {
        "start": start,
        "child": start.child,
        "search": search,
        "found": found,
        "service": service,
        "form": form,
        "query": req.GET.urlencode(),
    }
    return render(req, "web/referral_flow/new.html", context, status=400 if form.errors else 200)


def _make(
    req: StaffRequest, start: rs.ReferStart, service: svc.ServiceDetails | None, form: ReferralForm
) -> uuid.UUID | None:
    d = form.cleaned_data
    details = svc.ServiceDetails(
        name=d["service_name"],
        organization=d["organization_name"],
        phone=d["service_phone"],
        email=d["service_email"],
        address=d["service_address"],
        website=d["service_website"],
        hours=d["service_hours"],
        service_id=service.service_id if service and service.name == d["service_name"] else None,
    )
    consent = svc.ConsentInput(
        caregiver_id=uuid.UUID(d["caregiver"]),
        method=d["method"],
        consented_on=d["consented_on"],
        shares=tuple(d["shares"]),
    )
    try:
        referral = svc.refer(
            actor=req.actor,
            child_id=start.child.pk,
            caregiver_id=consent.caregiver_id,
            need=d["need"],
            service=details,
            reason=d["reason"],
            result_id=start.result_id,
            goal_id=start.goal_id,
            consent=consent,
            language=start.language,
        )
    except ValidationError as exc:
        show_errors(form, exc)
        return None
    try:
        svc.send_referral(
            actor=req.actor, referral_id=referral.pk, channel=d["channel"], base_url=_base_url(req)
        )
    except ValidationError as exc:  # made and consented; sending can be tried again from its page
        messages.error(req, " ".join(exc.messages))
    else:
        messages.success(req, _("The referral is made and sent."))
    return referral.pk


def _detail(req: StaffRequest, referral_id: uuid.UUID, form: UpdateForm | None = None) -> HttpResponse:
    detail = rs.referral_detail(actor=req.actor, referral_id=referral_id)
    lang = (translation.get_language() or "en")[:2]
    context = {
        "detail": detail,
        "referral": detail.row.referral,
        "child": detail.row.referral.child,
        "form": form or UpdateForm(moves=detail.moves),
        "events": [
            (
                e,
                rs.status_words(e.from_status, lang),
                rs.status_words(e.to_status, lang),
                rs.outcome_words(e.business_status, lang),
            )
            for e in detail.events
        ],
    }
    return render(req, "web/referral_flow/detail.html", context, status=400 if form is not None else 200)


@clinic_view(ReferralPerm.VIEW, phi="read")
@require_http_methods(["GET"])
def referral_detail(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    return _detail(cast(StaffRequest, request), referral_id)


@clinic_view(ReferralPerm.REFER, phi="write")
@require_POST
def referral_update(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """A status change by staff, or an update taken by phone (``caller`` filled in)."""
    req = cast(StaffRequest, request)
    detail = rs.referral_detail(actor=req.actor, referral_id=referral_id)
    form = UpdateForm(req.POST, moves=detail.moves)
    if form.is_valid():
        d = form.cleaned_data
        try:
            svc.staff_update(
                actor=req.actor,
                referral_id=referral_id,
                status=d["status"],
                outcome=d["outcome"],
                note=d["note"],
                caller=d["caller"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(req, _("The update is saved."))
            return redirect("web:referral_detail", clinic_slug=req.clinic.slug, referral_id=referral_id)
    return _detail(req, referral_id, form)


@clinic_view(ReferralPerm.REFER, phi="write")
@require_POST
def referral_send(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    """Send again: a new link by email (the old one stops working), or mark printed or phoned."""
    req = cast(StaffRequest, request)
    form = SendForm(req.POST)
    channel = form.cleaned_data["channel"] if form.is_valid() else ""
    try:  # the service finds the referral first (another clinic's: 404), then checks the channel
        svc.send_referral(actor=req.actor, referral_id=referral_id, channel=channel, base_url=_base_url(req))
    except ValidationError as exc:
        messages.error(req, " ".join(exc.messages))
    else:
        messages.success(req, _("The referral is sent."))
    return redirect("web:referral_detail", clinic_slug=req.clinic.slug, referral_id=referral_id)


@clinic_view(ReferralPerm.REFER, phi="write")
@require_POST
def referral_link_close(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    req = cast(StaffRequest, request)
    svc.close_link(actor=req.actor, referral_id=referral_id)
    messages.success(req, _("The organization's link is closed."))
    return redirect("web:referral_detail", clinic_slug=req.clinic.slug, referral_id=referral_id)


@clinic_view(ReferralPerm.VIEW, phi="read")
@require_http_methods(["GET"])
def referral_summary(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    """The family's summary of the services it was referred to, in its language, to print."""
    req = cast(StaffRequest, request)
    summary = rs.family_summary(actor=req.actor, child_id=child_id, language=req.GET.get("lang"))
    return render(
        req,
        "web/referral_flow/summary.html",
        {"summary": summary, "child": summary.child, "form": SummarySendForm()},
    )


@clinic_view(ReferralPerm.REFER, phi="write")
@require_POST
def referral_summary_send(request: HttpRequest, child_id: uuid.UUID) -> HttpResponse:
    req = cast(StaffRequest, request)
    form = SummarySendForm(req.POST)
    channel = form.cleaned_data["channel"] if form.is_valid() else ""
    try:  # the service finds the child first (another clinic's: 404), then checks the channel
        to = svc.send_family_summary(actor=req.actor, child_id=child_id, channel=channel)
    except ValidationError as exc:
        messages.error(req, " ".join(exc.messages))
    else:
        messages.success(req, _("The summary was sent to %(to)s.") % {"to": to})
    return redirect("web:referral_summary", clinic_slug=req.clinic.slug, child_id=child_id)
