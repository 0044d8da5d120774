"""Claim lines made directly (as the evaluator would leave them), for the export and worklist tests."""

from __future__ import annotations

import uuid
from datetime import date

from django.utils import timezone

from dyadcare.billing.models import BillingProfile, BillingSettings, ClaimLine
from dyadcare.families.models import Child
from dyadcare.tenancy.models import Clinic, User
from dyadcare.tenancy.scope import unscoped

NPIS = ["1234567893", "1245319599", "1003000126"]


def ready_clinic(clinic: Clinic) -> Clinic:
    clinic.billing_npi = "1003000126"
    clinic.tax_id = "12-3456789"
    clinic.address = "100 Main St\nOakland, CA 94607"
    clinic.city = "Oakland"
    clinic.save()
    with unscoped("test data"):
        BillingSettings.objects.update_or_create(
            clinic=clinic, defaults={"z_codes": {"G8431": ["Z13.31"], "*": ["Z00.129"]}}
        )
    return clinic


def profile(clinic: Clinic, user: User, npi: str = NPIS[0], **fields: object) -> BillingProfile:
    with unscoped("test data"):
        row, _ = BillingProfile.objects.update_or_create(
            clinic=clinic, user=user, defaults={"npi": npi, "licence_type": "lcsw", **fields}
        )
    return row


def line(
    clinic: Clinic,
    child: Child,
    rendering: User,
    *,
    code: str = "G8431",
    day: date = date(2025, 11, 3),
    status: str = ClaimLine.Status.RELEASED,
    modifiers: tuple[str, ...] = ("HD",),
    units: int = 1,
    reasons: list[dict[str, object]] | None = None,
    rule_id: str = "maternal-depression-positive",
) -> ClaimLine:
    with unscoped("test data"):
        return ClaimLine.objects.create(
            clinic=clinic,
            source_kind=ClaimLine.Source.SCREENING,
            source_id=uuid.uuid4(),
            slot=code,
            rule_id=rule_id,
            child=child,
            rendering=rendering,
            service_date=day,
            code=code,
            modifiers=list(modifiers),
            units=units,
            status=status,
            reasons=reasons or [],
            medi_cal_id=child.medi_cal_id,
            evaluated_at=timezone.now(),
        )
