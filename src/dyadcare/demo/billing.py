"""Demo billing: each clinic's claim lines derived from its generated screening results and
logged services by billing's own derivation (``billing.internal.derive``: the engine and the
writer the app's ``lines_refresh`` uses, with the demo's raw insert for the new rows), with the
clinic's billing details filled in so its claims can be exported.

What holds some lines, as it would in a real clinic (all through the data, none forced):
the children the population file leaves without a Medi-Cal ID (about one in five); one
provider who has not attested the ACEs Aware training (Eastside's dyadic specialist, whose
PEARLS screens are then held); community health workers named as the renderer of a share of
the navigation services (CHWs are not dyadic rendering providers, billing.md section 9); and
positive maternal depression screens whose follow-up is still open (no documented plan).

Lines are derived for the children screened or served in the last 30 days (a month of work;
their earlier work is evaluated with it, as the app does for a child). The lines before those
30 days that were ready are exported as one CSV batch per clinic, as the billing staff would
have done; the month stays to be worked. The clinic NPIs are drawn by the staff step (valid
check digits, 80840 prefix); tax IDs and addresses here are invented. A second run adds nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from dyadcare.billing.export import build, csvfile
from dyadcare.billing.export.models import BatchFile, ExportSettings
from dyadcare.billing.internal.derive import derive
from dyadcare.billing.models import BillingSettings, ClaimBatch, ClaimLine
from dyadcare.care.models import ServiceEntry
from dyadcare.demo.fastinsert import fast_insert_objects
from dyadcare.screening.models import ScreeningResult
from dyadcare.tenancy.models import Clinic, Credential, User
from dyadcare.tenancy.scope import clinic_scope
from dyadcare.touchpoints.models import Visit

WINDOW_DAYS = 30  # the month of lines left to work
CHUNK = 2000  # children evaluated per call (the database's limit on query parameters)
CHW_SHARE = 4  # one navigation service in four is logged under the clinic's CHW
CHW_SERVICES = ("community-supports", "care-coordination")
UNATTESTED = "specialist.eastside"
ADDRESSES = {
    "fruitvale": ("3050 International Blvd\nOakland, CA 94601", "94-1234567"),
    "valley": ("1441 N Blackstone Ave\nFresno, CA 93703", "77-2345678"),
    "eastside": ("4920 E Cesar Chavez Ave\nLos Angeles, CA 90022", "95-3456789"),
}
Z_CODES = {
    "G8431": ["Z13.31"],
    "G8510": ["Z13.31"],
    "96127": ["Z13.31"],
    "96110": ["Z13.42"],
    "G9919": ["Z13.9"],
    "G9920": ["Z13.9"],
    "*": ["Z00.129"],
}
FEES = {
    "H1011": "95.00",
    "H2015": "30.00",
    "H2027": "30.00",
    "T1027": "30.00",
    "G9919": "29.00",
    "G9920": "29.00",
}


def _clinic_details(clinic: Clinic) -> None:
    address, tax_id = ADDRESSES.get(clinic.slug, ("100 Main St\nSacramento, CA 95814", "68-9876543"))
    if not clinic.address or not clinic.tax_id:
        Clinic.objects.filter(pk=clinic.pk).update(
            address=clinic.address or address, tax_id=clinic.tax_id or tax_id
        )
        clinic.refresh_from_db()
    BillingSettings.objects.get_or_create(
        clinic=clinic,
        defaults={"z_codes": Z_CODES, "submitter_id": clinic.billing_npi, "receiver_id": "610442"},
    )
    ExportSettings.objects.get_or_create(
        clinic=clinic,
        defaults={"fees": FEES, "contact_name": "Kevin Tran", "contact_phone": "5105550100"},
    )


def _holds(clinics: list[Clinic]) -> None:
    """The provider who has not attested, the CHWs named on navigation services, and the
    clinic's pediatrician on its completed visits that name no clinician (who saw the child is
    the rendering provider of a screen the family answered on a link)."""
    Credential.objects.filter(user__username=UNATTESTED).update(aces_aware_attested_on=None)
    for clinic in clinics:
        doctor = (
            User.objects.filter(username=f"pediatrician.{clinic.slug}").values_list("pk", flat=True).first()
        )
        if doctor is not None:
            Visit.objects.filter(clinic=clinic, status=Visit.Status.COMPLETED, clinician__isnull=True).update(
                clinician_id=doctor
            )
        chw = User.objects.filter(username=f"partner.{clinic.slug}").values_list("pk", flat=True).first()
        if chw is None:
            continue
        entries = ServiceEntry.objects.filter(clinic=clinic, service_type__in=CHW_SERVICES).values_list(
            "pk", flat=True
        )
        picked = [pk for pk in entries if pk.int % CHW_SHARE == 0]
        ServiceEntry.objects.filter(clinic=clinic, pk__in=picked).exclude(delivered_by_id=chw).update(
            delivered_by_id=chw
        )


def _children_with_work(since: date) -> list[uuid.UUID]:
    """The children screened or served since ``since`` (their earlier work is evaluated too)."""
    start = timezone.make_aware(datetime.combine(since, time.min))
    screened = ScreeningResult.objects.filter(visit__scheduled_for__gte=start).values_list(
        "child_id", flat=True
    )
    served = ServiceEntry.objects.filter(delivered_on__gte=since).values_list("child_id", flat=True)
    return sorted(set(screened.distinct()) | set(served.distinct()))


def _history_batch(clinic: Clinic, month_start: date) -> None:
    """The ready lines of the months before as one exported CSV batch (made once)."""
    if ClaimBatch.objects.exists():
        return
    lines = list(
        ClaimLine.objects.filter(status=ClaimLine.Status.READY, service_date__lt=month_start)
        .select_related("child")
        .order_by("service_date", "child_id", "code")
    )
    if not lines:
        return
    details = build.read_details(clinic, {line.rendering_id for line in lines})
    content = csvfile.write_csv(build.csv_rows(lines, details)).encode("utf-8")
    admin = User.objects.filter(username=f"billing.{clinic.slug}").first()
    batch = ClaimBatch.objects.create(
        clinic=clinic,
        format=ClaimBatch.Format.CSV,
        made_by=admin,
        line_count=len(lines),
        file_name=f"{clinic.slug}-{month_start:%Y%m%d}-history.csv",
        file_sha256=hashlib.sha256(content).hexdigest(),
        period_from=min(line.service_date for line in lines),
        period_until=max(line.service_date for line in lines),
    )
    BatchFile.objects.create(
        clinic=clinic, batch=batch, media_type="text/csv; charset=utf-8", content=content
    )
    ClaimLine.objects.filter(pk__in=[line.pk for line in lines]).update(
        status=ClaimLine.Status.EXPORTED, batch=batch, updated_at=timezone.now()
    )


def build_billing(*, anchor: date, clinics: list[Clinic]) -> int:
    """Billing details, lines and the earlier months' batch of every clinic; returns the lines
    derived (created) in this run."""
    _holds(clinics)
    created = 0
    month_start = anchor - timedelta(days=WINDOW_DAYS)
    for clinic in clinics:
        with clinic_scope(clinic), transaction.atomic():
            _clinic_details(clinic)
            children = _children_with_work(month_start)
            for start in range(0, len(children), CHUNK):
                chunk = children[start : start + CHUNK]
                outcome = derive(clinic=clinic, child_ids=chunk, insert=fast_insert_objects)
                created += outcome.created
            _history_batch(clinic, month_start)
    return created
