"""Export released lines as one batch (CSV or X12 837P), and read batches back.

``batch_export`` takes the clinic's released lines (all, or those picked, or those of a date
range), writes the file, checks an 837P with pyx12 and refuses it on any error, then in one
transaction keeps the batch (who, when, format, lines, the file's SHA-256) with its exact
bytes, marks each line exported with a change row, and audits the export. ``batch_file``
gives the same bytes again.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.billing.audit_actions import BillingAction
from dyadcare.billing.export import build, csvfile, validate, x12
from dyadcare.billing.export.models import BatchFile
from dyadcare.billing.models import ClaimBatch, ClaimLine, ClaimLineChange
from dyadcare.billing.permissions import BillingPerm
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record

MEDIA = {ClaimBatch.Format.CSV: "text/csv; charset=utf-8", ClaimBatch.Format.X12_837P: "application/edi-x12"}


@dataclass(frozen=True)
class Download:
    file_name: str
    media_type: str
    content: bytes


def _released(
    actor: Actor, line_ids: Sequence[uuid.UUID] | None, date_from: date | None, date_until: date | None
) -> QuerySet[ClaimLine]:
    lines = ClaimLine.objects.filter(status=ClaimLine.Status.RELEASED)
    if line_ids is not None:
        lines = lines.filter(pk__in=list(line_ids))
    if date_from:
        lines = lines.filter(service_date__gte=date_from)
    if date_until:
        lines = lines.filter(service_date__lte=date_until)
    return lines.select_related("child__household").order_by("child_id", "service_date", "code", "pk")


def _next_control(clinic_id: object) -> int:
    top = ClaimBatch.objects.filter(control_number__isnull=False).aggregate(top=Max("control_number"))["top"]
    return (top or 0) % 999_999_999 + 1


def _write(fmt: str, lines: list[ClaimLine], details: build.Details, control: int) -> bytes:
    if fmt == ClaimBatch.Format.CSV:
        return csvfile.write_csv(build.csv_rows(lines, details)).encode("utf-8")
    text = x12.write_837p(build.interchange(lines, details, control=control, created=timezone.localtime()))
    if problems := validate.problems(text):
        raise ValidationError(
            _("The 837P did not pass the X12 check, so nothing was exported: %(problems)s")
            % {"problems": "; ".join(problems[:5])}
        )
    return text.encode("ascii")


@transaction.atomic
def batch_export(
    *,
    actor: Actor,
    fmt: str,
    line_ids: Sequence[uuid.UUID] | None = None,
    date_from: date | None = None,
    date_until: date | None = None,
) -> ClaimBatch:
    """Export the clinic's released lines (or the picked ones) as one batch; see the module."""
    actor.require(BillingPerm.MANAGE)
    assert actor.clinic is not None
    if fmt not in ClaimBatch.Format.values:
        raise ValidationError({"format": [_("Choose CSV or X12 837P.")]})
    lines = list(_released(actor, line_ids, date_from, date_until).select_for_update(of=("self",)))
    if not lines:
        raise ValidationError(_("There are no released lines to export."))
    details = build.read_details(actor.clinic, {line.rendering_id for line in lines})
    control = _next_control(actor.clinic.pk) if fmt == ClaimBatch.Format.X12_837P else None
    content = _write(fmt, lines, details, control or 0)
    stamp = timezone.localtime()
    extension = "csv" if fmt == ClaimBatch.Format.CSV else "837"
    batch = ClaimBatch.objects.create(
        clinic=actor.clinic,
        format=fmt,
        made_by=actor.user,
        line_count=len(lines),
        file_name=f"{actor.clinic.slug}-{stamp:%Y%m%d-%H%M%S}.{extension}",
        file_sha256=hashlib.sha256(content).hexdigest(),
        control_number=control,
        period_from=min(line.service_date for line in lines),
        period_until=max(line.service_date for line in lines),
    )
    BatchFile.objects.create(clinic=actor.clinic, batch=batch, media_type=MEDIA[fmt], content=content)
    _mark_exported(actor, lines, batch)
    audit_record(
        actor=actor,
        action=BillingAction.LINES_EXPORTED,
        obj=batch,
        summary=f"{fmt}; {len(lines)} lines; sha256 {batch.file_sha256[:16]}",
    )
    return batch


def _mark_exported(actor: Actor, lines: list[ClaimLine], batch: ClaimBatch) -> None:
    ClaimLine.objects.filter(pk__in=[line.pk for line in lines]).update(
        status=ClaimLine.Status.EXPORTED, batch=batch, updated_at=timezone.now()
    )
    ClaimLineChange.objects.bulk_create(
        ClaimLineChange(
            clinic=batch.clinic,
            line=line,
            from_status=ClaimLine.Status.RELEASED,
            to_status=ClaimLine.Status.EXPORTED,
            by=actor.user,
            why="exported",
            detail={"batch": str(batch.pk)},
        )
        for line in lines
    )


def batch_list(*, actor: Actor) -> QuerySet[ClaimBatch]:
    """The clinic's batches, newest first, with who made each."""
    actor.require(BillingPerm.VIEW)
    return ClaimBatch.objects.select_related("made_by").order_by("-created_at")


def batch_file(*, actor: Actor, batch_id: object) -> Download:
    """The batch's file, byte for byte as it was exported (its hash checked); audited as a read
    of the lines it holds. Another clinic's batch is not found (404)."""
    actor.require(BillingPerm.MANAGE)
    batch = get_object_or_404(ClaimBatch, pk=batch_id)
    stored = BatchFile.objects.get(batch=batch)
    content = bytes(stored.content)
    if hashlib.sha256(content).hexdigest() != batch.file_sha256:
        raise ValidationError(_("The stored file does not match its hash; it was not handed out."))
    audit_record(actor=actor, action=BillingAction.LINES_VIEWED, obj=batch, summary=f"downloaded {batch.file_name}")
    return Download(batch.file_name, stored.media_type, content)
