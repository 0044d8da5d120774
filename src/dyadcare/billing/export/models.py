"""What an export keeps beyond the batch row: the file's exact bytes (a batch is downloaded again
byte for byte) and the clinic's claim-file details that no other billing record holds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dyadcare.billing.models import ClaimBatch
from dyadcare.tenancy.models import User
from dyadcare.tenancy.scope import ClinicScopedModel


class BatchFile(ClinicScopedModel):
    """The file of one export batch, as it was handed out."""

    batch = models.OneToOneField(ClaimBatch, on_delete=models.PROTECT, related_name="file")
    media_type = models.CharField(max_length=60)
    content = models.BinaryField()

    class Meta:
        app_label = "billing"


class ExportSettings(ClinicScopedModel):
    """The clinic's claim-file details: its charge per code (the clinic's own fee schedule: what
    it bills, not what Medi-Cal pays, billing.md section 8), whom payers call, the payer ID."""

    fees = models.JSONField(_("charges per code"), default=dict, blank=True)  # {"H2015": "25.00"}
    contact_name = models.CharField(_("billing contact"), max_length=60, blank=True)
    contact_phone = models.CharField(_("billing contact phone"), max_length=20, blank=True)
    payer_name = models.CharField(_("payer name"), max_length=60, default="MEDI-CAL")
    # Medi-Cal fee-for-service's payer ID as clearinghouses list it (unverified, billing.md §6:
    # confirm with the clinic's clearinghouse); a managed care plan has its own.
    payer_id = models.CharField(_("payer ID"), max_length=20, default="610442")
    production = models.BooleanField(_("production files (not test)"), default=False)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        app_label = "billing"
        constraints = [
            models.UniqueConstraint(fields=["clinic"], name="billing_export_settings_one_per_clinic")
        ]
