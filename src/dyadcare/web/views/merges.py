"""Merging two records of one child, and undoing a merge (clinic administrators)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dyadcare.families import selectors, services
from dyadcare.families.models import Child
from dyadcare.families.permissions import FamilyPerm
from dyadcare.web.access import StaffRequest, clinic_view


def _other(req: StaffRequest, value: str, child: Child) -> Child | None:
    """The record chosen to merge with, or None (nothing chosen, malformed or not found)."""
    try:
        other_id = uuid.UUID(value.strip())
    except (ValueError, AttributeError):
        return None
    if other_id == child.pk:
        return None
    try:
        other = selectors.child_get(actor=req.actor, child_id=other_id)
    except Http404:
        return None
    return None if other.merged_into_id else other


@clinic_view(FamilyPerm.MERGE, phi="read")
@require_http_methods(["GET", "POST"])
def child_merge(request: HttpRequest, child_id: str) -> HttpResponse:
    """Find another record of this child and merge the two, keeping the one chosen."""
    req = cast(StaffRequest, request)
    child = selectors.child_get(actor=req.actor, child_id=child_id)
    if child.merged_into_id:
        messages.info(req, _("This record was merged into another already."))
        return redirect("web:child_detail", clinic_slug=req.clinic.slug, child_id=child.pk)
    data = req.POST if req.method == "POST" else req.GET
    other_text = data.get("other", "")
    other = _other(req, other_text, child)
    errors: dict[str, Any] = {}
    if other_text and other is None:
        errors["other"] = [_("That record was not found, or was merged already. Choose one listed here.")]
    if req.method == "POST" and not errors:
        keep = req.POST.get("keep", "")
        if other is None:
            errors["other"] = [_("Choose the other record.")]
        elif keep not in {"this", "other"}:
            errors["keep"] = [_("Choose which record to keep.")]
        else:
            survivor, retired = (child, other) if keep == "this" else (other, child)
            try:
                record = services.child_merge(
                    actor=req.actor, survivor=survivor, retired=retired, reason=req.POST.get("reason", "")
                )
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                until = formats.date_format(record.undo_until, "DATE_FORMAT")
                messages.success(
                    req, _("The records are merged. You can undo this until %(date)s.") % {"date": until}
                )
                return redirect("web:child_detail", clinic_slug=req.clinic.slug, child_id=survivor.pk)
    query = req.GET.get("q", "").strip()[:100]
    found = (
        [c for c in selectors.child_search(actor=req.actor, query=query)[:10] if c.pk != child.pk]
        if query
        else []
    )
    context = {
        "child": child,
        "other": other,
        "candidates": selectors.child_possible_duplicates(actor=req.actor, child=child),
        "query": query,
        "found": found,
        "errors": errors,
        "reason": req.POST.get("reason", "")[:300],
        "keep": req.POST.get("keep", "this"),
    }
    return render(
        req, "web/children/merge.html", context, status=422 if errors and req.method == "POST" else 200
    )


@clinic_view(FamilyPerm.MERGE, phi="write")
@require_POST
def child_merge_undo(request: HttpRequest, child_id: str) -> HttpResponse:
    """Undo a merge this child took part in, within its period."""
    req = cast(StaffRequest, request)
    child = selectors.child_get(actor=req.actor, child_id=child_id)
    try:
        merge_id = uuid.UUID(req.POST.get("merge", "").strip())
        merges = {m.pk: m for m in selectors.child_merges(actor=req.actor, child=child)}
        if merge_id not in merges:
            raise ValidationError(_("This merge was not found."))
        services.child_merge_undo(actor=req.actor, merge_id=merge_id)
    except ValueError:
        messages.error(req, _("This merge was not found."))
    except ValidationError as exc:
        messages.error(req, " ".join(exc.messages))
    else:
        messages.success(req, _("The merge is undone: both records are back as they were."))
    return redirect("web:child_detail", clinic_slug=req.clinic.slug, child_id=child.pk)
