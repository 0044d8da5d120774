"""Billing staff's pages: the worklist of claim lines (held lines with every reason in plain
words and the fix that releases it, ready lines to release), one line with its history and
voiding, exporting released lines (X12 837P or CSV) with the batch history and its downloads.
The fixes are in ``billing_fixes``, the settings in ``billing_settings``."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dyadcare.billing import selectors, services
from dyadcare.billing.export import batches
from dyadcare.billing.export import settings as export_settings
from dyadcare.billing.models import ClaimLine
from dyadcare.billing.permissions import BillingPerm
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.account_forms import show_errors
from dyadcare.web.billing_describe import describe_row, status_label
from dyadcare.web.billing_forms import ExportForm, PickForm, VoidForm, WorklistFilterForm

FILTER_NAMES = ("status", "date_from", "date_until", "code", "provider")


def _staff(request: HttpRequest) -> StaffRequest:
    return cast(StaffRequest, request)


def _providers(req: StaffRequest) -> list[tuple[str, str]]:
    found = selectors.providers(actor=req.actor)
    return sorted(
        ((str(p.user.pk), p.user.get_full_name() or p.user.username) for p in found), key=lambda c: c[1]
    )


def _filters(data: dict[str, Any]) -> selectors.Filters:
    status = data.get("status") or ClaimLine.Status.HELD
    return selectors.Filters(
        status="" if status == "all" else status,
        code=data.get("code") or "",
        rendering_id=data.get("provider") or None,
        date_from=data.get("date_from"),
        date_until=data.get("date_until"),
    )


@clinic_view(BillingPerm.VIEW, phi="read")
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """Claim lines by status (held first), filtered by date of service, code and provider."""
    req = _staff(request)
    form = WorklistFilterForm(req.GET or None, providers=_providers(req))
    if req.GET and not form.is_valid():
        return render(req, "web/billing/worklist.html", {"form": form, "result": None}, status=400)
    data = form.cleaned_data if req.GET else {}
    filters = _filters(data)
    result = selectors.worklist(actor=req.actor, filters=filters, page=data.get("page") or 1)
    query = urlencode({k: req.GET[k] for k in FILTER_NAMES if req.GET.get(k)})
    context = {
        "form": form,
        "result": result,
        "rows": [describe_row(row, req.clinic.slug) for row in result.rows],
        "status": filters.status or "all",
        "query": query,
    }
    return render(req, "web/billing/worklist.html", context)


def _back_to_list(req: StaffRequest, fallback_status: str) -> str:
    back = req.POST.get("back", "")
    home = reverse("web:billing_worklist", args=[req.clinic.slug])
    if back.startswith(home) and "//" not in back:
        return back
    return f"{home}?status={fallback_status}"


@clinic_view(BillingPerm.MANAGE, phi="write")
@require_POST
def release(request: HttpRequest) -> HttpResponseBase:
    """Release the picked ready lines for export."""
    req = _staff(request)
    picked = req.POST.getlist("line")
    form = PickForm(req.POST, choices=picked)
    if not picked or not form.is_valid():
        messages.error(req, _("Pick at least one ready line to release."))
        return redirect(_back_to_list(req, "ready"))
    try:
        released = services.lines_release(actor=req.actor, line_ids=form.cleaned_data["line"])
    except ClaimLine.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(req, " ".join(exc.messages))
        return redirect(_back_to_list(req, "ready"))
    count = len(released)
    messages.success(
        req,
        ngettext("%(n)s line released for export.", "%(n)s lines released for export.", count) % {"n": count},
    )
    return redirect(_back_to_list(req, "ready"))


@clinic_view(BillingPerm.VIEW, phi="write")
@require_http_methods(["GET", "POST"])
def line_detail(request: HttpRequest, line_id: str) -> HttpResponseBase:
    """One line: why it is held and how to release it, its notes, its history; voiding it."""
    req = _staff(request)
    try:
        found = selectors.line_history(actor=req.actor, line_id=line_id)
    except ClaimLine.DoesNotExist as exc:
        raise Http404 from exc
    form = VoidForm(req.POST or None)
    if req.method == "POST":
        req.actor.require(BillingPerm.MANAGE)
        if form.is_valid():
            try:
                services.line_void(
                    actor=req.actor, line_id=found.row.line.pk, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(req, _("The line is voided."))
                return redirect("web:billing_line", clinic_slug=req.clinic.slug, line_id=found.row.line.pk)
    context = {
        "line": found.row.line,
        "row": describe_row(found.row, req.clinic.slug),
        "history": [(c, status_label(c.from_status), status_label(c.to_status)) for c in found.changes],
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
                count = batch.line_count
                messages.success(
                    req, ngettext("%(n)s line exported.", "%(n)s lines exported.", count) % {"n": count}
                )
                return redirect(reverse("web:billing_batches", args=[req.clinic.slug]) + f"#batch-{batch.pk}")
    result = selectors.worklist(
        actor=req.actor, filters=selectors.Filters(status=ClaimLine.Status.RELEASED), page=1, per_page=1
    )
    context: dict[str, Any] = {
        "form": form,
        "batches": selectors.batches(actor=req.actor, per_page=200),
        "released": result.counts.get(ClaimLine.Status.RELEASED, 0),
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
