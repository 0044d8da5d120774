"""The clinic's claim-file details (``ExportSettings``): read by billing staff, set by the
clinic administrator."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dyadcare.billing.audit_actions import BillingAction
from dyadcare.billing.export.build import missing_clinic_details
from dyadcare.billing.export.models import ExportSettings
from dyadcare.billing.permissions import BillingPerm
from dyadcare.tenancy.actor import Actor
from dyadcare.tenancy.audit import audit_record


def export_settings_get(*, actor: Actor) -> ExportSettings:
    """The clinic's details, or the defaults (unsaved) when none were set."""
    actor.require(BillingPerm.VIEW)
    return ExportSettings.objects.filter().first() or ExportSettings(clinic=actor.clinic)


def clinic_gaps(*, actor: Actor) -> list[str]:
    """What an 837P needs from the clinic's record and does not have, in plain words."""
    actor.require(BillingPerm.VIEW)
    assert actor.clinic is not None
    return missing_clinic_details(actor.clinic)


@transaction.atomic
def export_settings_set(
    *,
    actor: Actor,
    contact_name: str,
    contact_phone: str,
    payer_name: str,
    payer_id: str,
    production: bool,
    fees: Mapping[str, str],
) -> ExportSettings:
    actor.require(BillingPerm.CONFIGURE)
    assert actor.clinic is not None
    if not payer_name.strip() or not payer_id.strip():
        raise ValidationError({"payer_id": [_("Give the payer's name and ID.")]})
    row, _created = ExportSettings.objects.update_or_create(
        clinic=actor.clinic,
        defaults={
            "contact_name": contact_name.strip(),
            "contact_phone": contact_phone.strip(),
            "payer_name": payer_name.strip(),
            "payer_id": payer_id.strip(),
            "production": production,
            "fees": dict(fees),
            "updated_by": actor.user,
        },
    )
    audit_record(
        actor=actor,
        action=BillingAction.SETTINGS_SET,
        obj=row,
        summary=f"claim file: payer {row.payer_id}; {'production' if production else 'test'}",
    )
    return row
