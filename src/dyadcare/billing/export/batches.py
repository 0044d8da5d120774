"""Export released lines as one batch (CSV or X12 837P), and read batches back.

``batch_export`` takes the clinic's released lines (all, or those picked, or those of a date
range: ``billing.selectors.lines_for_export``), writes the file, checks an 837P with pyx12 and
refuses it on any error, then in one transaction records the batch (``billing.services.
batch_record``: who, when, format, lines marked exported, the file's SHA-256) and keeps the
file's exact bytes. ``batch_file``
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
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from dyadcare.billing import selectors, services
from dyadcare.billing.audit_actions import BillingAction
from dyadcare.billing.export import build, csvfile, validate, x12
from dyadcare.billing.export.models import BatchFile
from dyadcare.billing.models import ClaimBatch, ClaimLine
from dyadcare.billing.permissions import BillingPerm
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record

MEDIA: dict[str, str] = {
    ClaimBatch.Format.CSV: "text/csv; charset=utf-8",
    ClaimBatch.Format.X12_837P: "application/edi-x12",
}


@dataclass(frozen=True)
class Download:
    file_name: str
    media_type: str
    content: bytes


def _pick(lines: list[ClaimLine], date_from: date | None, date_until: date | None) -> list[ClaimLine]:
    picked = [
        line
        for line in lines
        if (not date_from or line.service_date >= date_from)
        and (not date_until or line.service_date <= date_until)
    ]
    build.attach_households(picked)
    return sorted(picked, key=lambda line: (str(line.child_id), line.service_date, line.code, str(line.pk)))


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
    lines = _pick(selectors.lines_for_export(actor=actor, line_ids=line_ids), date_from, date_until)
    if not lines:
        raise ValidationError(_("There are no released lines to export."))
    details = build.read_details(actor.clinic, {line.rendering_id for line in lines})
    control = selectors.next_control_number(actor=actor) if fmt == ClaimBatch.Format.X12_837P else None
    content = _write(fmt, lines, details, control or 0)
    stamp = timezone.localtime()
    extension = "csv" if fmt == ClaimBatch.Format.CSV else "837"
    batch = services.batch_record(
        actor=actor,
        format=fmt,
        line_ids=[line.pk for line in lines],
        file_name=f"{actor.clinic.slug}-{stamp:%Y%m%d-%H%M%S}.{extension}",
        file_sha256=hashlib.sha256(content).hexdigest(),
        control_number=control,
        period_from=min(line.service_date for line in lines),
        period_until=max(line.service_date for line in lines),
    )
    BatchFile.objects.create(clinic=actor.clinic, batch=batch, media_type=MEDIA[fmt], content=content)
    return batch


def batch_file(*, actor: Actor, batch_id: object) -> Download:
    """The batch's file, byte for byte as it was exported (its hash checked); audited as a read
    of the lines it holds. Another clinic's batch is not found (404)."""
    actor.require(BillingPerm.MANAGE)
    batch = get_object_or_404(ClaimBatch, pk=batch_id)
    stored = BatchFile.objects.get(batch=batch)
    content = bytes(stored.content)
    if hashlib.sha256(content).hexdigest() != batch.file_sha256:
        raise ValidationError(_("The stored file does not match its hash; it was not handed out."))
    audit_record(
        actor=actor, action=BillingAction.LINES_VIEWED, obj=batch, summary=f"downloaded {batch.file_name}"
    )
    return Download(batch.file_name, stored.media_type, content)
