"""Billing staff's pages: the worklist of claim lines (held lines with every reason in plain
words and the fix that releases it, ready lines to release), one line with its history and
voiding, exporting released lines (X12 837P or CSV) with the batch history and its downloads,
and the clinic's claim-file settings."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dyadcare.billing import worklist as billing
from dyadcare.billing.export import batches
from dyadcare.billing.export import settings as export_settings
from dyadcare.billing.models import ClaimLine
from dyadcare.billing.permissions import BillingPerm
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.account_forms import show_errors
from dyadcare.web.billing_describe import describe_line
from dyadcare.web.billing_forms import ExportForm, ExportSettingsForm, PickForm, VoidForm, WorklistFilterForm


def _staff(request: HttpRequest) -> StaffRequest:
    return cast(StaffRequest, request)


def _status_label(status: str) -> str:
    return str(ClaimLine.Status(status).label) if status in ClaimLine.Status.values else status


def _providers(req: StaffRequest) -> list[tuple[str, str]]:
    return [(str(u.pk), u.get_full_name() or u.username) for u in billing.providers(actor=req.actor)]


@clinic_view(BillingPerm.VIEW, phi="read")
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """Claim lines by status (held first), filtered by date of service, code and provider."""
    req = _staff(request)
    form = WorklistFilterForm(req.GET or None, providers=_providers(req))
    if req.GET and not form.is_valid():
        return render(req, "web/billing/worklist.html", {"form": form, "result": None}, status=400)
    data = form.cleaned_data if req.GET else {}
    status = data.get("status") or ClaimLine.Status.HELD
    try:
        result = billing.worklist(
            actor=req.actor,
            status=status,
            date_from=data.get("date_from"),
            date_until=data.get("date_until"),
            code=data.get("code") or "",
            provider=data.get("provider") or "",
            page=data.get("page") or 1,
        )
    except ValidationError as exc:
        show_errors(form, exc)
        return render(req, "web/billing/worklist.html", {"form": form, "result": None}, status=400)
    keep = ("status", "date_from", "date_until", "code", "provider")
    query = urlencode({k: req.GET[k] for k in keep if req.GET.get(k)})
    rows = [describe_line(line, req.clinic.slug) for line in result.page.object_list]
    context = {"form": form, "result": result, "rows": rows, "status": status, "query": query}
    return render(req, "web/billing/worklist.html", context)


@clinic_view(BillingPerm.MANAGE, phi="write")
@require_POST
def release(request: HttpRequest) -> HttpResponseBase:
    """Release the picked ready lines for export."""
    req = _staff(request)
    picked = req.POST.getlist("line")
    form = PickForm(req.POST, choices=picked)
    back = req.POST.get("back", "")
    target = back if back.startswith(reverse("web:billing_worklist", args=[req.clinic.slug])) else None
    if not picked or not form.is_valid():
        messages.error(req, _("Pick at least one ready line to release."))
    else:
        try:
            count = billing.lines_release(actor=req.actor, line_ids=form.cleaned_data["line"])
        except ValidationError as exc:
            messages.error(req, " ".join(exc.messages))
        else:
            messages.success(
                req, ngettext("%(n)s line released for export.", "%(n)s lines released for export.", count) % {"n": count}
            )
    return redirect(target or reverse("web:billing_worklist", args=[req.clinic.slug]) + "?status=ready")


@clinic_view(BillingPerm.VIEW, phi="write")
@require_http_methods(["GET", "POST"])
def line_detail(request: HttpRequest, line_id: str) -> HttpResponseBase:
    """One line: why it is held and how to release it, its notes, its history; voiding it."""
    req = _staff(request)
    line = billing.line_get(actor=req.actor, line_id=line_id)
    form = VoidForm(req.POST or None)
    if req.method == "POST":
        req.actor.require(BillingPerm.MANAGE)
        if form.is_valid():
            try:
                billing.line_void(actor=req.actor, line=line, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(req, _("The line is voided."))
                return redirect("web:billing_line", clinic_slug=req.clinic.slug, line_id=line.pk)
    context = {
        "line": line,
        "row": describe_line(line, req.clinic.slug),
        "history": [
            (change, _status_label(change.from_status), _status_label(change.to_status))
            for change in billing.line_history(actor=req.actor, line=line)
        ],
        "form": form,
    }
    return render(req, "web/billing/line.html", context, status=422 if req.method == "POST" else 200)


@clinic_view(BillingPerm.VIEW, phi="write")
@require_http_methods(["GET", "POST"])
def batch_list(request: HttpRequest) -> HttpResponseBase:
    """Export released lines as a new batch; every batch made, each downloadable again."""
    req = _staff(request)
    form = ExportForm(req.POST or None)
    if req.method == "POST":
        req.actor.require(BillingPerm.MANAGE)
        if form.is_valid():
            try:
                batch = batches.batch_export(
                    actor=req.actor,
                    fmt=form.cleaned_data["format"],
                    date_from=form.cleaned_data.get("date_from"),
                    date_until=form.cleaned_data.get("date_until"),
                )
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(
                    req,
                    ngettext("%(n)s line exported.", "%(n)s lines exported.", batch.line_count) % {"n": batch.line_count},
                )
                return redirect(reverse("web:billing_batches", args=[req.clinic.slug]) + f"#batch-{batch.pk}")
    context: dict[str, Any] = {
        "form": form,
        "batches": batches.batch_list(actor=req.actor)[:200],
        "released": billing.count_released(actor=req.actor),
        "gaps": export_settings.clinic_gaps(actor=req.actor),
        "can_export": req.actor.can(BillingPerm.MANAGE),
    }
    return render(req, "web/billing/batches.html", context, status=422 if req.method == "POST" else 200)


@clinic_view(BillingPerm.MANAGE, phi="read")
@require_GET
def batch_download(request: HttpRequest, batch_id: str) -> HttpResponse:
    """The batch's file, byte for byte as exported."""
    req = _staff(request)
    try:
        found = batches.batch_file(actor=req.actor, batch_id=batch_id)
    except ValidationError as exc:
        messages.error(req, " ".join(exc.messages))
        return redirect("web:billing_batches", clinic_slug=req.clinic.slug)
    response = HttpResponse(found.content, content_type=found.media_type)
    response["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    return response


@clinic_view(BillingPerm.CONFIGURE, phi="none")
@require_http_methods(["GET", "POST"])
def billing_settings(request: HttpRequest) -> HttpResponseBase:
    """The clinic's claim-file details: contact, payer, test or production, charges per code."""
    req = _staff(request)
    current = export_settings.export_settings_get(actor=req.actor)
    initial = {
        "contact_name": current.contact_name,
        "contact_phone": current.contact_phone,
        "payer_name": current.payer_name,
        "payer_id": current.payer_id,
        "production": current.production,
        "fees": "\n".join(f"{code} = {amount}" for code, amount in sorted(current.fees.items())),
    }
    form = ExportSettingsForm(req.POST or None, initial=initial)
    if req.method == "POST" and form.is_valid():
        try:
            export_settings.export_settings_set(actor=req.actor, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(req, _("The billing settings are saved."))
            return redirect("web:billing_settings", clinic_slug=req.clinic.slug)
    context = {"form": form, "gaps": export_settings.clinic_gaps(actor=req.actor)}
    return render(req, "web/billing/settings.html", context, status=422 if req.method == "POST" else 200)
