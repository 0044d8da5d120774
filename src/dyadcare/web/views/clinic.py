"""Clinic pages that are not about one family: the audit log (staff: views/staff.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dyadcare.tenancy.audit import audit_csv_rows, audit_search
from dyadcare.tenancy.entry import acting_in
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.permissions import TenancyPerm
from dyadcare.web.access import StaffRequest, clinic_view
from dyadcare.web.forms import AuditFilterForm


def _filtered(req: StaffRequest, *, export: bool = False) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(req.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_search(actor=req.actor, export=export, **{k: v for k, v in filters.items() if v})
    return form, events


@clinic_view(TenancyPerm.AUDIT_VIEW, phi="read")
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Search the clinic's audit log: who read or changed which record, when, from where."""
    req = cast(StaffRequest, request)
    form, events = _filtered(req)
    page = Paginator(events, 50).get_page(req.GET.get("page"))
    query = req.GET.copy()
    query.pop("page", None)
    return render(req, "web/audit/log.html", {"form": form, "page": page, "query": query.urlencode()})


@clinic_view(TenancyPerm.AUDIT_VIEW, phi="read")
@require_GET
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered audit log as CSV."""
    req = cast(StaffRequest, request)
    _form, events = _filtered(req, export=True)
    clinic, actor = req.clinic, req.actor

    def rows() -> Iterator[str]:
        # Streamed after the view returns: the rows are read in the request's clinic again.
        with acting_in(actor):
            yield from audit_csv_rows(events)

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{clinic.slug}-{stamp}.csv"'
    return response
